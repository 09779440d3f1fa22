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
constexpr uint32_t participants_max = 64;

TEST(ClientIds, IncreasingIdsAreKnownForEverAndLiveUntilRetired) {
  ClientIds ids(1 << 12, 1 << 12, participants_max);
  std::map<uint64_t, uint32_t> block_of;
  for (uint64_t id = 1; id <= 1000; ++id) {
    ASSERT_FALSE(ids.known(3, id));
    block_of[id] = ids.add(3, id, static_cast<uint32_t>(id * 10));
  }
  for (uint64_t id = 1; id <= 1000; id += 2) ids.retire(block_of[id], id);
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
  ClientIds ids(4 * live_max, live_max, participants_max);
  for (uint32_t round = 0; round < 3; ++round) {
    std::vector<uint32_t> blocks;
    for (uint32_t i = 0; i < live_max; ++i) {
      const uint64_t id = (uint64_t{round} * live_max + i) * 64 + 17;
      ASSERT_FALSE(ids.known(0, id));
      blocks.push_back(ids.add(0, id, i));
    }
    for (uint32_t i = 0; i < live_max; ++i) {
      const uint64_t id = (uint64_t{round} * live_max + i) * 64 + 17;
      ASSERT_EQ(ids.live_slot(0, id), i);
      ids.retire(blocks[i], id);
      ASSERT_EQ(ids.live_slot(0, id), UINT32_MAX);
    }
  }
  EXPECT_EQ(ids.blocks_used(), 3 * live_max);
  EXPECT_FALSE(ids.full());
}

TEST(ClientIds, FullWhenEveryBlockIsTaken) {
  ClientIds ids(4, 16, participants_max);
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
  ClientIds ids(1 << 16, live_max, participants_max);
  std::set<Key> known;
  std::map<Key, uint32_t> live;
  std::map<Key, uint32_t> block_of;  // of each live key, as add() returned it
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
      ids.retire(block_of.at(gone), gone.second);
      ASSERT_EQ(ids.live_slot(gone.first, gone.second), UINT32_MAX) << step;
      ASSERT_TRUE(ids.known(gone.first, gone.second)) << step;
      live.erase(gone);
      block_of.erase(gone);
      live_keys[pick] = live_keys.back();
      live_keys.pop_back();
    } else if (known.count(key) == 0 && !ids.full()) {
      block_of[key] = ids.add(participant, id, next_slot);
      known.insert(key);
      live.emplace(key, next_slot++);
      live_keys.push_back(key);
    }
  }
  ASSERT_GT(live.size(), 100u) << "blocks used " << ids.blocks_used() << ", known " << known.size();

  ClientIds copy(1 << 16, live_max, participants_max);
  ids.for_each_block([&](uint32_t participant, uint64_t first_id, uint64_t bits) {
    ASSERT_TRUE(copy.restore_block(participant, first_id, bits));
  });
  std::map<Key, uint32_t> copy_block_of;
  for (const auto& [key, slot] : live) {
    copy_block_of[key] = copy.add_live(key.first, key.second, slot);
  }
  EXPECT_EQ(copy.digest(), ids.digest());
  EXPECT_EQ(copy.blocks_used(), ids.blocks_used());
  for (const Key& key : known) {
    ASSERT_TRUE(copy.known(key.first, key.second));
    const auto found = live.find(key);
    ASSERT_EQ(copy.live_slot(key.first, key.second),
              found == live.end() ? UINT32_MAX : found->second);
  }
  // add_live() told where each live id is: retiring there ends it.
  for (const auto& [key, block] : copy_block_of) {
    copy.retire(block, key.second);
    ASSERT_EQ(copy.live_slot(key.first, key.second), UINT32_MAX);
    ASSERT_TRUE(copy.known(key.first, key.second));
  }
}

// A full table forgets the ids no live order names: each participant's ids up to the highest
// it used stay known through its floor, live ids keep their slots, and the table takes new
// blocks again.
TEST(ClientIds, AFullTableForgetsDoneIdsButNotThatTheyWereUsed) {
  ClientIds ids(8, 8, participants_max);
  std::map<uint64_t, uint32_t> block_of;  // participant 1's ids
  // Participant 1: ids 1..200 (blocks 0..3), of which 70 and 190 stay live.
  for (uint64_t id = 1; id <= 200; ++id) {
    block_of[id] = ids.add(1, id, static_cast<uint32_t>(id));
  }
  for (uint64_t id = 1; id <= 200; ++id) {
    if (id != 70 && id != 190) ids.retire(block_of[id], id);
  }
  // Participant 2: scattered ids 5000 and 9000, both done; participant 3: id 64, live.
  const uint32_t block_9000 = ids.add(2, 9000, 1);
  const uint32_t block_5000 = ids.add(2, 5000, 2);
  ids.retire(block_9000, 9000);
  ids.retire(block_5000, 5000);
  ids.add(3, 64, 3);
  ASSERT_EQ(ids.blocks_used(), 7u);
  ids.retire(ids.add(3, 200, 4), 200);
  ASSERT_TRUE(ids.full());

  ASSERT_TRUE(ids.forget_done_ids());
  // The kept blocks may have moved: for_each_live() names each live id's slot and new block.
  std::map<uint32_t, uint32_t> block_of_slot;
  ids.for_each_live([&](uint32_t slot, uint32_t block) {
    EXPECT_TRUE(block_of_slot.emplace(slot, block).second) << "slot " << slot << " twice";
  });
  EXPECT_EQ(block_of_slot.size(), 3u) << "the slots of 70, 190 and participant 3's 64";
  ASSERT_EQ(block_of_slot.count(70), 1u);
  EXPECT_EQ(ids.blocks_used(), 3u) << "the blocks of 70, 190 and participant 3's 64";
  EXPECT_FALSE(ids.full());
  EXPECT_EQ(ids.live_slot(1, 70), 70u);
  EXPECT_EQ(ids.live_slot(1, 190), 190u);
  EXPECT_EQ(ids.live_slot(3, 64), 3u);
  for (uint64_t id = 1; id <= 200; ++id) EXPECT_TRUE(ids.known(1, id)) << id;
  EXPECT_FALSE(ids.known(1, 201));
  // Under the floor counts as used, even an id never sent: 9000 was participant 2's highest.
  EXPECT_TRUE(ids.known(2, 5000));
  EXPECT_TRUE(ids.known(2, 7777));
  EXPECT_TRUE(ids.known(2, 9000));
  EXPECT_FALSE(ids.known(2, 9001));
  EXPECT_TRUE(ids.known(3, 200));
  EXPECT_FALSE(ids.known(3, 201));
  EXPECT_FALSE(ids.known(4, 1)) << "a participant that used no id has no floor";

  // Retiring and adding go on as before, in kept blocks and new ones.
  ids.retire(block_of_slot.at(70), 70);
  EXPECT_EQ(ids.live_slot(1, 70), UINT32_MAX);
  EXPECT_TRUE(ids.known(1, 70));
  ids.add(1, 201, 6);
  ids.add(2, 9001, 7);
  EXPECT_EQ(ids.live_slot(1, 201), 6u);
  EXPECT_EQ(ids.live_slot(2, 9001), 7u);

  // Blocks and floors give the same table (and digest) to a fresh one.
  ClientIds copy(8, 8, participants_max);
  ids.for_each_block([&](uint32_t participant, uint64_t first_id, uint64_t bits) {
    ASSERT_TRUE(copy.restore_block(participant, first_id, bits));
  });
  uint32_t floors = 0;
  ids.for_each_floor([&](uint32_t participant, uint64_t floor) {
    ++floors;
    ASSERT_TRUE(copy.restore_floor(participant, floor));
  });
  EXPECT_EQ(floors, 3u);
  EXPECT_EQ(copy.digest(), ids.digest());
  EXPECT_TRUE(copy.known(2, 7777));
  EXPECT_FALSE(copy.known(2, 9002));
  EXPECT_FALSE(copy.restore_floor(2, 5)) << "a floor already set";
  EXPECT_FALSE(copy.restore_floor(participants_max, 5)) << "no such participant";
  EXPECT_FALSE(copy.restore_floor(5, 0)) << "a zero floor is no floor";
}

// The highest id there is stays known when its block is forgotten: its floor cannot be one
// above it, and must not wrap to no floor (a resend would then trade a second time).
TEST(ClientIds, TheHighestIdThereIsStaysKnownAfterItsBlockIsForgotten) {
  ClientIds ids(2, 8, participants_max);
  ids.retire(ids.add(1, UINT64_MAX, 0), UINT64_MAX);
  ids.retire(ids.add(1, 5, 1), 5);
  ASSERT_TRUE(ids.full());
  ASSERT_TRUE(ids.forget_done_ids());
  EXPECT_TRUE(ids.known(1, UINT64_MAX));
  EXPECT_TRUE(ids.known(1, UINT64_MAX - 64));
  EXPECT_TRUE(ids.known(1, 5));
  EXPECT_FALSE(ids.known(2, UINT64_MAX));
  ClientIds copy(2, 8, participants_max);
  ids.for_each_floor([&](uint32_t participant, uint64_t floor) {
    ASSERT_TRUE(copy.restore_floor(participant, floor));
  });
  EXPECT_TRUE(copy.known(1, UINT64_MAX));
}

TEST(ClientIds, ATableOfLiveBlocksOnlyCannotForget) {
  ClientIds ids(2, 8, participants_max);
  ids.add(1, 1, 0);
  ids.add(1, 100, 1);
  ASSERT_TRUE(ids.full());
  const uint64_t digest = ids.digest();
  EXPECT_FALSE(ids.forget_done_ids());
  EXPECT_TRUE(ids.full());
  EXPECT_EQ(ids.digest(), digest);
  EXPECT_FALSE(ids.known(1, 50)) << "nothing was forgotten, so no floor";
}

TEST(ClientIds, RestoreRefusesMalformedAndRepeatedBlocks) {
  ClientIds ids(8, 8, participants_max);
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
