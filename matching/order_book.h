#pragma once
// The order book: pooled orders in intrusive per-level queues, price levels kept in a sorted
// array per side with the best price at the back (inserts and removals near the top of the
// book move little memory).
//
// The book knows nothing of risk, events or time; the engine drives it.

#include <bit>
#include <cstdint>
#include <vector>

#include "matching/assert.h"
#include "matching/prefetch.h"
#include "matching/types.h"

namespace ghx::matching {

constexpr uint32_t no_index = UINT32_MAX;

// 64 bytes: one cache line per resting order; one million orders fit in 64 MiB.
struct Order {
  OrderId id;
  ClientOrderId client_id;
  Price price;
  Timestamp expire_time;     // good_till_time; 0 otherwise
  uint32_t participant = 0;
  uint32_t level = no_index;       // the level it rests on, while it rests
  uint32_t prev = no_index;        // time-priority queue of the level
  uint32_t next = no_index;
  uint32_t product = 0;
  int32_t remaining_lots = 0;      // fits: quantity_max_lots is checked against INT32_MAX
  Side side = Side::buy;
  // Whole bytes, not bit fields: there is room, and each bit field cost a read-modify-write
  // on every new order.
  uint8_t self_trade = 0;     // SelfTradePrevention
  uint8_t time_in_force = 0;  // TimeInForce
  bool post_only = false;
  uint32_t id_block = 0;  // where ClientIds keeps client_id (ClientIds::add)
};
static_assert(sizeof(Order) == 64);

// A fixed pool of orders with a LIFO free list (recently freed slots are still in cache).
class OrderPool {
 public:
  explicit OrderPool(uint32_t orders_max);
  // No free slot: no_index. Inline, like release(): every order pays both.
  uint32_t allocate() {
    const uint32_t index = free_head_;
    if (index == no_index) return no_index;
    free_head_ = orders_[index].next;
    orders_[index] = Order{};
    ++live_;
    return index;
  }
  void release(uint32_t index) {
    GHX_ASSERT(live_ > 0);
    orders_[index].id = OrderId{0};
    orders_[index].next = free_head_;
    free_head_ = index;
    --live_;
  }
  Order& operator[](uint32_t index) { return orders_[index]; }
  const Order& operator[](uint32_t index) const { return orders_[index]; }
  uint32_t live() const { return live_; }
  bool full() const { return free_head_ == no_index; }
  // Starts loading the slot the next allocate() returns (for writing).
  void prefetch_next() const {
    if (free_head_ != no_index) prefetch_line<PrefetchFor::write>(&orders_[free_head_]);
  }
  // Starts loading an order's slot; an index out of range (a stale hint) is ignored.
  void prefetch(uint32_t index) const {
    if (index < orders_.size()) prefetch_line(&orders_[index]);
  }

 private:
  std::vector<Order> orders_;
  uint32_t free_head_ = no_index;  // free slots are chained through Order::next
  uint32_t live_ = 0;
};

// 32 bytes. A free level is chained through `head`.
struct Level {
  Price price;
  int64_t quantity = 0;  // lots resting at this price
  uint32_t head = no_index;
  uint32_t tail = no_index;
  uint32_t orders = 0;
  // While a command runs: its entry among the levels the command changed (the engine's
  // DirtyLevel list), or no_index. Between commands always no_index.
  uint32_t dirty = no_index;
};
static_assert(sizeof(Level) == 32);

class LevelPool {
 public:
  explicit LevelPool(uint32_t levels_max);
  uint32_t allocate(Price price);  // no_index when exhausted
  void release(uint32_t index);
  bool full() const { return free_head_ == no_index; }
  Level& operator[](uint32_t index) { return levels_[index]; }
  const Level& operator[](uint32_t index) const { return levels_[index]; }

 private:
  std::vector<Level> levels_;
  uint32_t free_head_ = no_index;
};

// One side of one book: levels sorted so that the best price is at the back.
class BookSide {
 public:
  struct Entry {
    int64_t rank;  // price for bids, -price for asks: ascending rank, best at the back
    uint32_t level;
  };

  explicit BookSide(Side side) : side_(side), recent_(recent_slots) { entries_.reserve(64); }

  Side side() const { return side_; }
  // The product's tick: its prices are multiples of it, and the recent-level slots are chosen so
  // that any 64 consecutive ticks fall in different ones. (Without it, still correct: a tick
  // with a factor 2^k then shares slots 2^k to one.)
  void set_tick_size(int64_t tick_size) {
    GHX_ASSERT(tick_size > 0);
    recent_shift_ = static_cast<uint8_t>(std::countr_zero(static_cast<uint64_t>(tick_size)));
  }
  bool empty() const { return entries_.empty(); }
  // Gives back the level array's memory (a delivered product's book); requires empty().
  void release_memory() {
    std::vector<Entry>().swap(entries_);
    std::vector<RecentLevel>().swap(recent_);
  }
  uint32_t best() const { return entries_.back().level; }  // requires !empty()
  uint32_t find(Price price) const;                        // no_index when absent
  // Finds the level at `price` or inserts one taken from `levels`; no_index if the pool is out.
  // Not after release_memory(). Inline: every order that rests pays it, and most find their
  // price among the recent ones.
  uint32_t find_or_insert(Price price, LevelPool& levels) {
    const RecentLevel& recent = recent_[recent_slot(price)];
    if (recent.price == price.value) return recent.level;
    return find_or_insert_searching(price, levels);
  }
  void erase(Price price);  // the level must exist; the caller releases it to the pool
  // Erases every entry whose level has no orders (released to the pool, but still named
  // here: EngineState::emptied_levels_kept), in one pass.
  void erase_levels_without_orders(const LevelPool& levels);
  size_t level_count() const { return entries_.size(); }
  // Levels best first: index 0 is the best.
  uint32_t level_at(size_t depth) const { return entries_[entries_.size() - 1 - depth].level; }

  // True when a taker on the other side with `limit` would trade with this side's `price`.
  bool crosses(Price limit, Price price) const {
    return side_ == Side::sell ? price <= limit : price >= limit;
  }

 private:
  // The levels of recently used prices, one per slot: a resting order finds its level in one
  // compare where the search of the sorted array cost some 60 instructions, a tenth of a
  // resting order's. A price's slot is its count of ticks modulo the slots, so the prices of
  // a contiguous range around the top of the book never share one (for a tick of 2^k x odd,
  // the price shifted right by k: an odd multiplier keeps 64 consecutive values apart modulo
  // 64, and needs no division). A slot names a level of this side while its price is in
  // `entries_`: erasing the price clears it. 1 KiB a side, beside the level array's.
  struct RecentLevel {
    int64_t price = 0;  // 0: none (prices are positive)
    uint32_t level = no_index;
  };
  static constexpr size_t recent_slots = 64;
  size_t recent_slot(Price price) const {
    return (static_cast<uint64_t>(price.value) >> recent_shift_) % recent_slots;
  }
  void remember(Price price, uint32_t level) { recent_[recent_slot(price)] = {price.value, level}; }
  void forget(Price price) {
    RecentLevel& recent = recent_[recent_slot(price)];
    if (recent.price == price.value) recent = RecentLevel{};
  }
  uint32_t find_or_insert_searching(Price price, LevelPool& levels);

  int64_t rank(Price price) const { return side_ == Side::buy ? price.value : -price.value; }
  size_t lower_bound(int64_t rank) const;
  // find_or_insert's new level at entries_[i]. Out of line: its call to grow or shift the
  // array made the common path (the level exists) save six registers on every order.
  [[gnu::noinline]] uint32_t insert_level(size_t i, Price price, LevelPool& levels);

  Side side_;
  uint8_t recent_shift_ = 0;  // trailing zero bits of the tick size
  std::vector<Entry> entries_;
  std::vector<RecentLevel> recent_;  // recent_slots of them
};

// Queue operations on a level (time priority: append at the tail, match from the head).
// Inline: every order that rests or leaves pays one.
inline void level_append(Level& level, OrderPool& orders, uint32_t index) {
  Order& order = orders[index];
  order.prev = level.tail;
  order.next = no_index;
  if (level.tail == no_index) {
    level.head = index;
  } else {
    orders[level.tail].next = index;
  }
  level.tail = index;
  level.quantity += order.remaining_lots;
  ++level.orders;
}

inline void level_remove(Level& level, OrderPool& orders, uint32_t index) {
  Order& order = orders[index];
  if (order.prev == no_index) {
    level.head = order.next;
  } else {
    orders[order.prev].next = order.next;
  }
  if (order.next == no_index) {
    level.tail = order.prev;
  } else {
    orders[order.next].prev = order.prev;
  }
  order.prev = order.next = no_index;
  level.quantity -= order.remaining_lots;
  GHX_ASSERT(level.orders > 0 && level.quantity >= 0);
  --level.orders;
}

}  // namespace ghx::matching
