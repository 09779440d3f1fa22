// Cash, capacity, fills, delivery and delivery failure: the movements each one makes.
#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

class LedgerSettlement : public ::testing::Test {
 protected:
  void SetUp() override {
    fund_market(ledger_, Lots{6});
    expect_check_passes(ledger_);
  }
  Result commit(Batch& b) {
    const Result r = ledger_.commit(b);
    expect_check_passes(ledger_);
    return r;
  }
  Result commit_one(Result (*add)(Batch&)) {
    Batch b;
    EXPECT_EQ(add(b), Result::ok);
    EXPECT_EQ(commit(b), Result::ok);
    return b.result(0);
  }
  TempDir tmp_;
  Ledger ledger_{tmp_.sub("l")};
};

TEST_F(LedgerSettlement, DepositAndHoldMoveCashBetweenAccounts) {
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::available), 500'000);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::held), 500'000);
  EXPECT_EQ(ledger_.balance(external_account(Asset::cash())), -1'003'000);
  EXPECT_EQ(capacity(ledger_, seller_x, h100, AccountKind::available), 4);
  EXPECT_EQ(capacity(ledger_, seller_x, h100, AccountKind::held), 6);
}

TEST_F(LedgerSettlement, FillMovesHeldCashToEscrowFeeAndRefundAndCapacityToBuyer) {
  Batch b;
  const Fill f = make_fill(1, h100, buyer_a, seller_x, 1850, 4, /*extra_hold=*/100);
  ASSERT_EQ(b.settle_fill(f), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(0), Result::ok);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::escrow), 59'200);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::held), 500'000 - 59'200 - 59 - 100);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::available), 500'100);
  EXPECT_EQ(ledger_.balance(fee_account()), 59);
  EXPECT_EQ(capacity(ledger_, seller_x, h100, AccountKind::held), 2);
  EXPECT_EQ(capacity(ledger_, buyer_a, h100, AccountKind::received), 4);
}

TEST_F(LedgerSettlement, DeliveryPaysTheSellerLessFeeAndConsumesCapacity) {
  Batch b;
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 1850, 4)), Result::ok);
  ASSERT_EQ(b.deliver(h100, Timestamp{t0.ns + 3 * ns_per_hour}), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(1), Result::ok);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::escrow), 0);
  EXPECT_EQ(cash(ledger_, seller_x, AccountKind::available), 3'000 + 59'200 - 118);
  EXPECT_EQ(ledger_.balance(fee_account()), 59 + 118);
  EXPECT_EQ(capacity(ledger_, buyer_a, h100, AccountKind::received), 0);
  EXPECT_EQ(ledger_.snapshot().trade(TradeId{1})->state, TradeState::delivered);
}

TEST_F(LedgerSettlement, DeliveryBeforeTheWindowEndsIsRejected) {
  Batch b;
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 1850, 4)), Result::ok);
  ASSERT_EQ(b.deliver(h100, Timestamp{t0.ns + 3 * ns_per_hour - 1}), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(1), Result::delivery_window_open);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::escrow), 59'200);
}

TEST_F(LedgerSettlement, DeliveryFailureRefundsBuyerWithPenaltyCappedAtSellersCash) {
  Batch b;
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 1850, 4)), Result::ok);
  ASSERT_EQ(b.delivery_failure(TradeId{1}, Lots{4}, Lots{0}, Timestamp{t0.ns + ns_per_hour}),
            Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(1), Result::ok);
  // 10 % of 59'200 is 5'920, but the seller has only 3'000.
  EXPECT_EQ(cash(ledger_, seller_x, AccountKind::available), 0);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::available), 500'000 + 59'200 + 3'000);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::escrow), 0);
  EXPECT_EQ(capacity(ledger_, buyer_a, h100, AccountKind::received), 0);
}

TEST_F(LedgerSettlement, DeliveryFailureBySellerFailsOnlyThatSellersTrades) {
  Batch b;
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 100, 1)), Result::ok);
  ASSERT_EQ(b.delivery_failure(h100, seller_x, t0), Result::ok);
  ASSERT_EQ(b.delivery_failure(h100, seller_y, t0), Result::ok);
  ASSERT_EQ(b.deliver(h100, Timestamp{t0.ns + 3 * ns_per_hour}), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(1), Result::ok);
  EXPECT_EQ(b.result(2), Result::not_found);
  EXPECT_EQ(ledger_.snapshot().trade(TradeId{1})->state, TradeState::failed);
  // penalty 80 of notional 800
  EXPECT_EQ(cash(ledger_, seller_x, AccountKind::available), 3'000 - 80);
}

TEST_F(LedgerSettlement, FailureOfADeliveredTradeIsRejected) {
  Batch b;
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 100, 1)), Result::ok);
  ASSERT_EQ(b.deliver(h100, Timestamp{t0.ns + 3 * ns_per_hour}), Result::ok);
  ASSERT_EQ(b.delivery_failure(TradeId{1}, Lots{1}, Lots{0}, t0), Result::ok);
  ASSERT_EQ(b.delivery_failure(TradeId{99}, Lots{1}, Lots{0}, t0), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(2), Result::trade_not_open);
  EXPECT_EQ(b.result(3), Result::unknown_trade);
}

TEST_F(LedgerSettlement, OperationsThatWouldOverdrawAreRejectedAndWriteNothing) {
  Batch b;
  ASSERT_EQ(b.withdraw(buyer_a, Cash{500'001}, t0), Result::ok);
  ASSERT_EQ(b.hold_cash(buyer_a, Cash{500'001}, t0), Result::ok);
  ASSERT_EQ(b.release_cash(buyer_a, Cash{500'001}, t0), Result::ok);
  ASSERT_EQ(b.hold_capacity(seller_x, h100, Lots{5}, t0), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 1850, 7)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(2, h100, buyer_a, seller_x, 100'000, 6)), Result::ok);
  ASSERT_EQ(b.withdraw(buyer_a, Cash{500'000}, t0), Result::ok);
  const uint64_t transfers_before = ledger_.snapshot().transfer_count();
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(0), Result::insufficient_cash);
  EXPECT_EQ(b.result(1), Result::insufficient_cash);
  EXPECT_EQ(b.result(2), Result::insufficient_cash);
  EXPECT_EQ(b.result(3), Result::insufficient_capacity);
  EXPECT_EQ(b.result(4), Result::insufficient_capacity);
  EXPECT_EQ(b.result(5), Result::insufficient_cash);
  EXPECT_EQ(b.result(6), Result::ok);
  EXPECT_EQ(ledger_.snapshot().transfer_count(), transfers_before + 1);
  EXPECT_FALSE(ledger_.snapshot().trade(TradeId{1}).has_value());
}

TEST_F(LedgerSettlement, FillsWithWrongNotionalRolesOrUnknownIdsAreRejected) {
  Fill wrong = make_fill(1, h100, buyer_a, seller_x, 1850, 1);
  wrong.notional.value += 1;
  Batch b;
  ASSERT_EQ(b.settle_fill(wrong), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(2, h100, seller_x, seller_x, 10, 1)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(3, ProductId{77}, buyer_a, seller_x, 10, 1)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(4, h100, ParticipantId{99}, seller_x, 10, 1)), Result::ok);
  ASSERT_EQ(b.deposit(ParticipantId{99}, Cash{5}, t0), Result::ok);
  ASSERT_EQ(b.register_capacity(buyer_a, h100, Lots{1}, t0), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(0), Result::notional_mismatch);
  EXPECT_EQ(b.result(1), Result::missing_role);
  EXPECT_EQ(b.result(2), Result::unknown_product);
  EXPECT_EQ(b.result(3), Result::unknown_participant);
  EXPECT_EQ(b.result(4), Result::unknown_participant);
  EXPECT_EQ(b.result(5), Result::missing_role);
}

TEST(LedgerBatch, NonPositiveAmountsAndBadArgumentsAreRefusedWhenAdded) {
  Batch b(2, 8);
  EXPECT_EQ(b.deposit(buyer_a, Cash{0}, t0), Result::invalid_amount);
  EXPECT_EQ(b.hold_cash(buyer_a, Cash{-5}, t0), Result::invalid_amount);
  EXPECT_EQ(b.upsert_participant(buyer_a, "", role_buyer), Result::invalid_argument);
  EXPECT_EQ(b.list_product(h100, "X", 0, 1, t0, t0), Result::invalid_argument);
  EXPECT_EQ(b.journal(SequenceNumber{0}, {}), Result::invalid_argument);
  EXPECT_TRUE(b.empty());
}

// Operations a batch requires (what the engine already decided) are all written or none: one
// refused, the commit writes nothing, the journal entry included, and says so. Refusals of
// operations not required are their answers, and the rest commits.
TEST_F(LedgerSettlement, ARequiredOperationRefusedWritesNothing) {
  const std::vector<uint8_t> command(10, 1);
  Batch b;
  ASSERT_EQ(b.journal(SequenceNumber{1}, command), Result::ok);
  ASSERT_EQ(b.release_cash(buyer_a, Cash{100}, t0), Result::ok);
  ASSERT_EQ(b.release_cash(buyer_a, Cash{10'000'000}, t0), Result::ok);  // held: 500,000
  b.require_from(0);
  EXPECT_EQ(commit(b), Result::required_operation_refused);
  EXPECT_EQ(b.first_refused_required(), std::optional<size_t>{2});
  EXPECT_EQ(b.result(2), Result::insufficient_cash);
  EXPECT_EQ(ledger_.last_applied_sequence().value, 0u);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::held), 500'000);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::available), 500'000);

  b.clear();
  ASSERT_EQ(b.journal(SequenceNumber{1}, command), Result::ok);
  b.require_from(0);  // the journal entry
  ASSERT_EQ(b.release_cash(buyer_a, Cash{100}, t0), Result::ok);
  ASSERT_EQ(b.release_cash(buyer_a, Cash{10'000'000}, t0), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(b.result(1), Result::ok);
  EXPECT_EQ(b.result(2), Result::insufficient_cash);
  EXPECT_EQ(ledger_.last_applied_sequence().value, 1u);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::held), 500'000 - 100);
}

// A command's operations commit together however many there are: a batch grows past its
// reserve (here 2 operations and 8 bytes) rather than refuse one, every operation commits, and
// clear() gives the grown storage back.
TEST_F(LedgerSettlement, ABatchGrowsPastItsReserveForOneLargeCommand) {
  Batch b(2, 8);
  const std::vector<uint8_t> command(100, 7);  // a journaled command of 100 bytes
  ASSERT_EQ(b.journal(SequenceNumber{1}, command), Result::ok);
  constexpr int64_t releases = 1000;  // of 500 each: the whole of buyer_a's 500,000 held
  for (int64_t i = 0; i < releases; ++i) {
    ASSERT_EQ(b.release_cash(buyer_a, Cash{500}, t0), Result::ok) << i;
  }
  EXPECT_EQ(b.size(), 1u + releases);
  ASSERT_EQ(commit(b), Result::ok);
  for (size_t i = 0; i < b.size(); ++i) EXPECT_EQ(b.result(i), Result::ok) << i;
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::held), 0);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::available), 1'000'000);
  b.clear();
  EXPECT_TRUE(b.empty());
  ASSERT_EQ(b.journal(SequenceNumber{2}, command), Result::ok);
  ASSERT_EQ(b.hold_cash(buyer_a, Cash{1}, t0), Result::ok);
  ASSERT_EQ(commit(b), Result::ok);
  EXPECT_EQ(cash(ledger_, buyer_a, AccountKind::held), 1);
}

}  // namespace
}  // namespace ghx::ledger::testing
