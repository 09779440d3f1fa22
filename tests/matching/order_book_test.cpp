// BookSide: levels found, inserted and erased at random against std::map, at prices that share
// the recent-level slots (price modulo 64) many times over, with a pool small enough that
// released levels are soon taken again for other prices, so that a slot that outlived its
// price would name a level that now belongs to another.

#include "matching/order_book.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>

namespace ghx::matching {
namespace {

constexpr uint32_t levels_max = 96;
constexpr int64_t price_range = 400;  // each recent slot is shared by six or seven prices

class BookSideModel {
 public:
  explicit BookSideModel(Side side) : side_(side), book_(side), levels_(levels_max) {}

  // Every price of the range: find() answers as the model does, and the levels are in order.
  void check_all() {
    for (int64_t price = 0; price <= price_range + 1; ++price) {
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

  // Finds the price's level, or makes one (as a resting order does), if the pool has room.
  void rest_at(int64_t price) {
    const auto found = model_.find(price);
    if (found == model_.end() && levels_.full()) return;
    const uint32_t level = book_.find_or_insert(Price{price}, levels_);
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
  BookSide book_;
  LevelPool levels_;
  std::map<int64_t, uint32_t> model_;  // price -> level
};

void run_random_steps(Side side, uint64_t seed) {
  BookSideModel book(side);
  std::mt19937_64 random(seed);
  for (int step = 0; step < 100'000; ++step) {
    const auto price = static_cast<int64_t>(1 + random() % price_range);
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
