// FlatMap: inserts, finds and erases against std::map, in a table small enough that probe runs
// collide and wrap around the end, so erase's backward shift is exercised in every shape.

#include "matching/flat_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <utility>

namespace ghx::matching {
namespace {

using Key = std::pair<uint32_t, uint64_t>;

TEST(FlatMap, RandomInsertsAndErasesMatchAStdMap) {
  constexpr uint32_t entries_max = 48;  // 128 slots
  FlatMap<int64_t> map(entries_max);
  std::map<Key, int64_t> model;
  std::mt19937_64 random(7);
  uint64_t erased = 0;
  uint64_t refused = 0;
  for (int step = 0; step < 200'000; ++step) {
    const Key key{static_cast<uint32_t>(random() % 4), random() % 40};
    const bool present = model.contains(key);
    if (random() % 2 == 0) {
      if (present) {
        ASSERT_EQ(*map.find(key.first, key.second), model[key]);
      } else if (model.size() < entries_max) {
        const int64_t value = static_cast<int64_t>(random() % 1000);
        int64_t* stored = map.insert(key.first, key.second, value);
        ASSERT_NE(stored, nullptr);
        ASSERT_EQ(*stored, value);
        model[key] = value;
      } else {
        ASSERT_EQ(map.insert(key.first, key.second, 1), nullptr);
        ++refused;
      }
    } else {
      ASSERT_EQ(map.erase(key.first, key.second), present) << "step " << step;
      if (present) {
        model.erase(key);
        ++erased;
      }
    }
    ASSERT_EQ(map.size(), model.size());
    if (step % 97 == 0) {
      // Every key of the model is found with its value, and nothing else is there.
      uint32_t visited = 0;
      map.for_each([&](uint32_t high, uint64_t low, int64_t value) {
        ++visited;
        const auto found = model.find({high, low});
        ASSERT_NE(found, model.end());
        EXPECT_EQ(found->second, value);
      });
      ASSERT_EQ(visited, model.size());
      for (const auto& [k, value] : model) {
        const int64_t* found = map.find(k.first, k.second);
        ASSERT_NE(found, nullptr) << "step " << step;
        ASSERT_EQ(*found, value);
      }
    }
  }
  EXPECT_GT(erased, 10'000u);
  EXPECT_GT(refused, 0u);  // the map was full at times, and erase made room again
}

TEST(FlatMap, EraseOfAnAbsentKeyChangesNothing) {
  FlatMap<int> map(8);
  ASSERT_NE(map.insert(1, 2, 3), nullptr);
  EXPECT_FALSE(map.erase(1, 3));
  EXPECT_FALSE(map.erase(2, 2));
  EXPECT_EQ(map.size(), 1u);
  EXPECT_TRUE(map.erase(1, 2));
  EXPECT_EQ(map.find(1, 2), nullptr);
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.full());
}

}  // namespace
}  // namespace ghx::matching
