#pragma once
// Turns `ghx buy|sell PRODUCT QTY PRICE [options]` into a NewOrder, checking what can be
// checked locally (symbol syntax, numbers, option combinations) so that a typo is a usage
// error before any connection is made.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/wire_build.h"
#include "tools/ghx/cli_args.h"

namespace ghx::cli {

extern const std::vector<OptionSpec> order_option_specs;

struct OrderRequest {
  std::string symbol;
  gateway::NewOrderFields fields;  // fields.symbol points into `symbol`: do not copy-slice

  OrderRequest() = default;
  OrderRequest(const OrderRequest&) = delete;  // would leave fields.symbol dangling
  OrderRequest& operator=(const OrderRequest&) = delete;
};

// `args.positional` is PRODUCT QTY [PRICE] (PRICE may be left out for --type market).
// `now_ns` anchors "+SECONDS" expiries and the default client order id. `--windows N` (2..31,
// the engine's limit) makes a block order: fill-or-kill limit, which it sets itself; an option
// that says otherwise (--type market, --tif other than fok, --expire, --post-only, --min-qty) is
// a usage error.
void parse_order(wire::Side side, const ParsedArgs& args, int64_t now_ns, OrderRequest& out);

wire::OrderType parse_order_type(std::string_view text);
wire::TimeInForce parse_time_in_force(std::string_view text);
wire::SelfTradePrevention parse_self_trade(std::string_view text);

// "+SECONDS" (relative to now_ns) or ISO 8601 UTC: YYYY-MM-DDTHH[:MM[:SS[.fff]]][Z|+HH:MM];
// a usage error naming `option` otherwise. parse_expire is it for --expire.
int64_t parse_future_time(std::string_view text, int64_t now_ns, std::string_view option);
int64_t parse_expire(std::string_view text, int64_t now_ns);
// ISO 8601 UTC as above; a usage error naming `option` otherwise.
int64_t parse_utc_time(std::string_view text, std::string_view option);

// Checks a product symbol's syntax (GPU.ZONE.START.LENGTH); usage error naming the bad part.
void check_symbol(std::string_view symbol);

// A client order id from the time in microseconds: fresh per invocation, readable, and
// increasing, so ids from one machine do not collide in practice.
uint64_t client_order_id_from_time(int64_t now_ns);

// Wall clock, nanoseconds since the epoch (the CLI is an edge: it may read the clock).
int64_t wall_clock_ns();

}  // namespace ghx::cli
