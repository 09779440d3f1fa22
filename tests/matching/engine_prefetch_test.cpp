// Engine::prefetch is only a hint: an engine given every prefetch step (in the pipeline order a
// sequencer uses, and stale ones for commands whose orders are long gone) gives exactly the
// events and state of an engine given none. The book is made deep enough (over 16,384 live
// orders) that the later steps, which read the engine's tables, run too.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "tests/matching/engine_fixture.h"

namespace ghx::matching::testing {
namespace {

using Step = Engine::PrefetchStep;

constexpr uint32_t buyer = 1;
constexpr uint32_t seller = 2;
constexpr int deep_book_orders = 20'000;

EngineConfig deep_config() {
  EngineConfig config = EngineTest::make_config();
  config.limits.orders_max = 1 << 16;
  config.limits.client_ids_max = 1 << 18;
  return config;
}

Command setup_command(CommandType type, uint32_t participant) {
  Command command;
  command.type = type;
  command.participant = ParticipantId{participant};
  return command;
}

// The commands: listing, funds, a deep book of resting orders, then random new orders (some
// crossing), cancels, replaces and status requests of ids old and new, known and unknown.
std::vector<Command> deep_book_stream(uint64_t seed) {
  std::vector<Command> commands;
  Command listing = setup_command(CommandType::list_product, 0);
  listing.spec = h100_spec();
  commands.push_back(listing);
  Command deposit = setup_command(CommandType::deposit, buyer);
  deposit.amount = Cash{int64_t{1} << 50};
  commands.push_back(deposit);
  Command capacity = setup_command(CommandType::register_capacity, seller);
  capacity.product = ProductId{0};
  capacity.capacity = Quantity{1 << 24};
  commands.push_back(capacity);

  uint64_t next_id[3] = {1, 1, 1};
  for (int i = 0; i < deep_book_orders; ++i) {
    commands.push_back(EngineTest::buy(buyer, next_id[buyer]++, 1000 + i % 500, 1 + i % 3));
    commands.push_back(EngineTest::sell(seller, next_id[seller]++, 2000 + i % 500, 1 + i % 3));
  }
  std::mt19937_64 random(seed);
  auto pick = [&](uint64_t n) { return random() % n; };
  for (int i = 0; i < 60'000; ++i) {
    const uint32_t who = pick(2) == 0 ? buyer : seller;
    const uint64_t some_id = 1 + pick(next_id[who] + 10);  // now and then one never used
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:
        commands.push_back(EngineTest::cancel(who, some_id));
        break;
      case 3: {
        const int64_t price = who == buyer ? 1000 + int64_t(pick(500)) : 2000 + int64_t(pick(500));
        commands.push_back(EngineTest::replace(who, some_id, next_id[who]++, price, 1 + pick(3)));
        break;
      }
      case 4: {
        Command status = setup_command(CommandType::order_status, who);
        status.orig_client_order_id = ClientOrderId{some_id};
        commands.push_back(status);
        break;
      }
      default: {
        // Mostly resting; one in ten crosses into the other side.
        const bool crossing = pick(10) == 0;
        const int64_t price = who == buyer ? (crossing ? 2100 : 1000 + int64_t(pick(500)))
                                           : (crossing ? 1400 : 2000 + int64_t(pick(500)));
        commands.push_back(
            EngineTest::order(who, next_id[who]++, who == buyer ? Side::buy : Side::sell, price,
                              1 + pick(3)));
        break;
      }
    }
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    commands[i].sequence = SequenceNumber{i + 1};
    commands[i].timestamp = Timestamp{t0_ns + int64_t(i) * 1000};
  }
  return commands;
}

TEST(EnginePrefetch, PrefetchingChangesNoEventAndNoState) {
  const std::vector<Command> commands = deep_book_stream(7);
  Engine prefetching(deep_config());
  Engine plain(deep_config());
  std::vector<Event> with, without;
  uint32_t deepest_book = 0;
  for (size_t i = 0; i < commands.size(); ++i) {
    // The sequencer's pipeline: three commands ahead, two ahead, next.
    if (i + 3 < commands.size()) prefetching.prefetch(commands[i + 3], Step::blocks);
    if (i + 2 < commands.size()) prefetching.prefetch(commands[i + 2], Step::slots);
    if (i + 1 < commands.size()) prefetching.prefetch(commands[i + 1], Step::orders);
    // Stale hints: a command long done, at every step.
    if (i >= 1000) {
      for (const Step step : {Step::blocks, Step::slots, Step::orders}) {
        prefetching.prefetch(commands[i - 1000], step);
      }
    }
    with.clear();
    without.clear();
    prefetching.process(commands[i], with);
    plain.process(commands[i], without);
    ASSERT_EQ(with, without) << "command " << i + 1;
    deepest_book = std::max(deepest_book, plain.live_order_count());
  }
  EXPECT_EQ(prefetching.state_hash(), plain.state_hash());
  EXPECT_GT(deepest_book, 16'384u) << "the later prefetch steps never ran";
  EXPECT_GT(plain.live_order_count(), 16'384u);
}

}  // namespace
}  // namespace ghx::matching::testing
