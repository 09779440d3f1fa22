// Engine snapshots: a snapshot loaded into a fresh engine has the same state hash, and the two
// engines then give identical events for every further command. Damaged bytes are refused.

#include <gtest/gtest.h>

#include "tests/matching/command_generator.h"

namespace ghx::matching::testing {
namespace {

EngineConfig snapshot_config() {
  EngineConfig config = EngineTest::make_config();
  config.limits.products_max = 4096;
  config.limits.client_ids_max = 1 << 20;
  config.limits.capacity_accounts_max = 1 << 16;
  return config;
}

// Feeds `count` generated commands to every engine given, checking that they agree.
void feed(CommandGenerator& generator, uint64_t& sequence, int64_t& now_ns, uint64_t count,
          std::vector<Engine*> engines) {
  std::vector<Event> first, other;
  for (uint64_t i = 0; i < count; ++i) {
    now_ns += generator.time_step_ns();
    Command command = generator.next(now_ns, engines[0]->product_count());
    command.sequence = SequenceNumber{++sequence};
    command.timestamp = Timestamp{now_ns};
    first.clear();
    engines[0]->process(command, first);
    for (const Event& event : first) generator.observe(event);  // to fail real trades
    for (size_t e = 1; e < engines.size(); ++e) {
      other.clear();
      engines[e]->process(command, other);
      ASSERT_EQ(first, other) << "command " << sequence;
    }
  }
}

TEST(EngineSnapshot, LoadedEngineCarriesOnExactlyLikeTheOriginal) {
  const EngineConfig config = snapshot_config();
  for (const uint64_t seed : {1u, 2u, 3u}) {
    Engine original(config);
    CommandGenerator generator(seed);
    uint64_t sequence = 0;
    int64_t now_ns = t0_ns;
    feed(generator, sequence, now_ns, 60'000, {&original});
    std::vector<uint8_t> bytes;
    original.save(bytes);
    Engine restored(config);
    ASSERT_TRUE(restored.load(bytes)) << "seed " << seed;
    EXPECT_EQ(restored.state_hash(), original.state_hash()) << "seed " << seed;
    EXPECT_EQ(restored.live_order_count(), original.live_order_count());
    EXPECT_GT(original.live_order_count(), 0u);
    feed(generator, sequence, now_ns, 60'000, {&original, &restored});
    EXPECT_EQ(restored.state_hash(), original.state_hash()) << "seed " << seed;
    std::vector<uint8_t> again;
    restored.save(again);
    original.save(bytes);
    EXPECT_EQ(again, bytes);
  }
}

TEST(EngineSnapshot, DamagedSnapshotsAreRefused) {
  const EngineConfig config = snapshot_config();
  Engine original(config);
  CommandGenerator generator(9);
  uint64_t sequence = 0;
  int64_t now_ns = t0_ns;
  feed(generator, sequence, now_ns, 20'000, {&original});
  std::vector<uint8_t> bytes;
  original.save(bytes);
  for (const size_t cut : {size_t{0}, size_t{7}, bytes.size() / 3, bytes.size() / 2,
                           bytes.size() - 1}) {
    Engine restored(config);
    EXPECT_FALSE(restored.load(std::span(bytes.data(), cut))) << "cut at " << cut;
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(Engine(config).load(longer));
  std::vector<uint8_t> foreign = bytes;
  foreign[0] ^= 0xff;
  EXPECT_FALSE(Engine(config).load(foreign));
}

// save() walks many levels' queues at once: every level must still come out whole and in time
// priority, here with more levels than walks at a time and queues scattered over the pool.
class SnapshotQueues : public EngineTest {};

TEST_F(SnapshotQueues, EveryLevelKeepsItsQueueOrder) {
  const ProductId product = list(h100_spec());
  deposit(1, 1'000'000'000'000);
  register_capacity(2, product, 1'000'000);
  uint64_t id = 0;
  for (int round = 0; round < 12; ++round) {
    for (int64_t level = 0; level < 40; ++level) {
      run(buy(1, ++id, 1000 + (level * 7) % 40, 1 + round % 3));
      run(sell(2, ++id, 2000 + (level * 11) % 40, 1));
    }
    // Cancels free slots that later orders reuse, so queues jump about the pool.
    for (uint64_t old = id - 70; old < id; old += 3) run(cancel(old % 2 == 1 ? 1 : 2, old));
  }
  std::vector<uint8_t> bytes;
  engine_.save(bytes);
  Engine restored(make_config());
  ASSERT_TRUE(restored.load(bytes));
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  for (const Side side : {Side::buy, Side::sell}) {
    const std::vector<LevelView> levels = engine_.levels(product, side, 1000);
    ASSERT_GT(levels.size(), 20u) << "more levels than save() walks at once";
    for (const LevelView& level : levels) {
      const std::vector<OrderView> original = engine_.orders_at(product, side, level.price);
      const std::vector<OrderView> loaded = restored.orders_at(product, side, level.price);
      ASSERT_GT(original.size(), 3u);
      ASSERT_EQ(loaded.size(), original.size());
      for (size_t i = 0; i < original.size(); ++i) {
        EXPECT_EQ(loaded[i].order_id, original[i].order_id) << level.price.value << " #" << i;
        EXPECT_EQ(loaded[i].client_order_id, original[i].client_order_id);
        EXPECT_EQ(loaded[i].remaining, original[i].remaining);
      }
    }
  }
}

}  // namespace
}  // namespace ghx::matching::testing
