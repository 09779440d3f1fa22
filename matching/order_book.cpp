#include "matching/order_book.h"

#include <cstddef>

namespace ghx::matching {

OrderPool::OrderPool(uint32_t orders_max) : orders_(orders_max) {
  GHX_ASSERT(orders_max > 0 && orders_max < no_index);
  // Chain from the back so that the first allocation returns slot 0.
  for (uint32_t i = orders_max; i-- > 0;) {
    orders_[i].next = free_head_;
    free_head_ = i;
  }
}

LevelPool::LevelPool(uint32_t levels_max) : levels_(levels_max) {
  GHX_ASSERT(levels_max > 0 && levels_max < no_index);
  for (uint32_t i = levels_max; i-- > 0;) {
    levels_[i].head = free_head_;
    free_head_ = i;
  }
}

uint32_t LevelPool::allocate(Price price) {
  const uint32_t index = free_head_;
  if (index == no_index) return no_index;
  free_head_ = levels_[index].head;
  levels_[index] = Level{};
  levels_[index].price = price;
  return index;
}

void LevelPool::release(uint32_t index) {
  GHX_ASSERT(levels_[index].orders == 0 && levels_[index].quantity == 0);
  levels_[index].head = free_head_;
  free_head_ = index;
}

size_t BookSide::lower_bound(int64_t wanted) const {
  // Most activity is near the top of the book, which is the back of the array: scan a few
  // entries from the back before falling back to a binary search.
  const size_t size = entries_.size();
  constexpr size_t scan_max = 2;
  size_t i = size;
  for (size_t scanned = 0; i > 0 && scanned < scan_max; --i, ++scanned) {
    if (entries_[i - 1].rank < wanted) return i;
  }
  if (i == 0) return 0;
  // Branch-free binary search over [0, i) (a conditional move per step): prices deep in the
  // book are as likely to be below as above the middle, so a branch mispredicts half the time.
  const Entry* base = entries_.data();
  for (size_t count = i; count > 1;) {
    const size_t half = count / 2;
    base = base[half].rank < wanted ? base + half : base;
    count -= half;
  }
  return static_cast<size_t>(base - entries_.data()) + (base->rank < wanted ? 1 : 0);
}

uint32_t BookSide::find(Price price) const {
  const int64_t wanted = rank(price);
  const size_t i = lower_bound(wanted);
  if (i < entries_.size() && entries_[i].rank == wanted) return entries_[i].level;
  return no_index;
}

uint32_t BookSide::find_or_insert(Price price, LevelPool& levels) {
  const int64_t wanted = rank(price);
  const size_t i = lower_bound(wanted);
  if (i < entries_.size() && entries_[i].rank == wanted) return entries_[i].level;
  return insert_level(i, price, levels);
}

uint32_t BookSide::insert_level(size_t i, Price price, LevelPool& levels) {
  const uint32_t level = levels.allocate(price);
  if (level == no_index) return no_index;
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(i), Entry{rank(price), level});
  return level;
}

void BookSide::erase(Price price) {
  const int64_t wanted = rank(price);
  const size_t i = lower_bound(wanted);
  GHX_ASSERT(i < entries_.size() && entries_[i].rank == wanted);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
}

}  // namespace ghx::matching
