// The amounts of a partly failed trade: the formulas the engine computes independently.
#include "ledger/trade_amounts.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace ghx::ledger {
namespace {

Fill fill_of(int64_t lots, int64_t notional, int64_t seller_fee) {
  Fill f;
  f.lots = Lots{lots};
  f.notional = Cash{notional};
  f.seller_fee = Cash{seller_fee};
  return f;
}

TEST(TradeAmounts, OpenLotsAreTheLotsNotFailed) {
  const TradeRecord trade{fill_of(8, 64'000, 128), TradeState::open, {}, Lots{3}};
  EXPECT_EQ(open_lots(trade), Lots{5});
}

TEST(TradeAmounts, NotionalOfLotsIsTheNotionalPerLotTimesLots) {
  const Fill f = fill_of(8, 64'000, 128);
  EXPECT_EQ(notional_of(f, Lots{0}), Cash{0});
  EXPECT_EQ(notional_of(f, Lots{3}), Cash{24'000});
  EXPECT_EQ(notional_of(f, Lots{8}), Cash{64'000});
}

TEST(TradeAmounts, SellerFeeLeftIsFlooredAndExactAtBothEnds) {
  const Fill f = fill_of(3, 2'400, 7);
  EXPECT_EQ(seller_fee_left(f, Lots{0}), Cash{7});
  EXPECT_EQ(seller_fee_left(f, Lots{1}), Cash{4});  // 14 / 3
  EXPECT_EQ(seller_fee_left(f, Lots{2}), Cash{2});  // 7 / 3
  EXPECT_EQ(seller_fee_left(f, Lots{3}), Cash{0});
}

TEST(TradeAmounts, SellerFeeLeftDoesNotOverflowOnLargeFees) {
  const int64_t fee = std::numeric_limits<int64_t>::max() / 2;
  const Fill f = fill_of(1'000, std::numeric_limits<int64_t>::max() / 1'000 * 1'000, fee);
  // floor(fee x 999 / 1000) = fee - ceil(fee / 1000), which needs no wide product.
  EXPECT_EQ(seller_fee_left(f, Lots{1}), Cash{fee - (fee + 999) / 1'000});
  EXPECT_EQ(seller_fee_left(f, Lots{0}), Cash{fee});
}

}  // namespace
}  // namespace ghx::ledger
