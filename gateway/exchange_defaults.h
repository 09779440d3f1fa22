#pragma once
// The embedded defaults of ghxd: who trades at a fresh exchange and what it lists.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "matching/product.h"

namespace ghx::gateway {

struct DefaultParticipant {
  const char* name;
  uint8_t roles;  // ledger::RoleBits
};

// The operator, three data centres (sellers) and four AI labs (buyers).
const std::vector<DefaultParticipant>& default_participants();

// The rolling calendar at `now_ns`: for each GPU model and zone, hourly windows for the next
// 48 hours and daily windows for the next 14 days, every window's gate still open.
std::vector<matching::ProductSpec> calendar_products(int64_t now_ns,
                                                     int64_t gate_closure_lead_ns);

// The daily call auction (ghxd --daily-auction HH:MM): a window listed before the day's
// auction time opens in a call phase that uncrosses then, as a day-ahead market does, unless
// its gate closes first. The next auction time: the first HH:MM UTC at least a minute after
// `now_ns` (so that a listing sequenced some milliseconds later still comes before it).
int64_t next_daily_auction_ns(int64_t now_ns, int minute_of_day);
// "HH:MM" (00:00 to 23:59) as minutes since midnight; false when it is anything else.
bool parse_time_of_day(std::string_view text, int& minute_of_day);

}  // namespace ghx::gateway
