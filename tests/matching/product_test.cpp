#include "matching/product.h"

#include <gtest/gtest.h>

namespace ghx::matching {
namespace {

TEST(ProductSymbol, ParsesAndPrintsTheCanonicalForm) {
  const auto parsed = parse_symbol("H100SXM.CN-EAST-1.2026-12-01T08.1H");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.spec.gpu.view(), "H100SXM");
  EXPECT_EQ(parsed.spec.zone.view(), "CN-EAST-1");
  EXPECT_EQ(parsed.spec.length, WindowLength::hour_1);
  EXPECT_EQ(parsed.spec.hours(), 1);
  EXPECT_EQ(parsed.spec.lot_size_gpus, 8);
  EXPECT_EQ(format_symbol(parsed.spec), "H100SXM.CN-EAST-1.2026-12-01T08.1H");
  // 2026-12-01T08:00Z is 1796112000 seconds after the epoch.
  EXPECT_EQ(parsed.spec.delivery_start().ns, int64_t{1796112000} * ns_per_second);
}

TEST(ProductSymbol, EveryWindowLengthRoundTrips) {
  for (const char* symbol : {"910B.CN-NMG-1.2027-01-31T23.4H", "L40S.CN-EAST-1.2026-02-28T00.DAY",
                             "H20.CN-NMG-1.2028-02-29T12.WEEK"}) {
    const auto parsed = parse_symbol(symbol);
    ASSERT_TRUE(parsed.ok) << symbol << ": " << parsed.error;
    EXPECT_EQ(format_symbol(parsed.spec), symbol);
  }
  EXPECT_EQ(parse_symbol("H20.CN-NMG-1.2028-02-29T12.WEEK").spec.hours(), 168);
}

TEST(ProductSymbol, MalformedSymbolsSayWhatIsWrong) {
  struct Case {
    const char* symbol;
    const char* error_contains;
  };
  const Case cases[] = {
      {"", "expected GPU.ZONE.START.LENGTH"},
      {"H100SXM.CN-EAST-1.2026-12-01T08", "has 3 parts"},
      {"H100SXM.CN-EAST-1.2026-12-01T08.1H.X", "more than 4 parts"},
      {"h100.CN-EAST-1.2026-12-01T08.1H", "GPU model 'h100'"},
      {".CN-EAST-1.2026-12-01T08.1H", "GPU model is empty"},
      {"H100.CN_EAST.2026-12-01T08.1H", "zone 'CN_EAST'"},
      {"H100.ZONE-NAME-TOO-LONG.2026-12-01T08.1H", "longer than 15"},
      {"H100.CN-EAST-1.2026-13-01T08.1H", "delivery start '2026-13-01T08'"},
      {"H100.CN-EAST-1.2026-02-30T08.1H", "delivery start"},
      {"H100.CN-EAST-1.2026-12-01T24.1H", "delivery start"},
      {"H100.CN-EAST-1.2026-12-01 08.1H", "delivery start"},
      {"H100.CN-EAST-1.2026-12-01T08.2H", "window length '2H'"},
      {"H100.CN-EAST-1.2200-01-01T00.1H", "delivery start '2200-01-01T00' is in 2200 or later"},
      {"H100.CN-EAST-1.2700-01-01T00.WEEK", "is in 2200 or later"},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_symbol(c.symbol);
    EXPECT_FALSE(parsed.ok) << c.symbol;
    EXPECT_NE(parsed.error.find(c.error_contains), std::string::npos)
        << c.symbol << " gave: " << parsed.error;
  }
}

TEST(ProductSpec, ValidationRejectsBadLotAndTick) {
  auto spec = parse_symbol("H100SXM.CN-EAST-1.2026-12-01T08.1H").spec;
  EXPECT_EQ(validate_spec(spec), "");
  spec.lot_size_gpus = 0;
  EXPECT_NE(validate_spec(spec), "");
  spec.lot_size_gpus = 8;
  spec.tick_size = 0;
  EXPECT_NE(validate_spec(spec), "");
}

// Times are int64 nanoseconds, which end in 2262: a window must start before 2200, or its
// start and end would overflow.
TEST(ProductSpec, ValidationRejectsAWindowFromTheYear2200) {
  auto spec = parse_symbol("H100SXM.CN-EAST-1.2199-12-31T23.WEEK").spec;
  EXPECT_EQ(validate_spec(spec), "");
  EXPECT_GT(spec.delivery_end().ns, spec.delivery_start().ns);
  spec.start_hour = start_hour_limit;
  EXPECT_EQ(validate_spec(spec), "delivery start is in 2200 or later");
  spec.start_hour = int64_t{6'000'000};  // the year 2654
  EXPECT_EQ(validate_spec(spec), "delivery start is in 2200 or later");
}

}  // namespace
}  // namespace ghx::matching
