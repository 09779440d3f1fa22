#include "gateway/exchange_defaults.h"

#include "ledger/types.h"

namespace ghx::gateway {
namespace {

constexpr const char* gpu_models[] = {"H100SXM", "H20", "910B", "L40S"};
constexpr const char* zones[] = {"CN-EAST-1", "CN-NMG-1"};
constexpr int64_t hourly_windows = 48;
constexpr int64_t daily_windows = 14;

matching::ProductSpec spec_of(const char* gpu, const char* zone, int64_t start_hour,
                              matching::WindowLength length) {
  matching::ProductSpec spec;
  spec.gpu = matching::ShortName::from(gpu);
  spec.zone = matching::ShortName::from(zone);
  spec.start_hour = start_hour;
  spec.length = length;
  return spec;
}

}  // namespace

const std::vector<DefaultParticipant>& default_participants() {
  static const std::vector<DefaultParticipant> participants = {
      {"ops", ledger::role_operator},       {"dc-shanghai", ledger::role_seller},
      {"dc-ulanqab", ledger::role_seller},  {"dc-guiyang", ledger::role_seller},
      {"lab-alpha", ledger::role_buyer},    {"lab-beta", ledger::role_buyer},
      {"lab-gamma", ledger::role_buyer},    {"lab-delta", ledger::role_buyer},
  };
  return participants;
}

std::vector<matching::ProductSpec> calendar_products(int64_t now_ns,
                                                     int64_t gate_closure_lead_ns) {
  const int64_t ns_per_hour = matching::ns_per_hour;
  // The first hourly window whose gate is still open.
  int64_t first_hour = (now_ns + gate_closure_lead_ns) / ns_per_hour + 1;
  const int64_t first_day = (now_ns + gate_closure_lead_ns) / (24 * ns_per_hour) + 1;
  std::vector<matching::ProductSpec> specs;
  for (const char* gpu : gpu_models) {
    for (const char* zone : zones) {
      for (int64_t hour = 0; hour < hourly_windows; ++hour) {
        specs.push_back(spec_of(gpu, zone, first_hour + hour, matching::WindowLength::hour_1));
      }
      for (int64_t day = 0; day < daily_windows; ++day) {
        specs.push_back(
            spec_of(gpu, zone, (first_day + day) * 24, matching::WindowLength::day));
      }
    }
  }
  return specs;
}

int64_t next_daily_auction_ns(int64_t now_ns, int minute_of_day) {
  constexpr int64_t ns_per_minute = 60 * matching::ns_per_second;
  constexpr int64_t ns_per_day = 24 * matching::ns_per_hour;
  const int64_t earliest_ns = now_ns + ns_per_minute;
  int64_t auction_ns = earliest_ns / ns_per_day * ns_per_day + minute_of_day * ns_per_minute;
  if (auction_ns < earliest_ns) auction_ns += ns_per_day;
  return auction_ns;
}

bool parse_time_of_day(std::string_view text, int& minute_of_day) {
  const auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return false;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return false;
  minute_of_day = hours * 60 + minutes;
  return true;
}

}  // namespace ghx::gateway
