#pragma once
// The crash test's market: a few listed products, cash for the buyers and capacity for the
// sellers, set up once through the operator (ops) before the first kill; the ledger keeps them
// across restarts. Also the small connect-and-logon helper every client of the test uses.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/client.h"

namespace ghx::recovery {

inline constexpr std::string_view operator_name = "ops";
inline constexpr std::array<std::string_view, 3> seller_names = {"dc-shanghai", "dc-ulanqab",
                                                                 "dc-guiyang"};
inline constexpr std::array<std::string_view, 4> buyer_names = {"lab-alpha", "lab-beta",
                                                                "lab-gamma", "lab-delta"};

struct MarketProduct {
  std::string symbol;
  int64_t tick = 1;
  int64_t mid_price = 0;  // a multiple of tick
  // The traded product of the next window (same GPU model and zone): block orders over both
  // start here.
  std::optional<size_t> next_window;
};

// Connects and logs on as `name` with its certificate from DATA/certs; nullptr and `error` on
// failure. Orders rest across disconnects (no cancel-on-disconnect): the test wants books
// that survive crashes. With `last_report_sequence`, the exchange first resends the
// participant's execution reports after it.
std::unique_ptr<gateway::Client> connect_as(
    std::string_view name, uint16_t port, const std::string& data_dir, uint32_t timeout_ms,
    std::string& error, std::optional<uint64_t> last_report_sequence = std::nullopt);

// Chooses `count` hourly products that stay open for hours — the earliest, and the one after
// the first in its GPU model and zone, so that block orders have two windows to trade —,
// deposits cash for every buyer and registers capacity for every seller in each. Empty with
// `error` on failure.
std::vector<MarketProduct> set_up_market(uint16_t port, const std::string& data_dir,
                                         size_t count, std::string& error);

}  // namespace ghx::recovery
