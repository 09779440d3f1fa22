// One command can end many orders at once (a mass cancel, a halt, a gate closure): each order
// it ends releases its hold in the ledger, and all of those commit with the command's journal
// entry, however many they are. Here each batch reserves room for 16 ledger operations, so a
// mass cancel of 300 orders needs some twenty times that: the batch grows, every order's
// release commits, the exchange goes on, and a restart finds the ledger as the engine left it.

#include <utility>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

using wire::ExecType;
using wire::OrderRejectReason;

constexpr uint64_t resting_orders = 300;

class LargeCommand : public Exchange {
 protected:
  void SetUp() override {
    batch_ops_reserved_ = 16;
    Exchange::SetUp();
  }

  int64_t held_cash(uint32_t participant) {
    return core_->ledger().snapshot().balance(
        ledger::cash_account({participant}, ledger::AccountKind::held));
  }
};

TEST_F(LargeCommand, AMassCancelOfMoreOrdersThanABatchReservesCommitsWhole) {
  fund_market();
  auto lab_a = logon("lab-a");
  for (uint64_t id = 1; id <= resting_orders; ++id) {
    ASSERT_EQ(send_order(*lab_a, order(id, wire::Side::Buy, 1000 + int64_t(id % 50), 1)),
              std::pair(ExecType::Accepted, OrderRejectReason::None))
        << id;
  }
  EXPECT_GT(held_cash(3), 0);

  ASSERT_EQ(lab_a->send(make_mass_cancel("")), ClientStatus::ok);
  for (uint64_t i = 0; i < resting_orders; ++i) {
    Received holder;
    const wire::ExecutionReport* canceled = report(*lab_a, holder);
    ASSERT_NE(canceled, nullptr) << i;
    EXPECT_EQ(canceled->exec_type(), ExecType::Canceled) << i;
    EXPECT_EQ(canceled->cancel_reason(), wire::CancelReason::Requested) << i;
  }
  EXPECT_FALSE(core_->failed());
  EXPECT_EQ(core_->engine().live_order_count(), 0u);
  EXPECT_EQ(held_cash(3), 0);
  expect_books_balance();

  // The exchange goes on taking orders.
  EXPECT_EQ(send_order(*lab_a, order(1000, wire::Side::Buy, 1000, 1)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));

  // The journal holds the mass cancel whole: a restart replays it to the same state, and the
  // ledger agrees with the engine (the core refuses to start otherwise).
  lab_a.reset();
  stop();
  const uint64_t hash = core_->engine().state_hash();
  restart();
  EXPECT_EQ(core_->engine().state_hash(), hash);
  EXPECT_EQ(core_->engine().live_order_count(), 1u);
  expect_books_balance();
}

// Its market data too: a book subscriber gets a BookDelta for every price level the command
// empties, all from one commit, and one that keeps reading gets every one of them, even when
// they are far more than its queue limit (shrunk here to 4 KiB, some 45 deltas): it is not a
// slow consumer.
class LargeCommandWithSmallQueues : public LargeCommand {
 protected:
  void SetUp() override {
    server_config_.outbound_bytes_max = 4 * 1024;
    LargeCommand::SetUp();
  }
};

TEST_F(LargeCommandWithSmallQueues, ABookSubscriberThatKeepsReadingGetsEveryChangeOfAMassCancel) {
  fund_market();
  auto lab_a = logon("lab-a");
  for (uint64_t id = 1; id <= resting_orders; ++id) {  // each at a price of its own
    ASSERT_EQ(send_order(*lab_a, order(id, wire::Side::Buy, 1000 + int64_t(id), 1)),
              std::pair(ExecType::Accepted, OrderRejectReason::None))
        << id;
  }
  auto watcher = logon("lab-b");
  const std::string symbols[] = {symbol_};
  ASSERT_EQ(watcher->send(make_subscribe(symbols, true, false)), ClientStatus::ok);
  const Received snapshot = watcher->receive_until(wire::Body::BookSnapshot);
  ASSERT_EQ(snapshot.status, ClientStatus::ok);
  ASSERT_EQ(snapshot.message().body_as_BookSnapshot()->bids()->size(), resting_orders);

  ASSERT_EQ(lab_a->send(make_mass_cancel("")), ClientStatus::ok);
  for (uint64_t i = 0; i < resting_orders; ++i) {
    const Received delta = watcher->receive_until(wire::Body::BookDelta);
    ASSERT_EQ(delta.status, ClientStatus::ok) << i;
    EXPECT_EQ(delta.message().body_as_BookDelta()->size(), 0) << i;
  }
  EXPECT_EQ(server_->counters().send_queue_overflows.load(), 0u);
  EXPECT_EQ(send_order(*watcher, order(1, wire::Side::Buy, 1000, 1)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
}

}  // namespace
}  // namespace ghx::gateway::test
