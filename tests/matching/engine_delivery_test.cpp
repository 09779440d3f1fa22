// Delivery and failed trades: sellers' proceeds are paid at delivery end; fail_trade refunds the
// buyer, penalises the seller (up to its cash) and takes the trade out of the seller's proceeds.
// Amounts are worked out by hand: a lot is 8 GPUs for 1 hour, fees 10 bps floored, penalty
// 1000 bps floored.

#include <optional>

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;

// Three trades of one product, before its gate closes:
//   trade 1: seller 4 -> buyer 1, 2 lots at 1850: notional 29,600, fee 29, seller nets 29,571
//   trade 2: seller 3 -> buyer 1, 1 lot at 1900: notional 15,200, fee 15, seller nets 15,185
//   trade 3: seller 4 -> buyer 2, 3 lots at 1850: notional 44,400, fee 44, seller nets 44,356
// Seller 5 registered capacity and sold nothing.
class Delivery : public EngineTest {
 protected:
  static constexpr int64_t buyer_1_cash = 1'000'000 - (29'600 + 29) - (15'200 + 15);  // 955,156
  static constexpr int64_t buyer_2_cash = 1'000'000 - (44'400 + 44);                  // 955,556
  static constexpr int64_t seller_4_proceeds = 29'571 + 44'356;                       // 73,927
  static constexpr int64_t seller_3_proceeds = 15'185;

  void SetUp() override {
    product_ = list(h100_spec());
    deposit(1, 1'000'000);
    deposit(2, 1'000'000);
    // Not in participant order: proceeds are still paid in participant order.
    for (uint32_t seller : {5u, 4u, 3u}) register_capacity(seller, product_, 10);
    trade(4, 1, 1, 1, 1850, 2, 1);
    trade(3, 1, 1, 2, 1900, 1, 2);
    trade(4, 2, 2, 1, 1850, 3, 3);
    ASSERT_EQ(engine_.account(ParticipantId{1}).available.value, buyer_1_cash);
    ASSERT_EQ(engine_.account(ParticipantId{2}).available.value, buyer_2_cash);
  }

  // The seller's ask rests, then the buyer's bid takes it in full: one fill.
  void trade(uint32_t seller, uint64_t seller_id, uint32_t buyer, uint64_t buyer_id, int64_t price,
             int64_t lots, uint64_t expected_trade_id) {
    run(sell(seller, seller_id, price, lots));
    run(buy(buyer, buyer_id, price, lots));
    const auto fills = of_type(ET::fill);
    ASSERT_EQ(fills.size(), 1u);
    ASSERT_EQ(fills[0].trade_id.value, expected_trade_id);
  }

  // A failure of the whole trade (all its lots, as SetUp made it), unless `failing` says fewer.
  Command fail(uint32_t seller, uint32_t buyer, uint64_t trade_id, int64_t notional, int64_t fee,
               std::optional<ProductId> product = std::nullopt,
               std::optional<int64_t> failing = std::nullopt) const {
    Command command;
    command.type = CommandType::fail_trade;
    command.participant = ParticipantId{seller};
    command.counterparty = ParticipantId{buyer};
    command.product = product.value_or(product_);
    command.trade_id = TradeId{trade_id};
    command.amount = Cash{notional};
    command.fee = Cash{fee};
    const int64_t lots = trade_id == 1 ? 2 : trade_id == 3 ? 3 : 1;
    command.capacity = Quantity{lots};
    command.quantity = Quantity{failing.value_or(lots)};
    return command;
  }

  // Trade 3 (3 lots), `failing` of its lots.
  Command fail_trade_3(int64_t failing) const {
    return fail(4, 2, 3, 44'400, 44, std::nullopt, failing);
  }

  const Event& withdraw(uint32_t participant, int64_t amount) {
    Command command;
    command.type = CommandType::withdraw;
    command.participant = ParticipantId{participant};
    command.amount = Cash{amount};
    return run(command).at(0);
  }

  // A tick at the product's delivery end (its gate closes first, if it has not yet).
  const std::vector<Event>& deliver() {
    now_ns_ = h100_spec().delivery_end().ns;
    return run(Command{});
  }

  int64_t cash(uint32_t participant) const {
    return engine_.account(ParticipantId{participant}).available.value;
  }
  int64_t proceeds(uint32_t seller) const {
    return engine_.capacity(ParticipantId{seller}, product_).proceeds.value;
  }

  ProductId product_;
};

// The same failure, stating the trade has `lots` lots (29,600 is not a whole sum per lot of 3).
Command with_lots(Command command, int64_t lots) {
  command.capacity = Quantity{lots};
  return command;
}

void expect_paid(const Event& event, uint32_t seller, ProductId product, int64_t paid,
                 int64_t available_after) {
  EXPECT_EQ(event.type, ET::proceeds_paid);
  EXPECT_EQ(event.participant.value, seller);
  EXPECT_EQ(event.product, product);
  EXPECT_EQ(event.notional.value, paid);
  EXPECT_EQ(event.available_cash.value, available_after);
  EXPECT_EQ(event.held_cash.value, 0);
}

TEST_F(Delivery, ProceedsArePaidAtDeliveryEndInParticipantOrderAndNotBefore) {
  EXPECT_EQ(proceeds(4), seller_4_proceeds);
  EXPECT_EQ(proceeds(3), seller_3_proceeds);
  EXPECT_EQ(proceeds(5), 0);
  EXPECT_EQ(cash(4), 0);
  EXPECT_EQ(withdraw(4, 1).reject_reason, RejectReason::insufficient_cash);
  deposit(3, 500);

  now_ns_ = h100_spec().delivery_start().ns - gate_closure_lead_default_ns;
  run(Command{});
  ASSERT_EQ(types(), (std::vector{ET::product_state}));
  EXPECT_EQ(withdraw(4, 1).reject_reason, RejectReason::insufficient_cash);  // still not paid

  deliver();
  ASSERT_EQ(types(), (std::vector{ET::proceeds_paid, ET::proceeds_paid, ET::product_state}));
  expect_paid(events_[0], 3, product_, seller_3_proceeds, 500 + seller_3_proceeds);
  expect_paid(events_[1], 4, product_, seller_4_proceeds, seller_4_proceeds);
  EXPECT_EQ(events_[2].product_state, ProductState::delivered);
  EXPECT_EQ(proceeds(4), 0);  // the capacity account is gone
  EXPECT_EQ(cash(1), buyer_1_cash);

  EXPECT_EQ(withdraw(4, seller_4_proceeds + 1).reject_reason, RejectReason::insufficient_cash);
  const Event& paid_out = withdraw(4, seller_4_proceeds);
  EXPECT_EQ(paid_out.type, ET::balance);
  EXPECT_EQ(paid_out.available_cash.value, 0);
}

TEST_F(Delivery, FailedTradeRefundsTheBuyerAndTakesPenaltyAndProceedsFromTheSeller) {
  deposit(4, 100'000);
  run(fail(4, 1, 1, 29'600, 29));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  const Event& failed = events_[0];
  EXPECT_EQ(failed.participant.value, 4u);
  EXPECT_EQ(failed.counterparty.value, 1u);
  EXPECT_EQ(failed.product, product_);
  EXPECT_EQ(failed.trade_id.value, 1u);
  EXPECT_EQ(failed.notional.value, 29'600);
  EXPECT_EQ(failed.seller_fee.value, 29);
  EXPECT_EQ(failed.penalty.value, 2'960);             // 10 % of 29,600
  EXPECT_EQ(cash(1), buyer_1_cash + 29'600 + 2'960);  // the buyer's fee stays paid
  EXPECT_EQ(cash(4), 100'000 - 2'960);
  EXPECT_EQ(proceeds(4), seller_4_proceeds - 29'571);
  EXPECT_EQ(proceeds(3), seller_3_proceeds);

  deliver();
  ASSERT_EQ(types(), (std::vector{ET::product_state, ET::proceeds_paid, ET::proceeds_paid,
                                  ET::product_state}));
  expect_paid(events_[1], 3, product_, seller_3_proceeds, seller_3_proceeds);
  expect_paid(events_[2], 4, product_, 44'356, 100'000 - 2'960 + 44'356);

  // The refund is the buyer's cash like any other.
  const Event& paid_out = withdraw(1, buyer_1_cash + 29'600 + 2'960);
  EXPECT_EQ(paid_out.type, ET::balance);
  EXPECT_EQ(paid_out.available_cash.value, 0);
}

TEST_F(Delivery, PenaltyIsCappedAtTheSellersAvailableCash) {
  deposit(4, 3'000);
  run(buy(4, 10, 100, 1));  // holds 800 (fee 0): 2,200 stays available
  ASSERT_EQ(events_.at(0).type, ET::accepted);
  run(fail(4, 2, 3, 44'400, 44));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].penalty.value, 2'200);  // not 4,440, and never the held cash
  EXPECT_EQ(cash(4), 0);
  EXPECT_EQ(engine_.account(ParticipantId{4}).held.value, 800);
  EXPECT_EQ(cash(2), buyer_2_cash + 44'400 + 2'200);
  EXPECT_EQ(proceeds(4), 29'571);

  // Seller 3 has no cash at all: the buyer gets its notional back and no penalty.
  run(fail(3, 1, 2, 15'200, 15));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].penalty.value, 0);
  EXPECT_EQ(cash(3), 0);
  EXPECT_EQ(cash(1), buyer_1_cash + 15'200);
  EXPECT_EQ(proceeds(3), 0);
}

TEST_F(Delivery, SellerNamedAsItsOwnBuyerPaysNoPenalty) {
  deposit(4, 5'000);
  run(fail(4, 4, 1, 29'600, 29));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].penalty.value, 0);
  EXPECT_EQ(cash(4), 5'000 + 29'600);
  EXPECT_EQ(proceeds(4), seller_4_proceeds - 29'571);
}

TEST_F(Delivery, BadFailTradeIsRejectedWithTheFirstReasonThatApplies) {
  const ProductId other = list(h100_spec("2026-12-02T08"));  // nobody sells it
  const ProductId unknown{9};
  const int64_t amount_max = engine_.config().limits.amount_max;
  struct Case {
    Command command;
    RejectReason reason;
  };
  const std::vector<Case> cases = {
      {fail(64, 1, 1, 29'600, 29), RejectReason::unknown_participant},  // participants_max 64
      {fail(4, 64, 1, 29'600, 29), RejectReason::unknown_participant},
      {fail(64, 1, 0, 0, 29, unknown), RejectReason::unknown_participant},
      {fail(4, 1, 1, 29'600, 29, unknown), RejectReason::unknown_product},
      {fail(4, 1, 0, 0, 29, unknown), RejectReason::unknown_product},
      {fail(4, 1, 1, 0, 0), RejectReason::invalid_amount},
      {fail(4, 1, 1, -29'600, 29), RejectReason::invalid_amount},
      {fail(4, 1, 1, amount_max + 1, amount_max + 1 - 29'571), RejectReason::invalid_amount},
      {fail(4, 1, 1, 29'600, -1), RejectReason::invalid_amount},
      {fail(4, 1, 1, 29'600, 29'601), RejectReason::invalid_amount},
      {fail(4, 1, 0, 29'600, 29), RejectReason::invalid_amount},
      {fail(4, 1, 4, 29'600, 29), RejectReason::invalid_amount},  // trade 4 does not exist yet
      {fail(6, 1, 4, 29'600, 29), RejectReason::invalid_amount},
      {fail(4, 1, 1, 29'600, 29, std::nullopt, 0), RejectReason::invalid_quantity},
      {fail(4, 1, 1, 29'600, 29, std::nullopt, 3), RejectReason::invalid_quantity},  // 2 lots
      {with_lots(fail(4, 1, 1, 29'600, 29), 0), RejectReason::invalid_quantity},
      {with_lots(fail(4, 1, 1, 29'600, 29, std::nullopt, 1), 3), RejectReason::invalid_quantity},
      {fail(6, 1, 1, 29'600, 29), RejectReason::trade_not_open},  // no capacity account
      {fail(5, 1, 1, 29'600, 29), RejectReason::trade_not_open},  // an account, no proceeds
      {fail(3, 1, 2, 15'201, 15), RejectReason::trade_not_open},  // 15,186 > 15,185 proceeds
      {fail(4, 1, 1, 29'600, 29, other), RejectReason::trade_not_open},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Command& command = cases[i].command;
    run(command);
    ASSERT_EQ(types(), (std::vector{ET::rejected})) << "case " << i;
    EXPECT_EQ(events_[0].reject_reason, cases[i].reason)
        << "case " << i << " gave " << to_string(events_[0].reject_reason);
    EXPECT_EQ(events_[0].participant, command.participant) << "case " << i;
    EXPECT_EQ(events_[0].product, command.product) << "case " << i;
  }
  EXPECT_EQ(cash(1), buyer_1_cash);
  EXPECT_EQ(cash(4), 0);
  EXPECT_EQ(proceeds(4), seller_4_proceeds);
  EXPECT_EQ(proceeds(3), seller_3_proceeds);

  run(fail(3, 1, 2, 15'200, 15));  // exactly what its proceeds hold
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(proceeds(3), 0);

  deliver();  // once delivered, the trade was paid: it cannot fail any more
  ASSERT_EQ(types(), (std::vector{ET::product_state, ET::proceeds_paid, ET::product_state}));
  expect_paid(events_[1], 4, product_, seller_4_proceeds, seller_4_proceeds);
  run(fail(4, 1, 1, 29'600, 29));
  ASSERT_EQ(types(), (std::vector{ET::rejected}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::trade_not_open);
  EXPECT_EQ(cash(1), buyer_1_cash + 15'200);
  EXPECT_EQ(cash(4), seller_4_proceeds);
}

// The facts come from the ledger, but the engine does not trust them to keep its sums small:
// like a deposit, a refund (plus a penalty of at most as much) must leave the buyer's cash
// within 4 x amount_max.
TEST_F(Delivery, ARefundThatCouldOverflowTheBuyersCashIsRefused) {
  const int64_t amount_max = engine_.config().limits.amount_max;
  for (int i = 0; i < 3; ++i) deposit(2, amount_max);
  deposit(2, amount_max - buyer_2_cash - 50'000);
  ASSERT_EQ(cash(2), 4 * amount_max - 50'000);
  run(fail(4, 2, 3, 44'400, 44));  // 4 x amount_max - 2 x 44,400 < its cash
  ASSERT_EQ(types(), (std::vector{ET::rejected}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::invalid_amount);
  EXPECT_EQ(cash(2), 4 * amount_max - 50'000);
  EXPECT_EQ(proceeds(4), seller_4_proceeds);
  run(fail(4, 1, 1, 29'600, 29));  // another buyer's refund fits
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
}

TEST_F(Delivery, TradeFailsOnlyOnce) {
  deposit(4, 100'000);
  run(fail(4, 1, 1, 29'600, 29));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  run(fail(4, 1, 1, 29'600, 29));
  ASSERT_EQ(types(), (std::vector{ET::rejected}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::trade_not_open);
  // Nor under another seller's name, though seller 3's proceeds would cover it.
  run(fail(3, 1, 1, 15'200, 15));
  ASSERT_EQ(types(), (std::vector{ET::rejected}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::trade_not_open);
  EXPECT_EQ(cash(1), buyer_1_cash + 29'600 + 2'960);
  EXPECT_EQ(cash(4), 100'000 - 2'960);
  EXPECT_EQ(proceeds(4), seller_4_proceeds - 29'571);
  EXPECT_EQ(proceeds(3), seller_3_proceeds);

  run(fail(3, 1, 2, 15'200, 15));  // another trade of the same product still can
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
}

// Trade 3 is 3 lots (notional 44,400, seller fee 44): each failed lot refunds 14,800, and the
// seller's fee still due falls to floor(44 x open lots / 3): 29, 14, then 0.
TEST_F(Delivery, TradeFailsLotByLotUntilNoneAreLeft) {
  deposit(4, 100'000);
  run(fail_trade_3(1));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].quantity.value, 1);
  EXPECT_EQ(events_[0].remaining.value, 2);
  EXPECT_EQ(events_[0].notional.value, 14'800);
  EXPECT_EQ(events_[0].seller_fee.value, 44 - 29);
  EXPECT_EQ(events_[0].penalty.value, 1'480);
  EXPECT_EQ(cash(2), buyer_2_cash + 14'800 + 1'480);
  EXPECT_EQ(cash(4), 100'000 - 1'480);
  EXPECT_EQ(proceeds(4), seller_4_proceeds - (14'800 - 15));

  // More lots than are open, or another lot count than the first failure stated: refused.
  for (const Command& command : {fail_trade_3(3), with_lots(fail_trade_3(1), 6)}) {
    run(command);
    ASSERT_EQ(types(), (std::vector{ET::rejected}));
    EXPECT_EQ(events_[0].reject_reason, RejectReason::invalid_quantity);
  }

  run(fail_trade_3(1));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].remaining.value, 1);
  EXPECT_EQ(events_[0].seller_fee.value, 29 - 14);
  run(fail_trade_3(1));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].remaining.value, 0);
  EXPECT_EQ(events_[0].seller_fee.value, 14);  // the three failures took the whole fee
  EXPECT_EQ(proceeds(4), 29'571);              // trade 1's, as if trade 3 had never been
  EXPECT_EQ(cash(2), buyer_2_cash + 44'400 + 3 * 1'480);

  run(fail_trade_3(1));
  ASSERT_EQ(types(), (std::vector{ET::rejected}));
  EXPECT_EQ(events_[0].reject_reason, RejectReason::trade_not_open);
}

// The lots that did not fail are paid at delivery end: notional less the fee still due.
TEST_F(Delivery, PartlyFailedTradePaysItsDeliveredLots) {
  run(fail_trade_3(2));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  EXPECT_EQ(events_[0].notional.value, 29'600);
  EXPECT_EQ(events_[0].seller_fee.value, 44 - 14);
  EXPECT_EQ(events_[0].penalty.value, 0);  // seller 4 has no cash
  deliver();
  ASSERT_EQ(types(), (std::vector{ET::product_state, ET::proceeds_paid, ET::proceeds_paid,
                                  ET::product_state}));
  expect_paid(events_[2], 4, product_, 29'571 + 14'800 - 14, 29'571 + 14'800 - 14);
  EXPECT_EQ(cash(2), buyer_2_cash + 29'600);
}

TEST_F(Delivery, SnapshotKeepsProceedsAndFailedTrades) {
  deposit(4, 100'000);
  run(fail(4, 1, 1, 29'600, 29));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  run(fail_trade_3(2));
  ASSERT_EQ(types(), (std::vector{ET::trade_failed}));
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(make_config());
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  EXPECT_EQ(restored.capacity(ParticipantId{4}, product_).proceeds.value, 14'800 - 14);
  EXPECT_EQ(restored.capacity(ParticipantId{3}, product_).proceeds.value, seller_3_proceeds);

  // The same commands to both: the failed trade and the failed lots are remembered, the other
  // trade fails, and the rest of seller 4's proceeds are paid at delivery end.
  const std::vector<std::pair<Command, int64_t>> later = {
      {fail(4, 1, 1, 29'600, 29), now_ns_},
      {fail_trade_3(2), now_ns_},
      {fail(3, 1, 2, 15'200, 15), now_ns_},
      {Command{}, h100_spec().delivery_end().ns},
  };
  std::vector<Event> original_events, restored_events;
  for (auto [engine, events] :
       {std::pair{&engine_, &original_events}, std::pair{&restored, &restored_events}}) {
    uint64_t sequence = sequence_;
    for (auto [command, time_ns] : later) {
      command.sequence = SequenceNumber{++sequence};
      command.timestamp = Timestamp{time_ns};
      engine->process(command, *events);
    }
  }
  EXPECT_EQ(restored_events, original_events);
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  ASSERT_EQ(original_events.size(), 6u);
  EXPECT_EQ(original_events[0].reject_reason, RejectReason::trade_not_open);
  EXPECT_EQ(original_events[1].reject_reason, RejectReason::invalid_quantity);  // 1 lot open
  EXPECT_EQ(original_events[2].type, ET::trade_failed);
  EXPECT_EQ(original_events[2].penalty.value, 0);  // seller 3 has no cash
  EXPECT_EQ(original_events[3].product_state, ProductState::gate_closed);
  const int64_t seller_4_cash = 100'000 - 2'960 - 2'960;  // two penalties of 10 % of 29,600
  expect_paid(original_events[4], 4, product_, 14'800 - 14, seller_4_cash + 14'800 - 14);
  EXPECT_EQ(original_events[5].product_state, ProductState::delivered);
  EXPECT_EQ(restored.account(ParticipantId{1}).available.value,
            buyer_1_cash + 29'600 + 2'960 + 15'200);
}

}  // namespace
}  // namespace ghx::matching::testing
