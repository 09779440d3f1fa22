#pragma once
// One client thread of the crash test: logs on as a buyer or a seller and trades until its
// connection dies (ghxd was killed), recording every acknowledgement it receives. Orders go
// out in small windows and each window's answers are awaited, so that an order's outcome is
// known unless the connection died under it.

#include <cstdint>
#include <string>
#include <vector>

#include "tests/recovery/ack_log.h"
#include "tests/recovery/market_setup.h"

namespace ghx::recovery {

struct TraderPlan {
  std::string name;
  bool seller = false;
  uint16_t port = 0;
  std::string data_dir;
  std::vector<MarketProduct> products;
  // Client order ids of this run start above it: a fresh range after each restart, since the
  // exchange remembers (and refuses) every id it has seen.
  uint64_t client_order_id_base = 0;
  uint32_t seed = 1;
};

struct TraderResult {
  AckLog acks;
  uint64_t orders_sent = 0;
  uint64_t rejects = 0;         // orders the exchange refused (busy, risk)
  uint64_t unanswered = 0;      // orders in flight when the connection died
  std::string end;              // why the run ended
};

void run_trader(const TraderPlan& plan, TraderResult& result);

}  // namespace ghx::recovery
