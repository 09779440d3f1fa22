// Trading halts: the operator stops trading in one product and resumes it. While halted, new
// orders and replaces are refused, cancels work, and the gate still closes on time. A halt may
// also cancel every resting order, releasing their holds.

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;

// A bid of buyer 1 (2 lots at 1850: holds 29,600 + fee 29) and an ask of seller 2 (3 lots at
// 1900, of 10 registered) rest in product 0.
class TradingHalt : public EngineTest {
 protected:
  static constexpr int64_t bid_hold = 29'600 + 29;

  void SetUp() override {
    product_ = list(h100_spec());
    deposit(1, 100'000);
    register_capacity(2, product_, 10);
    ASSERT_EQ(run(buy(1, 11, 1850, 2)).at(0).type, ET::accepted);
    ASSERT_EQ(run(sell(2, 21, 1900, 3)).at(0).type, ET::accepted);
  }

  static Command halt(ProductId product, bool cancel_orders = false) {
    Command command;
    command.type = CommandType::halt_product;
    command.product = product;
    command.cancel_orders = cancel_orders;
    return command;
  }
  static Command resume(ProductId product) {
    Command command;
    command.type = CommandType::resume_product;
    command.product = product;
    return command;
  }

  void expect_state_event(ProductState state) {
    ASSERT_FALSE(events_.empty());
    EXPECT_EQ(events_.at(0).type, ET::product_state);
    EXPECT_EQ(events_.at(0).product, product_);
    EXPECT_EQ(events_.at(0).product_state, state);
    EXPECT_EQ(engine_.product_state(product_), state);
  }

  ProductId product_;
};

TEST_F(TradingHalt, RefusesNewOrdersAndReplacesButKeepsTheBook) {
  run(halt(product_));
  expect_state_event(ProductState::halted);
  EXPECT_EQ(events_.size(), 1u);  // the resting orders stay
  EXPECT_EQ(rejected_with(sell(2, 22, 1850, 1)), RejectReason::product_halted);
  EXPECT_EQ(rejected_with(buy(1, 12, 1900, 1)), RejectReason::product_halted);
  EXPECT_EQ(rejected_with(replace(1, 11, 13, 1850, 1)), RejectReason::product_halted);
  EXPECT_EQ(book(Side::buy), (std::vector<std::pair<int64_t, int64_t>>{{1850, 2}}));
  EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1900, 3}}));
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, bid_hold);
  EXPECT_EQ(engine_.live_order_count(), 2u);
}

TEST_F(TradingHalt, AResentOrderIsStillADuplicateAndLearnsItsOriginalsStatus) {
  // The reply to order 11 was lost; the product halted since. The resend must not read as a
  // refusal of the original: it is a duplicate, with the original's status (live, 2 lots).
  run(halt(product_));
  const auto& events = run(buy(1, 11, 1850, 2));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reject_reason, RejectReason::duplicate_client_order_id);
  EXPECT_EQ(events[1].type, ET::order_status);
  EXPECT_EQ(events[1].status, OrderStatus::live);
  EXPECT_EQ(events[1].remaining.value, 2);
}

TEST_F(TradingHalt, CancelsAndMassCancelsStillWork) {
  run(halt(product_));
  run(cancel(1, 11));
  ASSERT_EQ(types(), (std::vector<ET>{ET::canceled, ET::book_level}));
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  Command mass;
  mass.type = CommandType::mass_cancel;
  mass.participant = ParticipantId{2};
  run(mass);
  EXPECT_EQ(of_type(ET::canceled).size(), 1u);
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).held.value, 0);
  EXPECT_EQ(engine_.live_order_count(), 0u);
}

TEST_F(TradingHalt, ResumeReturnsToTradingAndOrdersMatchAgain) {
  run(halt(product_));
  run(resume(product_));
  expect_state_event(ProductState::trading);
  EXPECT_EQ(events_.size(), 1u);
  run(buy(1, 12, 1900, 1));
  const auto fills = of_type(ET::fill);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].price.value, 1900);
  EXPECT_EQ(fills[0].maker_participant.value, 2u);
}

TEST_F(TradingHalt, HaltWithCancelOrdersEmptiesTheBookAndReleasesHolds) {
  run(halt(product_, true));
  ASSERT_EQ(types(), (std::vector<ET>{ET::product_state, ET::canceled, ET::canceled, ET::book_level,
                                      ET::book_level}));
  expect_state_event(ProductState::halted);
  for (const Event& canceled : of_type(ET::canceled)) {
    EXPECT_EQ(canceled.cancel_reason, CancelReason::product_halted);
  }
  EXPECT_EQ(of_type(ET::canceled).at(0).client_order_id.value, 11u);  // bids first
  EXPECT_EQ(of_type(ET::canceled).at(1).quantity.value, 3);
  for (const Event& level : of_type(ET::book_level)) EXPECT_EQ(level.quantity.value, 0);
  EXPECT_TRUE(book(Side::buy).empty());
  EXPECT_TRUE(book(Side::sell).empty());
  EXPECT_EQ(engine_.account(ParticipantId{1}).available.value, 100'000);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).available.value, 10);
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).held.value, 0);
  EXPECT_EQ(rejected_with(cancel(1, 11)), RejectReason::unknown_order);
}

TEST_F(TradingHalt, HaltAndResumeInTheWrongStateAreRefused) {
  EXPECT_EQ(rejected_with(resume(product_)), RejectReason::product_not_halted);
  EXPECT_EQ(rejected_with(halt(ProductId{7})), RejectReason::unknown_product);
  EXPECT_EQ(rejected_with(resume(ProductId{7})), RejectReason::unknown_product);
  run(halt(product_));
  EXPECT_EQ(rejected_with(halt(product_, true)), RejectReason::product_halted);
  EXPECT_EQ(engine_.live_order_count(), 2u);  // the refused halt canceled nothing
  const uint64_t halted_hash = engine_.state_hash();
  run(resume(product_));
  EXPECT_NE(engine_.state_hash(), halted_hash);
}

TEST_F(TradingHalt, RegistrationsAreTakenWhileHalted) {
  run(halt(product_));
  register_capacity(2, product_, 5);
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).available.value, 7 + 5);
}

TEST_F(TradingHalt, TheGateClosesOnTimeWhileHalted) {
  run(halt(product_));
  now_ns_ = t0_ns + 8 * 3600 * ns_per_second - gate_closure_lead_default_ns;
  Command tick;
  run(tick);
  ASSERT_EQ(of_type(ET::expired).size(), 2u);
  EXPECT_EQ(of_type(ET::expired).at(0).expire_reason, ExpireReason::gate_closure);
  EXPECT_EQ(events_.back().type, ET::product_state);
  EXPECT_EQ(events_.back().product_state, ProductState::gate_closed);
  EXPECT_EQ(engine_.account(ParticipantId{1}).held.value, 0);
  EXPECT_EQ(rejected_with(resume(product_)), RejectReason::product_not_halted);
  EXPECT_EQ(rejected_with(halt(product_)), RejectReason::product_not_trading);
  EXPECT_EQ(rejected_with(buy(1, 12, 1850, 1)), RejectReason::product_not_trading);
}

TEST_F(TradingHalt, OtherProductsTradeOn) {
  const ProductId other = list(h100_spec("2026-12-01T09"));
  register_capacity(2, other, 4);
  run(halt(product_));
  ASSERT_EQ(run(order(2, 31, Side::sell, 1800, 1, other)).at(0).type, ET::accepted);
  run(order(1, 12, Side::buy, 1800, 1, other));
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
}

TEST_F(TradingHalt, ASnapshotKeepsTheProductHalted) {
  run(halt(product_));
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(make_config());
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  EXPECT_EQ(restored.product_state(product_), ProductState::halted);
  std::vector<Event> events;
  Command command = buy(1, 12, 1900, 1);
  command.sequence = SequenceNumber{++sequence_};
  command.timestamp = Timestamp{now_ns_};
  restored.process(command, events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reject_reason, RejectReason::product_halted);
  // The gate closure the restored engine scheduled for the halted product still comes.
  command = Command{};
  command.sequence = SequenceNumber{++sequence_};
  command.timestamp = Timestamp{t0_ns + 8 * 3600 * ns_per_second};
  events.clear();
  restored.process(command, events);
  EXPECT_EQ(restored.product_state(product_), ProductState::gate_closed);
  EXPECT_EQ(restored.live_order_count(), 0u);
}

}  // namespace
}  // namespace ghx::matching::testing
