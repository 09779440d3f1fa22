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
  // Most activity is near the top of the book, which is the back of the array. When the answer
  // is among the last `near` places, it is found by counting the entries at or above `wanted`
  // there, with no branch: which of those places it is varies from order to order, so a scan
  // that stops at the first entry below mispredicts as often as not.
  const size_t size = entries_.size();
  const Entry* entries = entries_.data();
  constexpr size_t near = 8;
  if (size >= near && entries[size - near].rank < wanted) {
    size_t above = 0;
#pragma GCC unroll 8
    for (size_t k = 1; k < near; ++k) above += entries[size - k].rank >= wanted ? 1 : 0;
    return size - above;
  }
  // Branch-free binary search (a conditional move per step): prices deep in the book are as
  // likely to be below as above the middle, so a branch mispredicts half the time.
  if (size == 0) return 0;
  const Entry* base = entries;
  for (size_t count = size; count > 1;) {
    const size_t half = count / 2;
    base = base[half].rank < wanted ? base + half : base;
    count -= half;
  }
  return static_cast<size_t>(base - entries) + (base->rank < wanted ? 1 : 0);
}

uint32_t BookSide::find(Price price) const {
  if (entries_.empty()) return no_index;  // also a delivered product's, without memory
  const RecentLevel& recent = recent_[recent_slot(price)];
  if (recent.price == price.value) return recent.level;
  // Only reads: views call it, and the engine's state is theirs to read, not to change.
  const int64_t wanted = rank(price);
  const size_t i = lower_bound(wanted);
  if (i < entries_.size() && entries_[i].rank == wanted) return entries_[i].level;
  return no_index;
}

uint32_t BookSide::find_or_insert_searching(Price price, LevelPool& levels) {
  const int64_t wanted = rank(price);
  const size_t i = lower_bound(wanted);
  if (i < entries_.size() && entries_[i].rank == wanted) {
    remember(price, entries_[i].level);
    return entries_[i].level;
  }
  return insert_level(i, price, levels);
}

uint32_t BookSide::insert_level(size_t i, Price price, LevelPool& levels) {
  const uint32_t level = levels.allocate(price);
  if (level == no_index) return no_index;
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(i), Entry{rank(price), level});
  remember(price, level);
  return level;
}

void BookSide::erase_levels_without_orders(const LevelPool& levels) {
  std::erase_if(entries_, [&](const Entry& entry) {
    if (levels[entry.level].orders != 0) return false;
    forget(Price{side_ == Side::buy ? entry.rank : -entry.rank});
    return true;
  });
}

void BookSide::erase(Price price) {
  const int64_t wanted = rank(price);
  const size_t i = lower_bound(wanted);
  GHX_ASSERT(i < entries_.size() && entries_[i].rank == wanted);
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
  forget(price);
}

}  // namespace ghx::matching
