// Engine snapshots: the whole state as bytes, and back.
//
// Layout (little-endian, fixed width): magic, counters; per product its spec, state and both
// sides best level first, each level's orders in time priority; accounts with money; suspended
// participants; capacity accounts; known client-id blocks and floors. Everything else is
// derived on load: levels and queues by resting the orders again in the saved order, due items
// from the products and good-till-time orders.

#include <algorithm>
#include <cstring>
#include <functional>

#include "matching/engine_state.h"

namespace ghx::matching {
namespace {

// "GHXSEN07". Older ones are refused, and recovery replays the journal instead: 01 had no
// client-id floors, 02 no sellers' proceeds and failed trades, 03 no failed lots, 04 no
// suspended participants, 05 no call auctions, 06 no total of cash deposited.
constexpr uint64_t snapshot_magic = 0x37304e4553584847ULL;

// Writes into the caller's buffer with a bump pointer: a snapshot of a million orders is some
// six million small values, and vector::insert per value cost more than the values' bytes.
// The buffer keeps its capacity from one snapshot to the next (ghxd reuses it).
class Out {
 public:
  explicit Out(std::vector<uint8_t>& bytes) : bytes_(bytes) {
    bytes_.clear();
    bytes_.resize(bytes_.capacity());
  }
  ~Out() { bytes_.resize(size_); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

  template <typename T>
  void put(T value) {
    put_bytes(&value, sizeof(T));  // x86-64: already little-endian
  }
  void put_bytes(const void* data, size_t size) {
    if (bytes_.size() - size_ < size) {
      bytes_.resize(std::max(bytes_.size() * 2, size_ + size + 4096));
    }
    std::memcpy(bytes_.data() + size_, data, size);
    size_ += size;
  }

 private:
  std::vector<uint8_t>& bytes_;
  size_t size_ = 0;  // bytes written; bytes_.size() is the room
};

class In {
 public:
  explicit In(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  template <typename T>
  bool get(T& value) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(&value, bytes_.data(), sizeof(T));
    bytes_ = bytes_.subspan(sizeof(T));
    return true;
  }
  bool get_bytes(void* data, size_t size) {
    if (bytes_.size() < size) return false;
    std::memcpy(data, bytes_.data(), size);
    bytes_ = bytes_.subspan(size);
    return true;
  }
  bool done() const { return bytes_.empty(); }
  size_t left() const { return bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
};

void save_spec(Out& out, const ProductSpec& spec) {
  out.put_bytes(spec.gpu.chars.data(), spec.gpu.chars.size());
  out.put_bytes(spec.zone.chars.data(), spec.zone.chars.size());
  out.put(spec.start_hour);
  out.put(static_cast<uint8_t>(spec.length));
  out.put(spec.lot_size_gpus);
  out.put(spec.tick_size);
}

// The pool slots of a side's orders, level by level (best first), each level in time priority.
// A queue is a linked list scattered over the pool, so walking one waits for a cache miss per
// order (some 0.2 s for a million orders here); walking many levels' queues at once keeps as
// many misses in flight.
void queue_slots(const EngineState& state, const BookSide& side, std::vector<uint32_t>& slots) {
  size_t total = 0;
  for (size_t depth = 0; depth < side.level_count(); ++depth) {
    total += state.levels[side.level_at(depth)].orders;
  }
  slots.resize(total);
  struct Walk {
    uint32_t slot;
    size_t out;  // where its next slot goes
    size_t end;  // where its level's slots end
  };
  constexpr size_t walks_max = 16;
  Walk walks[walks_max];
  size_t active = 0;
  size_t next_depth = 0;
  size_t level_start = 0;
  auto start_level = [&](Walk& walk) {
    while (next_depth < side.level_count()) {
      const Level& level = state.levels[side.level_at(next_depth++)];
      walk = {level.head, level_start, level_start + level.orders};
      level_start = walk.end;
      if (level.head != no_index) return true;
      GHX_ASSERT(level.orders == 0);
    }
    return false;
  };
  while (active < walks_max && start_level(walks[active])) ++active;
  while (active > 0) {
    for (size_t i = 0; i < active;) {
      Walk& walk = walks[i];
      GHX_ASSERT(walk.out < walk.end);
      slots[walk.out++] = walk.slot;
      walk.slot = state.orders[walk.slot].next;
      if (walk.slot != no_index) {
        ++i;
        continue;
      }
      GHX_ASSERT(walk.out == walk.end);  // the level's count matches its queue
      if (!start_level(walk)) walk = walks[--active];  // the last walk takes this place
    }
  }
  GHX_ASSERT(level_start == total);
}

void save_side(Out& out, const EngineState& state, const BookSide& side,
               std::vector<uint32_t>& slots) {
  queue_slots(state, side, slots);
  // The slots are known now: start loading each order well before it is written out.
  constexpr size_t prefetch_distance = 16;
  size_t next = 0;
  out.put(static_cast<uint32_t>(side.level_count()));
  for (size_t depth = 0; depth < side.level_count(); ++depth) {
    const Level& level = state.levels[side.level_at(depth)];
    out.put(level.price.value);
    out.put(level.orders);
    for (uint32_t k = 0; k < level.orders; ++k, ++next) {
      if (next + prefetch_distance < slots.size()) {
        state.orders.prefetch(slots[next + prefetch_distance]);
      }
      const Order& order = state.orders[slots[next]];
      out.put(order.id.value);
      out.put(order.client_id.value);
      out.put(order.participant);
      out.put(order.remaining_lots);
      out.put(order.expire_time.ns);
      out.put(static_cast<uint8_t>(order.self_trade | order.time_in_force << 2 |
                                   uint8_t{order.post_only} << 4));
    }
  }
}

}  // namespace

void Engine::save(std::vector<uint8_t>& bytes) const {
  const EngineState& state = *state_;
  Out out(bytes);
  out.put(snapshot_magic);
  out.put(state.now.ns);
  out.put(state.last_sequence.value);
  out.put(state.next_trade_id);
  out.put(state.cash_in);
  out.put(static_cast<uint32_t>(state.products.size()));
  std::vector<uint32_t> slots;
  for (uint32_t id = 0; id < state.products.size(); ++id) {
    const ProductBook& book = state.products[id];
    save_spec(out, book.spec);
    out.put(static_cast<uint8_t>(book.state));
    if (book.state == ProductState::auction) out.put(state.scheduled_uncross(id).ns);
    save_side(out, state, book.bids, slots);
    save_side(out, state, book.asks, slots);
    out.put(static_cast<uint32_t>(book.failed_trades.size()));
    for (const FailedTrade& trade : book.failed_trades) {
      out.put(trade.trade_id);
      out.put(trade.lots);
      out.put(trade.failed_lots);
    }
  }
  std::vector<uint32_t> funded;
  for (uint32_t i = 0; i < state.accounts.size(); ++i) {
    if (state.accounts[i].available != 0 || state.accounts[i].held != 0) funded.push_back(i);
  }
  out.put(static_cast<uint32_t>(funded.size()));
  for (const uint32_t participant : funded) {
    out.put(participant);
    out.put(state.accounts[participant].available);
    out.put(state.accounts[participant].held);
  }
  std::vector<uint32_t> suspended;
  for (uint32_t i = 0; i < state.accounts.size(); ++i) {
    if (state.accounts[i].suspended) suspended.push_back(i);
  }
  out.put(static_cast<uint32_t>(suspended.size()));
  for (const uint32_t participant : suspended) out.put(participant);
  out.put(state.capacity.size());
  state.capacity.for_each([&](uint32_t participant, uint64_t product, const CapacityAccount& c) {
    out.put(participant);
    out.put(product);
    out.put(c.available);
    out.put(c.held);
    out.put(c.proceeds);
  });
  uint32_t blocks = 0;
  state.client_ids.for_each_block([&](uint32_t, uint64_t, uint64_t) { ++blocks; });
  out.put(blocks);
  state.client_ids.for_each_block([&](uint32_t participant, uint64_t first_id, uint64_t bits) {
    out.put(participant);
    out.put(first_id);
    out.put(bits);
  });
  uint32_t floors = 0;
  state.client_ids.for_each_floor([&](uint32_t, uint64_t) { ++floors; });
  out.put(floors);
  state.client_ids.for_each_floor([&](uint32_t participant, uint64_t floor) {
    out.put(participant);
    out.put(floor);
  });
}

namespace {

bool load_spec(In& in, ProductSpec& spec) {
  uint8_t length = 0;
  const bool read = in.get_bytes(spec.gpu.chars.data(), spec.gpu.chars.size()) &&
                    in.get_bytes(spec.zone.chars.data(), spec.zone.chars.size()) &&
                    in.get(spec.start_hour) && in.get(length) && in.get(spec.lot_size_gpus) &&
                    in.get(spec.tick_size);
  spec.gpu.chars.back() = '\0';
  spec.zone.chars.back() = '\0';
  spec.length = static_cast<WindowLength>(length);
  return read && length <= static_cast<uint8_t>(WindowLength::week) && validate_spec(spec).empty();
}

void push_due(EngineState& state, DueItem item) {
  state.due.push_back(item);
  std::push_heap(state.due.begin(), state.due.end(), std::greater<>{});
}

// Rests one saved order again at the tail of its level.
bool load_order(In& in, EngineState& state, uint32_t product, Side side, Price price) {
  Order order;
  uint8_t flags = 0;
  if (!in.get(order.id.value) || !in.get(order.client_id.value) || !in.get(order.participant) ||
      !in.get(order.remaining_lots) || !in.get(order.expire_time.ns) || !in.get(flags)) {
    return false;
  }
  if (order.participant >= state.config.limits.participants_max || order.remaining_lots <= 0 ||
      (flags & 3) > 2 || flags >> 5 != 0 || state.orders.full()) {
    return false;
  }
  const uint32_t slot = state.orders.allocate();
  order.product = product;
  order.side = side;
  order.price = price;
  order.self_trade = flags & 3;
  order.time_in_force = (flags >> 2) & 3;
  order.post_only = (flags >> 4) & 1;
  state.orders[slot] = order;
  // Rested directly, not through book_insert: a load reports no book changes.
  const uint32_t level = state.products[product].side(side).find_or_insert(price, state.levels);
  if (level == no_index) return false;
  level_append(state.levels[level], state.orders, slot);
  state.orders[slot].level = level;
  if (static_cast<TimeInForce>(order.time_in_force) == TimeInForce::good_till_time) {
    push_due(state, {order.expire_time.ns, DueItem::order_expiry, order.id.value, slot});
  }
  return true;
}

bool load_side(In& in, EngineState& state, uint32_t product, Side side) {
  uint32_t levels = 0;
  if (!in.get(levels)) return false;
  for (uint32_t i = 0; i < levels; ++i) {
    Price price;
    uint32_t orders = 0;
    if (!in.get(price.value) || !in.get(orders) || price.value <= 0 || orders == 0) return false;
    for (uint32_t j = 0; j < orders; ++j) {
      if (!load_order(in, state, product, side, price)) return false;
    }
  }
  return true;
}

bool load_products(In& in, EngineState& state) {
  uint32_t count = 0;
  if (!in.get(count) || count > state.config.limits.products_max) return false;
  for (uint32_t id = 0; id < count; ++id) {
    ProductBook& book = state.products.emplace_back();
    uint8_t product_state = 0;
    if (!load_spec(in, book.spec) || !in.get(product_state) ||
        product_state > static_cast<uint8_t>(ProductState::auction)) {
      return false;
    }
    book.state = static_cast<ProductState>(product_state);
    book.bids.set_tick_size(book.spec.tick_size);
    book.asks.set_tick_size(book.spec.tick_size);
    const int64_t gate_close_ns = book.spec.delivery_start().ns - state.config.gate_closure_lead_ns;
    if (book.state == ProductState::auction) {
      // 0 (the operator uncrosses), or a time after now and before the gate closes.
      Timestamp uncross_time;
      if (!in.get(uncross_time.ns) || uncross_time.ns < 0 ||
          (uncross_time.ns != 0 &&
           (uncross_time.ns <= state.now.ns || uncross_time.ns >= gate_close_ns))) {
        return false;
      }
      if (uncross_time.ns != 0) {
        state.scheduled_uncrosses.emplace_back(id, uncross_time);
        push_due(state, {uncross_time.ns, DueItem::auction_uncross, id, 0});
      }
    }
    if (book.state == ProductState::trading || book.state == ProductState::halted ||
        book.state == ProductState::auction) {
      push_due(state, {gate_close_ns, DueItem::gate_closure, id, 0});
    }
    if (book.state != ProductState::delivered) {
      push_due(state, {book.spec.delivery_end().ns, DueItem::delivery_end, id, 0});
      state.open_products.push_back(id);
    }
    if (!load_side(in, state, id, Side::buy) || !load_side(in, state, id, Side::sell)) {
      return false;
    }
    uint32_t failed = 0;
    constexpr size_t failed_trade_bytes = 3 * sizeof(uint64_t);
    if (!in.get(failed) || failed > in.left() / failed_trade_bytes) return false;
    book.failed_trades.resize(failed);
    uint64_t previous_id = 0;
    for (FailedTrade& trade : book.failed_trades) {
      // Ascending ids, each failed in 1..lots of its lots.
      if (!in.get(trade.trade_id) || !in.get(trade.lots) || !in.get(trade.failed_lots) ||
          trade.trade_id <= previous_id || trade.trade_id >= state.next_trade_id ||
          trade.lots <= 0 || trade.failed_lots <= 0 || trade.failed_lots > trade.lots) {
        return false;
      }
      previous_id = trade.trade_id;
    }
    if (book.state == ProductState::delivered) {  // as retire_product left it
      if (!book.bids.empty() || !book.asks.empty() || !book.failed_trades.empty()) return false;
      book.bids.release_memory();
      book.asks.release_memory();
    }
  }
  return true;
}

bool load_accounts(In& in, EngineState& state) {
  uint32_t funded = 0;
  if (!in.get(funded)) return false;
  for (uint32_t i = 0; i < funded; ++i) {
    uint32_t participant = 0;
    int64_t available = 0, held = 0;
    if (!in.get(participant) || !in.get(available) || !in.get(held) ||
        participant >= state.accounts.size() || available < 0 || held < 0) {
      return false;
    }
    state.accounts[participant].available = available;
    state.accounts[participant].held = held;
  }
  uint32_t suspended = 0;
  if (!in.get(suspended) || suspended > state.accounts.size()) return false;
  for (uint32_t i = 0; i < suspended; ++i) {
    uint32_t participant = 0;
    if (!in.get(participant) || participant >= state.accounts.size() ||
        state.accounts[participant].suspended) {
      return false;
    }
    state.accounts[participant].suspended = true;
  }
  uint32_t capacities = 0;
  if (!in.get(capacities)) return false;
  for (uint32_t i = 0; i < capacities; ++i) {
    uint32_t participant = 0;
    uint64_t product = 0;
    CapacityAccount capacity;
    if (!in.get(participant) || !in.get(product) || !in.get(capacity.available) ||
        !in.get(capacity.held) || !in.get(capacity.proceeds) || capacity.proceeds < 0 ||
        participant >= state.config.limits.participants_max ||
        product >= state.products.size() ||
        state.capacity.find(participant, product) != nullptr ||
        state.capacity.insert(participant, product, capacity) == nullptr) {
      return false;
    }
    state.products[product].sellers.push_back(participant);
  }
  return true;
}

bool load_client_ids(In& in, EngineState& state) {
  uint32_t blocks = 0;
  if (!in.get(blocks)) return false;
  for (uint32_t i = 0; i < blocks; ++i) {
    uint32_t participant = 0;
    uint64_t first_id = 0, bits = 0;
    if (!in.get(participant) || !in.get(first_id) || !in.get(bits) ||
        participant >= state.config.limits.participants_max ||
        !state.client_ids.restore_block(participant, first_id, bits)) {
      return false;
    }
  }
  uint32_t floors = 0;
  if (!in.get(floors)) return false;
  for (uint32_t i = 0; i < floors; ++i) {
    uint32_t participant = 0;
    uint64_t floor = 0;
    if (!in.get(participant) || !in.get(floor) ||
        !state.client_ids.restore_floor(participant, floor)) {
      return false;
    }
  }
  return true;
}

// Each live order's client id names its slot again.
bool link_live_ids(EngineState& state) {
  for (const ProductBook& book : state.products) {
    for (const BookSide* side : {&book.bids, &book.asks}) {
      for (size_t depth = 0; depth < side->level_count(); ++depth) {
        for (uint32_t slot = state.levels[side->level_at(depth)].head; slot != no_index;
             slot = state.orders[slot].next) {
          Order& order = state.orders[slot];
          if (!state.client_ids.known(order.participant, order.client_id.value)) return false;
          order.id_block =
              state.client_ids.add_live(order.participant, order.client_id.value, slot);
        }
      }
    }
  }
  return true;
}

}  // namespace

bool Engine::load(std::span<const uint8_t> bytes) {
  EngineState& state = *state_;
  GHX_ASSERT(state.last_sequence.value == 0 && state.products.empty());
  In in(bytes);
  uint64_t magic = 0;
  const bool ok = in.get(magic) && magic == snapshot_magic && in.get(state.now.ns) &&
                  in.get(state.last_sequence.value) && in.get(state.next_trade_id) &&
                  in.get(state.cash_in) && state.cash_in >= 0 && load_products(in, state) &&
                  load_accounts(in, state) && load_client_ids(in, state) && link_live_ids(state) &&
                  in.done();
  state.dirty_levels.clear();
  note_book_size();
  return ok;
}

}  // namespace ghx::matching
