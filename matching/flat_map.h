#pragma once
// A fixed-capacity open-addressing hash map with linear probing.
//
// All memory is allocated up front, so an insert never allocates; a full map refuses inserts
// and the caller rejects the command. Erase shifts the entries after the hole back (no
// tombstones), so probe chains stay as short as if the erased keys had never been there.
// Erase moves entries: pointers from find() or insert() do not survive it.

#include <bit>
#include <cstdint>
#include <vector>

#include "matching/assert.h"
#include "matching/prefetch.h"

namespace ghx::matching {

// 64-bit finalizer (from MurmurHash3): spreads sequential keys over the whole table.
constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Key is a pair of integers: `high` (never all ones: that marks an empty slot) and `low`.
template <typename Value>
class FlatMap {
 public:
  static constexpr uint32_t empty_high = UINT32_MAX;

  struct Slot {
    uint64_t low = 0;
    uint32_t high = empty_high;
    Value value{};
  };

  explicit FlatMap(uint32_t entries_max) : entries_max_(entries_max) {
    uint64_t slots = 16;
    while (slots < uint64_t{entries_max} * 2) slots *= 2;  // load factor stays <= 0.5
    slots_.resize(slots);
    mask_ = slots - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(slots));
  }

  // Returns the value for the key, or nullptr.
  Value* find(uint32_t high, uint64_t low) {
    GHX_ASSERT(high != empty_high);
    for (uint64_t i = index_of(high, low);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.high == high && slot.low == low) return &slot.value;
      if (slot.high == empty_high) return nullptr;
    }
  }
  const Value* find(uint32_t high, uint64_t low) const {
    return const_cast<FlatMap*>(this)->find(high, low);
  }

  // Inserts a new key (which must not be present) unless the map is full.
  Value* insert(uint32_t high, uint64_t low, const Value& value) {
    GHX_ASSERT(high != empty_high);
    if (size_ >= entries_max_) return nullptr;
    uint64_t i = index_of(high, low);
    while (slots_[i].high != empty_high) {
      GHX_ASSERT(!(slots_[i].high == high && slots_[i].low == low));
      i = (i + 1) & mask_;
    }
    slots_[i] = Slot{low, high, value};
    ++size_;
    return &slots_[i].value;
  }

  // Removes the key if present; returns whether it was.
  bool erase(uint32_t high, uint64_t low) {
    GHX_ASSERT(high != empty_high);
    uint64_t hole = index_of(high, low);
    for (;; hole = (hole + 1) & mask_) {
      if (slots_[hole].high == empty_high) return false;
      if (slots_[hole].high == high && slots_[hole].low == low) break;
    }
    // Every later entry of the run whose home is not between the hole and itself would no
    // longer be found past the hole: move it into the hole, which moves the hole on.
    for (uint64_t i = (hole + 1) & mask_; slots_[i].high != empty_high; i = (i + 1) & mask_) {
      const uint64_t home = index_of(slots_[i].high, slots_[i].low);
      if (((i - home) & mask_) >= ((i - hole) & mask_)) {
        slots_[hole] = slots_[i];
        hole = i;
      }
    }
    slots_[hole] = Slot{};
    --size_;
    return true;
  }
  void prefetch(uint32_t high, uint64_t low) const {
    prefetch_line(&slots_[index_of(high, low)]);
  }

  bool full() const { return size_ >= entries_max_; }
  uint32_t size() const { return size_; }

  // Visits every entry in storage order: callers that hash must combine order-independently.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Slot& slot : slots_) {
      if (slot.high != empty_high) visit(slot.high, slot.low, slot.value);
    }
  }

 private:
  // Fibonacci hashing (the top bits of key x 2^64/phi): one multiply where mix64 takes five
  // dependent steps, and the engine looks up a seller's capacity on most of its commands.
  uint64_t index_of(uint32_t high, uint64_t low) const {
    const uint64_t key = low ^ (uint64_t{high} << 40) ^ (uint64_t{high} >> 24);
    return (key * 0x9e3779b97f4a7c15ULL) >> shift_;
  }

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  unsigned shift_ = 0;  // 64 - log2(slots)
  uint32_t entries_max_ = 0;
  uint32_t size_ = 0;
};

}  // namespace ghx::matching
