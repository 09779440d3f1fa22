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

}  // namespace
}  // namespace ghx::matching::testing
