// The operator's kill switch: a suspended participant's orders are canceled at once and its
// new orders refused until it is reinstated; other participants trade on.

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;

// Participant 1 rests two bids in product 0 and one in product 1; participant 2 rests an ask
// in product 0 (of 10 registered lots).
class Suspension : public EngineTest {
 protected:
  void SetUp() override {
    product_ = list(h100_spec());
    other_ = list(h100_spec("2026-12-01T09"));
    deposit(1, 200'000);
    register_capacity(2, product_, 10);
    ASSERT_EQ(run(buy(1, 11, 1850, 2)).at(0).type, ET::accepted);
    ASSERT_EQ(run(order(1, 12, Side::buy, 1800, 1, other_)).at(0).type, ET::accepted);
    ASSERT_EQ(run(buy(1, 13, 1840, 1)).at(0).type, ET::accepted);
    ASSERT_EQ(run(sell(2, 21, 1900, 3)).at(0).type, ET::accepted);
  }

  static Command suspension(uint32_t participant, bool suspend = true) {
    Command command;
    command.type = suspend ? CommandType::suspend_participant : CommandType::reinstate_participant;
    command.participant = ParticipantId{participant};
    return command;
  }

  ProductId product_;
  ProductId other_;
};

TEST_F(Suspension, AResentOrderOrBlockIsADuplicateWithItsStatusNotASuspension) {
  // Its replies were lost; it was suspended since. A resend learns what became of the original
  // (canceled by the suspension: done), as any duplicate does.
  run(suspension(1));
  for (Command resend : {buy(1, 11, 1850, 2), buy(1, 13, 1840, 1)}) {
    if (resend.client_order_id.value == 13) {
      resend.type = CommandType::new_block_order;
      resend.windows = 2;
    }
    run(resend);
    ASSERT_EQ(types(), (std::vector<ET>{ET::rejected, ET::order_status}));
    EXPECT_EQ(events_[0].reject_reason, RejectReason::duplicate_client_order_id);
    EXPECT_EQ(events_[1].status, OrderStatus::done);
  }
  // A new id is refused for the suspension.
  EXPECT_EQ(rejected_with(buy(1, 14, 1850, 1)), RejectReason::participant_suspended);
}

TEST_F(Suspension, CancelsEveryOrderOfTheParticipantOldestFirst) {
  run(suspension(1));
  ASSERT_GE(events_.size(), 4u);
  EXPECT_EQ(events_.at(0).type, ET::participant_state);
  EXPECT_EQ(events_.at(0).participant.value, 1u);
  EXPECT_TRUE(events_.at(0).suspended);
  const auto canceled = of_type(ET::canceled);
  ASSERT_EQ(canceled.size(), 3u);
  EXPECT_EQ(canceled[0].client_order_id.value, 11u);
  EXPECT_EQ(canceled[1].client_order_id.value, 12u);
  EXPECT_EQ(canceled[2].client_order_id.value, 13u);
  for (const Event& event : canceled) {
    EXPECT_EQ(event.cancel_reason, CancelReason::participant_suspended);
  }
  EXPECT_EQ(of_type(ET::book_level).size(), 3u);  // two levels of product 0, one of product 1
  EXPECT_TRUE(book(Side::buy).empty());
  EXPECT_TRUE(book(Side::buy, other_).empty());
  EXPECT_EQ(book(Side::sell), (std::vector<std::pair<int64_t, int64_t>>{{1900, 3}}));
  const AccountView account = engine_.account(ParticipantId{1});
  EXPECT_TRUE(account.suspended);
  EXPECT_EQ(account.available.value, 200'000);
  EXPECT_EQ(account.held.value, 0);
}

TEST_F(Suspension, RefusesNewOrdersUntilReinstated) {
  run(suspension(1));
  EXPECT_EQ(rejected_with(buy(1, 14, 1900, 1)), RejectReason::participant_suspended);
  EXPECT_EQ(rejected_with(replace(1, 11, 15, 1850, 1)), RejectReason::unknown_order);
  EXPECT_EQ(engine_.live_order_count(), 1u);
  run(suspension(1, false));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_.at(0).type, ET::participant_state);
  EXPECT_FALSE(events_.at(0).suspended);
  EXPECT_FALSE(engine_.account(ParticipantId{1}).suspended);
  run(buy(1, 14, 1900, 1));
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
}

TEST_F(Suspension, FundsAndRegistrationsStillGoThrough) {
  run(suspension(2));
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).held.value, 0);
  register_capacity(2, product_, 5);
  deposit(2, 1'000);
  EXPECT_EQ(engine_.capacity(ParticipantId{2}, product_).available.value, 15);
  EXPECT_EQ(rejected_with(sell(2, 22, 1900, 1)), RejectReason::participant_suspended);
}

TEST_F(Suspension, OthersTradeOn) {
  run(suspension(1));
  deposit(3, 100'000);
  run(buy(3, 31, 1900, 1));
  EXPECT_EQ(of_type(ET::fill).size(), 1u);
}

TEST_F(Suspension, WrongStateAndUnknownParticipantAreRefused) {
  EXPECT_EQ(rejected_with(suspension(1, false)), RejectReason::participant_not_suspended);
  EXPECT_EQ(rejected_with(suspension(64)), RejectReason::unknown_participant);
  EXPECT_EQ(rejected_with(suspension(64, false)), RejectReason::unknown_participant);
  const uint64_t before = engine_.state_hash();
  run(suspension(3));  // no orders, no money: the flag alone changes the state
  EXPECT_NE(engine_.state_hash(), before);
  EXPECT_EQ(rejected_with(suspension(3)), RejectReason::participant_suspended);
}

TEST_F(Suspension, ASnapshotKeepsTheParticipantSuspended) {
  run(suspension(1));
  run(suspension(3));  // one without money: kept all the same
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(make_config());
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  EXPECT_TRUE(restored.account(ParticipantId{1}).suspended);
  EXPECT_TRUE(restored.account(ParticipantId{3}).suspended);
  EXPECT_FALSE(restored.account(ParticipantId{2}).suspended);
  std::vector<Event> events;
  Command command = order(3, 31, Side::buy, 1900, 1, product_);
  command.sequence = SequenceNumber{++sequence_};
  command.timestamp = Timestamp{now_ns_};
  restored.process(command, events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reject_reason, RejectReason::participant_suspended);
}

}  // namespace
}  // namespace ghx::matching::testing
