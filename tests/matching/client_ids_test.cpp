// ClientIds: known ids for ever, live ids with their pool slots, chunk reuse, restore from
// blocks. Checked against plain std containers.

#include "matching/client_ids.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace ghx::matching {
namespace {

using Key = std::pair<uint32_t, uint64_t>;  // (participant, client order id)

TEST(ClientIds, IncreasingIdsAreKnownForEverAndLiveUntilRetired) {
  ClientIds ids(1 << 12, 1 << 12);
  for (uint64_t id = 1; id <= 1000; ++id) {
    ASSERT_FALSE(ids.known(3, id));
    ids.add(3, id, static_cast<uint32_t>(id * 10));
  }
  for (uint64_t id = 1; id <= 1000; id += 2) ids.retire(3, id);
  for (uint64_t id = 1; id <= 1000; ++id) {
    EXPECT_TRUE(ids.known(3, id)) << id;
    EXPECT_FALSE(ids.known(4, id)) << "another participant's id " << id;
    EXPECT_EQ(ids.live_slot(3, id), id % 2 == 1 ? UINT32_MAX : id * 10) << id;
    EXPECT_EQ(ids.live_slot(4, id), UINT32_MAX) << id;
  }
  // 1000 ids in blocks of 64: ids 1..1000 span blocks 0..15.
  EXPECT_EQ(ids.blocks_used(), 16u);
}

// Every live order may sit in a block of its own: each then needs a chunk, and there are as
// many chunks as live orders allowed. Chunks freed by retired orders serve new blocks.
TEST(ClientIds, ScatteredIdsEachTakeAChunkAndFreedChunksAreReused) {
  constexpr uint32_t live_max = 512;
  ClientIds ids(4 * live_max, live_max);
  for (uint32_t round = 0; round < 3; ++round) {
    for (uint32_t i = 0; i < live_max; ++i) {
      const uint64_t id = (uint64_t{round} * live_max + i) * 64 + 17;
      ASSERT_FALSE(ids.known(0, id));
      ids.add(0, id, i);
    }
    for (uint32_t i = 0; i < live_max; ++i) {
      const uint64_t id = (uint64_t{round} * live_max + i) * 64 + 17;
      ASSERT_EQ(ids.live_slot(0, id), i);
      ids.retire(0, id);
      ASSERT_EQ(ids.live_slot(0, id), UINT32_MAX);
    }
  }
  EXPECT_EQ(ids.blocks_used(), 3 * live_max);
  EXPECT_FALSE(ids.full());
}

TEST(ClientIds, FullWhenEveryBlockIsTaken) {
  ClientIds ids(4, 16);
  for (uint64_t block = 0; block < 4; ++block) {
    ASSERT_FALSE(ids.full());
    ids.add(1, block * 64, static_cast<uint32_t>(block));
  }
  EXPECT_TRUE(ids.full());
  // Ids of blocks already held still fit: full() only warns that a new block might not.
  ids.add(1, 5, 9);
  EXPECT_EQ(ids.live_slot(1, 5), 9u);
  EXPECT_EQ(ids.blocks_used(), 4u);
}

// Random adds, retires and lookups of clustered and scattered ids of several participants,
// against a std::set of known ids and a std::map of live ones; then the blocks and live ids are
// copied into a fresh table, which must answer the same and have the same digest.
TEST(ClientIds, MatchesAModelUnderRandomUseAndRestoresFromBlocks) {
  constexpr uint32_t live_max = 2000;
  ClientIds ids(1 << 16, live_max);
  std::set<Key> known;
  std::map<Key, uint32_t> live;
  std::mt19937_64 rng(20261129);
  auto random_id = [&](uint32_t participant) -> uint64_t {
    switch (rng() % 3) {
      case 0:  return rng() % 300;                            // a dense cluster
      case 1:  return 1'000'000 * (participant + 1) + rng() % 5000;  // a wider one
      default: return rng();                                  // anywhere in 64 bits
    }
  };
  std::vector<Key> live_keys;  // the keys of `live`, to pick one at random
  uint32_t next_slot = 0;
  for (int step = 0; step < 200'000; ++step) {
    const uint32_t participant = static_cast<uint32_t>(rng() % 5);
    const uint64_t id = random_id(participant);
    const Key key{participant, id};
    ASSERT_EQ(ids.known(participant, id), known.count(key) == 1) << step;
    const auto found = live.find(key);
    ASSERT_EQ(ids.live_slot(participant, id), found == live.end() ? UINT32_MAX : found->second)
        << step;
    if (!live_keys.empty() && (rng() % 100 < 20 || live.size() == live_max)) {
      const size_t pick = rng() % live_keys.size();
      const Key gone = live_keys[pick];
      ASSERT_EQ(ids.live_slot(gone.first, gone.second), live.at(gone)) << step;
      ids.retire(gone.first, gone.second);
      ASSERT_EQ(ids.live_slot(gone.first, gone.second), UINT32_MAX) << step;
      ASSERT_TRUE(ids.known(gone.first, gone.second)) << step;
      live.erase(gone);
      live_keys[pick] = live_keys.back();
      live_keys.pop_back();
    } else if (known.count(key) == 0 && !ids.full()) {
      ids.add(participant, id, next_slot);
      known.insert(key);
      live.emplace(key, next_slot++);
      live_keys.push_back(key);
    }
  }
  ASSERT_GT(live.size(), 100u) << "blocks used " << ids.blocks_used() << ", known " << known.size();

  ClientIds copy(1 << 16, live_max);
  ids.for_each_block([&](uint32_t participant, uint64_t first_id, uint64_t bits) {
    ASSERT_TRUE(copy.restore_block(participant, first_id, bits));
  });
  for (const auto& [key, slot] : live) copy.add_live(key.first, key.second, slot);
  EXPECT_EQ(copy.digest(), ids.digest());
  EXPECT_EQ(copy.blocks_used(), ids.blocks_used());
  for (const Key& key : known) {
    ASSERT_TRUE(copy.known(key.first, key.second));
    const auto found = live.find(key);
    ASSERT_EQ(copy.live_slot(key.first, key.second),
              found == live.end() ? UINT32_MAX : found->second);
  }
}

TEST(ClientIds, RestoreRefusesMalformedAndRepeatedBlocks) {
  ClientIds ids(8, 8);
  EXPECT_FALSE(ids.restore_block(0, 65, 1)) << "first id not a multiple of 64";
  EXPECT_FALSE(ids.restore_block(0, 64, 0)) << "no ids in the block";
  EXPECT_TRUE(ids.restore_block(0, 64, 0b101));
  EXPECT_FALSE(ids.restore_block(0, 64, 0b10)) << "the same block twice";
  EXPECT_TRUE(ids.known(0, 64));
  EXPECT_FALSE(ids.known(0, 65));
  EXPECT_TRUE(ids.known(0, 66));
  EXPECT_EQ(ids.live_slot(0, 64), UINT32_MAX) << "restored ids are done until add_live";
}

}  // namespace
}  // namespace ghx::matching
