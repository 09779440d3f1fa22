// BookSide: levels found, inserted and erased at random against std::map, at prices that share
// the recent-level slots many times over, with a pool small enough that released levels are
// soon taken again for other prices (so that a slot that outlived its price would name a level
// that now belongs to another) and is often full (a price refused a level must not be
// remembered). Ticks of 1, 64 and 100, the last two with and without the side knowing them.

#include "matching/order_book.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>

namespace ghx::matching {
namespace {

constexpr uint32_t levels_max = 96;
constexpr int64_t ticks_in_range = 400;  // each recent slot is shared by six or seven prices

class BookSideModel {
 public:
  BookSideModel(Side side, int64_t tick, bool side_knows_tick)
      : side_(side), tick_(tick), book_(side), levels_(levels_max) {
    if (side_knows_tick) book_.set_tick_size(tick);
  }

  // Every price of the range (and around it, off the tick too): find() answers as the model
  // does, and the levels are in order.
  void check_all() {
    for (int64_t price = -1; price <= (ticks_in_range + 1) * tick_; ++price) {
      const auto found = model_.find(price);
      ASSERT_EQ(book_.find(Price{price}), found == model_.end() ? no_index : found->second)
          << "price " << price;
    }
    ASSERT_EQ(book_.level_count(), model_.size());
    size_t depth = 0;
    auto check = [&](int64_t price, uint32_t level) {
      ASSERT_EQ(book_.level_at(depth), level) << "depth " << depth;
      ASSERT_EQ(levels_[level].price.value, price);
      ++depth;
    };
    if (side_ == Side::buy) {
      for (auto it = model_.rbegin(); it != model_.rend(); ++it) check(it->first, it->second);
    } else {
      for (const auto& [price, level] : model_) check(price, level);
    }
  }

  // Finds the price's level, or makes one (as a resting order does): none when the pool is
  // out, and the price stays absent.
  void rest_at(int64_t price) {
    const auto found = model_.find(price);
    const uint32_t level = book_.find_or_insert(Price{price}, levels_);
    if (found == model_.end() && levels_.full() && level == no_index) {
      ASSERT_EQ(book_.find(Price{price}), no_index);
      return;
    }
    ASSERT_NE(level, no_index);
    if (found != model_.end()) {
      ASSERT_EQ(level, found->second) << "price " << price;
    } else {
      ASSERT_EQ(levels_[level].price.value, price);
      model_[price] = level;
    }
    ++levels_[level].orders;
  }

  // The price's level empties and goes back to the pool, as book_remove does.
  void empty_level(int64_t price) {
    const auto found = model_.find(price);
    if (found == model_.end()) return;
    levels_[found->second].orders = 0;
    book_.erase(Price{price});
    levels_.release(found->second);
    model_.erase(found);
  }

  // Many levels empty at once and are erased in one pass (a mass cancel).
  void empty_levels_in_bulk(std::mt19937_64& random) {
    std::map<int64_t, uint32_t> kept;
    for (const auto& [price, level] : model_) {
      if (random() % 3 == 0) {
        levels_[level].orders = 0;
        levels_.release(level);
      } else {
        kept[price] = level;
      }
    }
    book_.erase_levels_without_orders(levels_);
    model_ = kept;
  }

 private:
  Side side_;
  int64_t tick_;
  BookSide book_;
  LevelPool levels_;
  std::map<int64_t, uint32_t> model_;  // price -> level
};

void run_random_steps(Side side, uint64_t seed, int64_t tick = 1, bool side_knows_tick = true) {
  BookSideModel book(side, tick, side_knows_tick);
  std::mt19937_64 random(seed);
  for (int step = 0; step < 100'000; ++step) {
    const auto price = static_cast<int64_t>(1 + random() % ticks_in_range) * tick;
    const uint64_t what = random() % 100;
    if (what < 55) {
      book.rest_at(price);
    } else if (what < 99) {
      book.empty_level(price);
    } else {
      book.empty_levels_in_bulk(random);
    }
    if (step % 1000 == 0) book.check_all();
    if (::testing::Test::HasFatalFailure()) return;
  }
  book.check_all();
}

TEST(BookSide, BidsMatchAStdMapWhenPricesShareRecentSlots) { run_random_steps(Side::buy, 3); }

TEST(BookSide, AsksMatchAStdMapWhenPricesShareRecentSlots) { run_random_steps(Side::sell, 4); }

TEST(BookSide, TicksWithFactorsOfTwoMatchAStdMap) {
  for (const int64_t tick : {64, 100}) {
    for (const bool side_knows_tick : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "tick " << tick << ", known " << side_knows_tick);
      run_random_steps(Side::buy, 5, tick, side_knows_tick);
      run_random_steps(Side::sell, 6, tick, side_knows_tick);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(BookSide, ReleasedMemoryFindsNothing) {
  BookSide book(Side::buy);
  LevelPool levels(8);
  const uint32_t level = book.find_or_insert(Price{64}, levels);
  ASSERT_EQ(book.find(Price{64}), level);
  book.erase(Price{64});
  levels.release(level);
  book.release_memory();
  EXPECT_EQ(book.find(Price{64}), no_index);
  EXPECT_EQ(book.find(Price{0}), no_index);
}

}  // namespace
}  // namespace ghx::matching
