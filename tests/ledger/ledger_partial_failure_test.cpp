// Partial delivery failures: some lots of a trade fail, possibly in several steps; delivery then
// pays the seller for the rest, and the trade is failed only once every lot has failed.
#include "ledger/report.h"
#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

constexpr Timestamp during_window{t0.ns + ns_per_hour};
constexpr Timestamp window_end{t0.ns + 3 * ns_per_hour};  // of h100

class LedgerPartialFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    fund_market(ledger_, Lots{8});
    expect_check_passes(ledger_);
  }
  // Commits, expects every operation to give `expected`, and checks the whole ledger.
  void commit_expecting(Batch& b, Result expected = Result::ok) {
    ASSERT_EQ(commit(b), Result::ok);
    for (size_t i = 0; i < b.size(); ++i) EXPECT_EQ(b.result(i), expected) << "op " << i;
  }
  Result commit(Batch& b) {
    const Result r = ledger_.commit(b);
    expect_check_passes(ledger_);
    return r;
  }
  void settle(const Fill& fill) {
    Batch b;
    ASSERT_EQ(b.settle_fill(fill), Result::ok);
    commit_expecting(b);
  }
  void fail(uint64_t trade, int64_t lots, int64_t lots_open_after, Result expected = Result::ok) {
    Batch b;
    ASSERT_EQ(b.delivery_failure(TradeId{trade}, Lots{lots}, Lots{lots_open_after}, during_window),
              Result::ok);
    commit_expecting(b, expected);
  }
  void deliver_h100() {
    Batch b;
    ASSERT_EQ(b.deliver(h100, window_end), Result::ok);
    commit_expecting(b);
  }
  TradeRecord trade(uint64_t id) { return *ledger_.snapshot().trade(TradeId{id}); }
  bool listed_open(uint64_t id) {
    bool found = false;
    ledger_.snapshot().for_each_open_trade([&](ProductId, TradeId t) {
      found |= t.value == id;
      return true;
    });
    return found;
  }
  int64_t buyer(AccountKind kind) { return cash(ledger_, buyer_a, kind); }
  int64_t seller_available() { return cash(ledger_, seller_x, AccountKind::available); }
  int64_t fees() { return ledger_.balance(fee_account()); }
  int64_t received() { return capacity(ledger_, buyer_a, h100, AccountKind::received); }

  TempDir tmp_;
  Ledger ledger_{tmp_.sub("l")};
};

// 8 lots at 1000: notional 64'000 (8'000 a lot), buyer fee 64, seller fee 128.
Fill eight_lots() { return make_fill(1, h100, buyer_a, seller_x, 1000, 8); }

TEST_F(LedgerPartialFailure, ThreeOfEightLotsFailThenDeliveryPaysForTheFiveLeft) {
  settle(eight_lots());
  fail(1, 3, 5);
  // Refund 3 x 8'000; penalty 10 % of it, 2'400, within the seller's 3'000.
  EXPECT_EQ(buyer(AccountKind::available), 500'000 + 24'000 + 2'400);
  EXPECT_EQ(buyer(AccountKind::escrow), 40'000);
  EXPECT_EQ(seller_available(), 600);
  EXPECT_EQ(received(), 5);
  EXPECT_EQ(trade(1).state, TradeState::open);
  EXPECT_EQ(trade(1).failed_lots, Lots{3});
  EXPECT_TRUE(listed_open(1));

  deliver_h100();
  // 5 lots: 40'000 less the fee left, floor(128 x 5 / 8) = 80.
  EXPECT_EQ(seller_available(), 600 + 40'000 - 80);
  EXPECT_EQ(fees(), 64 + 80);
  EXPECT_EQ(buyer(AccountKind::escrow), 0);
  EXPECT_EQ(buyer(AccountKind::available), 526'400);
  EXPECT_EQ(received(), 0);
  EXPECT_EQ(ledger_.balance(external_account(Asset::capacity(h100))), -2);
  EXPECT_EQ(trade(1).state, TradeState::delivered);
  EXPECT_EQ(trade(1).failed_lots, Lots{3});
  EXPECT_EQ(trade(1).closed_at, window_end);
  EXPECT_FALSE(listed_open(1));
}

TEST_F(LedgerPartialFailure, TwoPartialFailuresThenTheRestEndTheTradeFailed) {
  settle(eight_lots());
  fail(1, 2, 6);
  EXPECT_EQ(seller_available(), 3'000 - 1'600);
  fail(1, 3, 3);
  EXPECT_EQ(seller_available(), 0);  // penalty 2'400 capped at the 1'400 left
  EXPECT_EQ(trade(1).failed_lots, Lots{5});
  EXPECT_EQ(trade(1).state, TradeState::open);
  fail(1, 3, 0);
  EXPECT_EQ(trade(1).state, TradeState::failed);
  EXPECT_EQ(trade(1).failed_lots, Lots{8});
  EXPECT_EQ(trade(1).closed_at, during_window);
  EXPECT_FALSE(listed_open(1));
  EXPECT_EQ(buyer(AccountKind::available), 500'000 + 64'000 + 3'000);
  EXPECT_EQ(buyer(AccountKind::escrow), 0);
  EXPECT_EQ(received(), 0);
  fail(1, 1, 0, Result::trade_not_open);
  deliver_h100();  // nothing left to pay
  EXPECT_EQ(seller_available(), 0);
  EXPECT_EQ(fees(), 64);
}

TEST_F(LedgerPartialFailure, LotsThatDisagreeWithTheOpenLotsAreRefusedAndWriteNothing) {
  settle(eight_lots());
  fail(1, 2, 6);
  const uint64_t transfers = ledger_.snapshot().transfer_count();
  Batch b;
  for (const auto& [lots, after] : {std::pair{3, 4}, std::pair{3, 6}, std::pair{0, 6},
                                    std::pair{-1, 7}, std::pair{7, -1}, std::pair{6, 6}}) {
    ASSERT_EQ(b.delivery_failure(TradeId{1}, Lots{lots}, Lots{after}, during_window), Result::ok);
  }
  commit_expecting(b, Result::invalid_argument);
  EXPECT_EQ(ledger_.snapshot().transfer_count(), transfers);
  EXPECT_EQ(trade(1).failed_lots, Lots{2});
  EXPECT_EQ(buyer(AccountKind::escrow), 48'000);
  EXPECT_EQ(received(), 6);
}

TEST_F(LedgerPartialFailure, NoLotsOpenAfterFailsEveryOpenLotWhateverLotsSays) {
  settle(eight_lots());
  fail(1, 2, 6);
  fail(1, 1, 0);
  EXPECT_EQ(trade(1).state, TradeState::failed);
  EXPECT_EQ(trade(1).failed_lots, Lots{8});
  // Refunds 16'000 then 48'000; penalties 1'600 then 4'800 capped at the 1'400 left.
  EXPECT_EQ(buyer(AccountKind::available), 500'000 + 64'000 + 3'000);
  EXPECT_EQ(buyer(AccountKind::escrow), 0);
  EXPECT_EQ(received(), 0);
}

TEST_F(LedgerPartialFailure, FailingASellerFailsOnlyTheLotsStillOpen) {
  settle(eight_lots());
  fail(1, 5, 3);
  Batch b;
  ASSERT_EQ(b.delivery_failure(h100, seller_x, during_window), Result::ok);
  commit_expecting(b);
  EXPECT_EQ(trade(1).state, TradeState::failed);
  EXPECT_EQ(trade(1).failed_lots, Lots{8});
  EXPECT_EQ(buyer(AccountKind::escrow), 0);
  EXPECT_EQ(buyer(AccountKind::available), 500'000 + 64'000 + 3'000);
}

// A seller fee of 7 on 3 lots: the fee left is 7, 4, 2, 0 after 0, 1, 2, 3 failed lots.
TEST_F(LedgerPartialFailure, AFeeThatDoesNotDivideEvenlyIsFlooredAndStillBalances) {
  Fill f = make_fill(1, h100, buyer_a, seller_x, 100, 3);  // notional 2'400, buyer fee 2
  f.seller_fee = Cash{7};
  settle(f);
  fail(1, 1, 2);
  fail(1, 1, 1);
  EXPECT_EQ(seller_available(), 3'000 - 80 - 80);
  EXPECT_EQ(buyer(AccountKind::escrow), 800);
  deliver_h100();
  EXPECT_EQ(seller_available(), 3'000 - 160 + 800 - 2);
  EXPECT_EQ(fees(), 2 + 2);
  EXPECT_EQ(buyer(AccountKind::escrow), 0);
  EXPECT_EQ(buyer(AccountKind::available), 500'000 + 1'600 + 160);
  EXPECT_EQ(trade(1).state, TradeState::delivered);
  EXPECT_EQ(trade(1).failed_lots, Lots{2});
  // Every cash account together: what was deposited, nothing made or lost in the rounding.
  EXPECT_EQ(buyer(AccountKind::available) + buyer(AccountKind::held) + seller_available() + fees(),
            1'003'000);
}

TEST_F(LedgerPartialFailure, ReportsOweOnlyTheOpenLots) {
  settle(eight_lots());
  fail(1, 3, 5);
  const Snapshot s = ledger_.snapshot();
  Report buyer_report;
  Report seller_report;
  const Timestamp day_end{t0.ns + 24 * ns_per_hour};
  ASSERT_EQ(build_report(s, *s.participant(buyer_a), t0, day_end, buyer_report), Result::ok);
  ASSERT_EQ(build_report(s, *s.participant(seller_x), t0, day_end, seller_report), Result::ok);
  ASSERT_EQ(buyer_report.obligations_at_period_end.size(), 1u);
  ASSERT_EQ(seller_report.obligations_at_period_end.size(), 1u);
  EXPECT_EQ(buyer_report.obligations_at_period_end[0].gpu_hours_to_receive,
            5 * lot_size_gpus * hours);
  EXPECT_EQ(buyer_report.obligations_at_period_end[0].escrow_paid, Cash{40'000});
  EXPECT_EQ(seller_report.obligations_at_period_end[0].gpu_hours_to_deliver,
            5 * lot_size_gpus * hours);
  EXPECT_EQ(seller_report.obligations_at_period_end[0].proceeds_pending, Cash{40'000 - 80});
  ASSERT_EQ(buyer_report.trades.size(), 1u);
  EXPECT_EQ(buyer_report.trades[0].lots, Lots{8});
  EXPECT_EQ(buyer_report.trades[0].failed_lots_at_period_end, Lots{3});
  // Fees: the buyer's charged at the fill; the seller's (128) at delivery, and only on the 5
  // lots it did not fail (128 x 5 / 8 = 80, as its pending proceeds say): none charged yet.
  EXPECT_EQ(buyer_report.trades[0].fee_at_fill, eight_lots().buyer_fee);
  EXPECT_EQ(buyer_report.fees_charged(), eight_lots().buyer_fee);
  ASSERT_EQ(eight_lots().seller_fee, Cash{128});
  ASSERT_EQ(seller_report.trades.size(), 1u);
  EXPECT_EQ(seller_report.trades[0].fee_at_fill, Cash{0});
  EXPECT_EQ(seller_report.fees_charged(), Cash{0});

  deliver_h100();  // the 5 lots left
  Report delivered;
  ASSERT_EQ(build_report(ledger_.snapshot(), *s.participant(seller_x), t0, day_end, delivered),
            Result::ok);
  ASSERT_EQ(delivered.deliveries.size(), 2u);
  EXPECT_EQ(delivered.deliveries[0].outcome, TradeState::failed);
  EXPECT_EQ(delivered.deliveries[0].fee, Cash{0});
  EXPECT_EQ(delivered.deliveries[1].outcome, TradeState::delivered);
  EXPECT_EQ(delivered.deliveries[1].lots, Lots{5});
  EXPECT_EQ(delivered.deliveries[1].fee, Cash{80});
  EXPECT_EQ(delivered.fees_charged(), Cash{80});
  EXPECT_EQ(delivered.sold_proceeds_received(), Cash{40'000 - 80});
  EXPECT_TRUE(delivered.obligations_at_period_end.empty());
}

}  // namespace
}  // namespace ghx::ledger::testing
