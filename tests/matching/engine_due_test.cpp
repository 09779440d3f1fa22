// The engine's queue of what falls due (gate closures, delivery ends, good-till-time expiries,
// scheduled uncrosses) keeps entries of what ended early until their time. On a long run those
// pile up; when the queue is full they make room, whatever is pushed next, and what is left
// still happens when it should. Tiny limits make the queue fill in a few commands: it holds
// three entries per product and one per order, plus one.

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using ET = EventType;

class DueQueue : public EngineTest {
 protected:
  DueQueue() : EngineTest(tiny_limits()) {}
  static EngineConfig tiny_limits() {
    EngineConfig config = make_config();
    config.limits.products_max = 2;
    config.limits.orders_max = 2;  // room for 2 x 3 + 2 + 1 = 9 entries
    return config;
  }

  Command good_till(uint64_t client_id, int64_t expire_ns) {
    Command command = buy(1, client_id, 1800, 1);
    command.time_in_force = TimeInForce::good_till_time;
    command.expire_time = Timestamp{expire_ns};
    return command;
  }
};

// Orders good till a day later, each canceled at once: their expiries stay queued, and a
// listing made when the queue is full of them still goes through.
TEST_F(DueQueue, ExpiriesOfCanceledOrdersMakeRoomForAListing) {
  const ProductId first = list(h100_spec("2026-12-02T08"));  // two entries
  deposit(1, 1'000'000);
  for (uint64_t id = 1; id <= 7; ++id) {  // seven more: full
    ASSERT_EQ(run(good_till(id, now_ns_ + ns_per_hour * 24)).at(0).type, ET::accepted);
    ASSERT_EQ(run(cancel(1, id)).at(0).type, ET::canceled);
  }
  const ProductId second = list(h100_spec("2026-12-02T09"));
  EXPECT_NE(second, first);
  // What is left falls due as it should: an order good till an hour from now expires then.
  ASSERT_EQ(run(good_till(8, now_ns_ + ns_per_hour)).at(0).type, ET::accepted);
  now_ns_ += ns_per_hour;
  run(Command{});  // a tick
  EXPECT_EQ(of_type(ET::expired).size(), 1u);
}

// Call phases ended early by the operator leave their scheduled uncross queued; a call phase
// started when the queue is full of them still schedules its own, which then happens.
TEST_F(DueQueue, UncrossesOfCallPhasesEndedEarlyMakeRoomForAnother) {
  const ProductId product = list(h100_spec("2026-12-02T08"));
  const auto start = [&](int64_t uncross_ns) {
    Command command;
    command.type = CommandType::start_auction;
    command.product = product;
    command.expire_time = Timestamp{uncross_ns};
    ASSERT_EQ(run(command).at(0).type, ET::product_state);
  };
  Command uncross;
  uncross.type = CommandType::uncross_auction;
  uncross.product = product;
  for (int64_t k = 1; k <= 7; ++k) {  // two entries, then seven scheduled uncrosses: full
    start(now_ns_ + ns_per_hour * k);
    ASSERT_EQ(run(uncross).at(0).type, ET::product_state);
  }
  start(now_ns_ + ns_per_hour / 2);
  EXPECT_EQ(engine_.product_state(product), ProductState::auction);
  now_ns_ += ns_per_hour / 2;
  run(Command{});  // a tick: the scheduled uncross
  EXPECT_EQ(engine_.product_state(product), ProductState::trading);
}

}  // namespace
}  // namespace ghx::matching::testing
