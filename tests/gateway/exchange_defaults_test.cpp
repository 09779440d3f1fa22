// ghxd's embedded defaults: the rolling calendar and the daily call auction's time.

#include "gateway/exchange_defaults.h"

#include <gtest/gtest.h>

#include "matching/product.h"

namespace ghx::gateway {
namespace {

constexpr int64_t ns_per_minute = 60 * matching::ns_per_second;

int64_t utc(const char* hour, int64_t minutes = 0) {
  int64_t hours = 0;
  EXPECT_TRUE(matching::parse_utc_hour(hour, hours));
  return hours * matching::ns_per_hour + minutes * ns_per_minute;
}

TEST(DailyAuction, TimesOfDayParseOrAreRefused) {
  int minute = -1;
  ASSERT_TRUE(parse_time_of_day("12:00", minute));
  EXPECT_EQ(minute, 720);
  ASSERT_TRUE(parse_time_of_day("00:00", minute));
  EXPECT_EQ(minute, 0);
  ASSERT_TRUE(parse_time_of_day("23:59", minute));
  EXPECT_EQ(minute, 1439);
  for (const char* bad : {"24:00", "12:60", "1200", "12:0", "12:000", "ab:cd", "", " 12:00"}) {
    EXPECT_FALSE(parse_time_of_day(bad, minute)) << bad;
  }
}

TEST(DailyAuction, TheNextAuctionIsTodayOrTomorrowAndAtLeastAMinuteAway) {
  const int noon = 12 * 60;
  EXPECT_EQ(next_daily_auction_ns(utc("2026-12-01T08"), noon), utc("2026-12-01T12"));
  // Later than noon, or within a minute of it: tomorrow's.
  EXPECT_EQ(next_daily_auction_ns(utc("2026-12-01T13"), noon), utc("2026-12-02T12"));
  EXPECT_EQ(next_daily_auction_ns(utc("2026-12-01T11", 59) + 1, noon), utc("2026-12-02T12"));
  EXPECT_EQ(next_daily_auction_ns(utc("2026-12-01T11", 59), noon), utc("2026-12-01T12"));
  // Midnight, from just before it.
  EXPECT_EQ(next_daily_auction_ns(utc("2026-12-01T23", 30), 0), utc("2026-12-02T00"));
}

TEST(Calendar, ListsHourlyAndDailyWindowsWhoseGatesAreOpen) {
  const int64_t now_ns = utc("2026-12-01T08", 45);
  const int64_t lead_ns = matching::gate_closure_lead_default_ns;
  const auto specs = calendar_products(now_ns, lead_ns);
  ASSERT_FALSE(specs.empty());
  size_t hourly = 0, daily = 0;
  for (const matching::ProductSpec& spec : specs) {
    EXPECT_GT(spec.delivery_start().ns - lead_ns, now_ns) << matching::format_symbol(spec);
    hourly += spec.length == matching::WindowLength::hour_1;
    daily += spec.length == matching::WindowLength::day;
  }
  EXPECT_EQ(hourly + daily, specs.size());
  EXPECT_EQ(hourly % 48, 0u);  // 48 hours of windows per GPU model and zone
  EXPECT_EQ(daily % 14, 0u);   // and 14 days
  EXPECT_EQ(hourly / 48, daily / 14);
}

}  // namespace
}  // namespace ghx::gateway
