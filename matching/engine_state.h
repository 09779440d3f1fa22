#pragma once
// The engine's private state, shared by the files that implement Engine. Not a public header.

#include <cstdint>
#include <span>
#include <vector>

#include "matching/client_ids.h"
#include "matching/engine.h"
#include "matching/fixed_stack.h"
#include "matching/flat_map.h"
#include "matching/order_book.h"

namespace ghx::matching {

struct FailedTrade {
  uint64_t trade_id = 0;
  int64_t lots = 0;         // the trade's lots, as the first failure stated them
  int64_t failed_lots = 0;  // 1..lots; the trade has failed whole at lots
  bool operator==(const FailedTrade&) const = default;
};

struct ProductBook {
  ProductSpec spec;
  ProductState state = ProductState::trading;
  BookSide bids{Side::buy};
  BookSide asks{Side::sell};
  // Participants with a capacity account for this product: freed when it is delivered.
  std::vector<uint32_t> sellers;
  // Trades of this product with failed lots (fail_trade), sorted by id: failing more lots than
  // a trade has open is refused. Freed when it is delivered, when no trade of it can fail any
  // more.
  std::vector<FailedTrade> failed_trades;

  BookSide& side(Side s) { return s == Side::buy ? bids : asks; }
  const BookSide& side(Side s) const { return s == Side::buy ? bids : asks; }
};

struct Account {
  int64_t available = 0;
  int64_t held = 0;
  bool suspended = false;  // by the operator: no new orders
};

struct CapacityAccount {
  int64_t available = 0;
  int64_t held = 0;
  // Cash owed to the seller at delivery end: notional less seller fee of each of its fills of
  // the product, less those that failed. The ledger holds the same sum in the buyers' escrow.
  int64_t proceeds = 0;
};

// Something due at a time: a product's gate closure or delivery end, or a good-till-time
// expiry. Ordered by (time, kind, id) so that ties always resolve the same way.
struct DueItem {
  enum Kind : uint8_t {
    gate_closure = 0,
    delivery_end = 1,
    order_expiry = 2,
    auction_uncross = 3,  // a call phase's scheduled end
  };
  int64_t time_ns = 0;
  Kind kind = gate_closure;
  uint64_t id = 0;      // product id, or order id
  uint32_t slot = 0;    // order pool slot (order_expiry)

  // std heap is a max-heap: "greater" puts the earliest item on top.
  bool operator>(const DueItem& other) const {
    if (time_ns != other.time_ns) return time_ns > other.time_ns;
    if (kind != other.kind) return kind > other.kind;
    return id > other.id;
  }
};

// A book level touched while handling one command: reported once, with its final size.
struct DirtyLevel {
  uint32_t product;
  Side side;
  Price price;
  uint32_t level;  // its pool index now, or no_index once it emptied
};

// A price an uncross could trade at (one per price in the crossed part of the book), with the
// lots on each side that would trade there.
struct UncrossCandidate {
  Price price;
  int64_t bid_lots = 0;  // of bids priced at or above it
  int64_t ask_lots = 0;  // of asks priced at or below it
};

struct EngineState {
  explicit EngineState(const EngineConfig& config);

  EngineConfig config;
  OrderPool orders;
  LevelPool levels;
  std::vector<ProductBook> products;
  std::vector<Account> accounts;
  ClientIds client_ids;
  FlatMap<CapacityAccount> capacity;
  // Min-heap by time. Entries of what ended early (an order gone before its expiry, a call
  // phase ended before its scheduled uncross) stay until their time or until the heap is full
  // (drop_dead_due). Reserved for every product's gate closure, delivery end and scheduled
  // uncross, and every live order's expiry: never more are alive at once.
  std::vector<DueItem> due;
  // Levels touched by the command being processed. A command can touch every level there is,
  // and create one (where it rests) after emptying others: price_levels_max + 1 entries.
  FixedStack<DirtyLevel> dirty_levels;
  // Mass cancel collects the participant's orders here (reserved for every order: no
  // allocation), then cancels them oldest first.
  std::vector<std::pair<uint64_t, uint32_t>> mass_cancel_orders;
  // Set while many orders leave the books at once, in any order of price (a mass cancel, a
  // suspension, expiries that fall due together): an emptied level's entry stays in its side's
  // array until drop_emptied_levels() drops them all in one pass. Erased one by one from the
  // middle of the array, each moved the array's tail: seconds for 100,000 levels. Nothing may
  // look at the books or rest an order meanwhile.
  bool emptied_levels_kept = false;
  std::vector<uint32_t> products_with_emptied_levels;  // reserved for every product

  Timestamp now;
  SequenceNumber last_sequence;
  uint64_t next_trade_id = 1;
  // Every deposit less every withdrawal: all the cash on the exchange, wherever it sits (an
  // account, a hold, a seller's proceeds, the fees). Capped (handle_funds), so that no sum of
  // cash anywhere, the ledger's included, can overflow.
  int64_t cash_in = 0;

  // The command being processed: stamps every event.
  SequenceNumber sequence;
  std::vector<Event>* events = nullptr;

  // Ids of the products not yet delivered, ascending: the only ones with orders, capacity
  // accounts or a window still to come. A long-running exchange has listed many more (about
  // 200 a day), so whatever looks for those walks this, not `products`. (Last: the members
  // the hot path uses keep their places.)
  std::vector<uint32_t> open_products;

  // Products in their call phase with a scheduled uncross, and when (few at once; not in
  // ProductBook, whose size the hot path feels).
  std::vector<std::pair<uint32_t, Timestamp>> scheduled_uncrosses;
  // 0 when the product has none.
  Timestamp scheduled_uncross(uint32_t product) const {
    for (const auto& [id, time] : scheduled_uncrosses) {
      if (id == product) return time;
    }
    return Timestamp{};
  }
  void forget_scheduled_uncross(uint32_t product) {
    std::erase_if(scheduled_uncrosses, [&](const auto& entry) { return entry.first == product; });
  }
  // The uncross's working table: it grows to the largest uncross and keeps its capacity.
  std::vector<UncrossCandidate> uncross_candidates;
  // A block order's windows (product ids), window 0 first: reserved for the most a block may
  // have.
  std::vector<uint32_t> block_windows;

  // Appends an event of the command being processed. Inline: a command emits two or three.
  Event& emit(EventType type) {
    // A full buffer is handed to another function: with the buffer's growth (a call) out of
    // this one, the common path keeps everything in scratch registers and saves none.
    if (events->size() == events->capacity()) [[unlikely]] {
      return emit_growing(type);
    }
    Event& event = events->emplace_back();
    event.type = type;
    event.sequence = sequence;
    event.timestamp = now;
    return event;
  }

 private:
  Event& emit_growing(EventType type);
};

// Command handlers: engine_orders.cpp.
void handle_new_order(EngineState& state, const Command& command);
void handle_cancel(EngineState& state, const Command& command);
void handle_replace(EngineState& state, const Command& command);
void handle_mass_cancel(EngineState& state, const Command& command);
void handle_order_status(EngineState& state, const Command& command);
void handle_new_block_order(EngineState& state, const Command& command);
// Cancels every live order of the participant in these products, oldest first, then reports
// the levels that changed (mass cancel, suspension).
void cancel_orders_of(EngineState& state, uint32_t participant,
                      std::span<const uint32_t> products, CancelReason reason);

// Sets the product's state and reports it (engine.cpp); leaving the call phase forgets its
// scheduled uncross.
Event& change_product_state(EngineState& state, uint32_t product, ProductState new_state);

// Call auctions: engine_auction.cpp. Trades the crossed part of the product's book and
// returns it to trading (the product_state event reports the uncross).
void uncross(EngineState& state, uint32_t product);
// The price the book would uncross at now, and the lots that would trade there before any
// self-trade prevention; false when it does not cross. `candidates` is working space.
bool find_uncross_price(const EngineState& state, const ProductBook& book,
                        std::vector<UncrossCandidate>& candidates, Price& price, int64_t& lots);

// Bookkeeping: engine_book.cpp.
// The open (not yet delivered) product of this delivery window, or no_index.
uint32_t find_open_product(const EngineState& state, const ShortName& gpu, const ShortName& zone,
                           int64_t start_hour, WindowLength length);
inline Cash bid_hold_of(const EngineState& state, const ProductSpec& spec, Price price,
                        int64_t lots) {
  return bid_hold(spec, price, Quantity{lots}, state.config.fee_bps);
}

// Notes that the level (a pool index) of (product, side) changed; flush_dirty_levels reports
// each price once, with its final size. The level knows its entry, so noting one costs the same
// however many levels a command touches (a mass cancel, a gate closure, a sweep): a search of
// the entries made a command that touched L levels cost L^2 (seconds for 100,000).
inline void mark_dirty(EngineState& state, uint32_t product, Side side, uint32_t level_index) {
  Level& level = state.levels[level_index];
  if (level.dirty != no_index) return;
  level.dirty = static_cast<uint32_t>(state.dirty_levels.size());
  state.dirty_levels.push({product, side, level.price, level_index});
}
// The level has emptied and is about to go back to the pool: its price is reported as 0.
inline void mark_emptied(EngineState& state, uint32_t product, Side side, uint32_t level_index) {
  Level& level = state.levels[level_index];
  if (level.dirty == no_index) {
    state.dirty_levels.push({product, side, level.price, no_index});
  } else {
    state.dirty_levels[level.dirty].level = no_index;
    level.dirty = no_index;
  }
}
// A level just made for a price: if the command emptied that price's level before, the price
// keeps its one entry (found by a search, but only new levels pay it, and seldom with more than
// a few entries).
inline void mark_new_level(EngineState& state, uint32_t product, Side side, uint32_t level_index) {
  Level& level = state.levels[level_index];
  for (size_t i = 0; i < state.dirty_levels.size(); ++i) {
    DirtyLevel& dirty = state.dirty_levels[i];
    if (dirty.level == no_index && dirty.product == product && dirty.side == side &&
        dirty.price == level.price) {
      dirty.level = level_index;
      level.dirty = static_cast<uint32_t>(i);
      return;
    }
  }
}

enum class HoldMove { take, release };
void move_holds(EngineState& state, const Order& order, HoldMove move);
void release_holds(EngineState& state, const Order& order);
void take_holds(EngineState& state, const Order& order);
void book_insert(EngineState& state, uint32_t slot);
void book_remove(EngineState& state, uint32_t slot);
// Ends what emptied_levels_kept began: drops the kept entries of emptied levels.
void drop_emptied_levels(EngineState& state);
// Forgets an order that is done: off the book (if it rests), its client id remembered as
// done, its slot free. Holds must already be settled. Inline: every order that leaves pays it.
inline void retire(EngineState& state, uint32_t slot, bool on_book) {
  if (on_book) book_remove(state, slot);
  const Order& order = state.orders[slot];
  state.client_ids.retire(order.id_block, order.client_id.value);
  state.orders.release(slot);
}
// An event about `order`, with the fields every order event carries.
inline Event& emit_order_event(EngineState& state, EventType type, const Order& order) {
  Event& event = state.emit(type);
  event.participant = ParticipantId{order.participant};
  event.product = ProductId{order.product};
  event.order_id = order.id;
  event.client_order_id = order.client_id;
  event.side = order.side;
  event.price = order.price;
  return event;
}

void cancel(EngineState& state, uint32_t slot, CancelReason reason, bool on_book);
Event& reject(EngineState& state, const Command& command, RejectReason reason);
// Takes a live order off the book (expiry or gate closure) with an `expired` event.
void expire_order(EngineState& state, uint32_t slot, ExpireReason reason);
// Reports every level touched since the last flush with its final size. Inline: every order
// command ends with it.
inline void flush_dirty_levels(EngineState& state) {
  for (const DirtyLevel& dirty : state.dirty_levels) {
    Event& event = state.emit(EventType::book_level);
    event.product = ProductId{dirty.product};
    event.side = dirty.side;
    event.price = dirty.price;
    if (dirty.level != no_index) {
      Level& level = state.levels[dirty.level];
      event.quantity = Quantity{level.quantity};
      level.dirty = no_index;
    }
  }
  state.dirty_levels.clear();
}
// Makes room in a full `due` heap: drops the entries of orders gone before their expiry and of
// call phases that ended before their scheduled uncross (run_due would skip them anyway), so
// the heap's order of what is left, and what happens when, does not change.
void drop_dead_due(EngineState& state);

// Matching: engine_match.cpp.
int64_t executable_lots(const EngineState& state, const Order& taker, int64_t needed);
enum class MatchEnd { done, self_trade };
MatchEnd match(EngineState& state, uint32_t taker_slot);
// A fill of `lots` between two resting orders at `price` (an uncross): both stay on the book
// while they have lots left. The taker is the later of the two.
void execute_resting_fill(EngineState& state, uint32_t taker_slot, uint32_t maker_slot,
                          int64_t lots, Price price);
void finish_taker(EngineState& state, uint32_t slot, MatchEnd end, bool is_market,
                  bool new_order);

}  // namespace ghx::matching
