// Trade records in LMDB: the current layout round-trips, and records of the older layout
// (before partial failures, without failed_lots) still decode.
#include <gtest/gtest.h>

#include <span>

#include "ledger/codec.h"
#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

TradeRecord record(TradeState state, int64_t failed_lots) {
  return {make_fill(7, h100, buyer_a, seller_x, 1850, 4), state, t0, Lots{failed_lots}};
}

// The older layout is the current one without its last field.
std::span<const uint8_t> old_layout(const codec::TradeBytes& bytes) {
  return std::span<const uint8_t>(bytes).first(codec::trade_value_size_without_failed_lots);
}

TEST(TradeCodec, FailedLotsRoundTrip) {
  const codec::TradeBytes bytes = codec::encode(record(TradeState::delivered, 3));
  TradeRecord decoded;
  ASSERT_TRUE(codec::decode(bytes, decoded));
  EXPECT_EQ(decoded.state, TradeState::delivered);
  EXPECT_EQ(decoded.failed_lots, Lots{3});
  EXPECT_EQ(decoded.fill.notional, Cash{1850 * 4 * lot_size_gpus * hours});
  EXPECT_EQ(decoded.closed_at, t0);
}

TEST(TradeCodec, AnOldFailedRecordFailedEveryLot) {
  const codec::TradeBytes bytes = codec::encode(record(TradeState::failed, 0));
  TradeRecord decoded;
  ASSERT_TRUE(codec::decode(old_layout(bytes), decoded));
  EXPECT_EQ(decoded.state, TradeState::failed);
  EXPECT_EQ(decoded.failed_lots, Lots{4});
  EXPECT_EQ(decoded.fill.trade_id, TradeId{7});
}

TEST(TradeCodec, AnOldOpenOrDeliveredRecordFailedNoLot) {
  for (const TradeState state : {TradeState::open, TradeState::delivered}) {
    const codec::TradeBytes bytes = codec::encode(record(state, 2));
    TradeRecord decoded;
    ASSERT_TRUE(codec::decode(old_layout(bytes), decoded));
    EXPECT_EQ(decoded.state, state);
    EXPECT_EQ(decoded.failed_lots, Lots{0});
  }
}

TEST(TradeCodec, OtherSizesAndImpossibleFailedLotsAreRefused) {
  const codec::TradeBytes bytes = codec::encode(record(TradeState::open, 1));
  TradeRecord decoded;
  EXPECT_FALSE(codec::decode(std::span<const uint8_t>(bytes).first(bytes.size() - 1), decoded));
  EXPECT_FALSE(codec::decode(std::span<const uint8_t>(bytes).first(100), decoded));
  EXPECT_FALSE(codec::decode(codec::encode(record(TradeState::open, 5)), decoded));
  EXPECT_FALSE(codec::decode(codec::encode(record(TradeState::open, -1)), decoded));
}

}  // namespace
}  // namespace ghx::ledger::testing
