// Book and account bookkeeping shared by the order handlers and matching: levels touched,
// holds, resting and retiring orders, order events.

#include <algorithm>

#include "matching/engine_state.h"

namespace ghx::matching {

// Moves the cash (bids) or capacity (asks) held for the open quantity of `order`: from
// available to held when it is taken, back when it is released.
void move_holds(EngineState& state, const Order& order, HoldMove move) {
  const int64_t sign = move == HoldMove::take ? 1 : -1;
  if (order.side == Side::buy) {
    const ProductSpec& spec = state.products[order.product].spec;
    const int64_t hold = bid_hold_of(state, spec, order.price, order.remaining_lots).value;
    Account& account = state.accounts[order.participant];
    account.available -= sign * hold;
    account.held += sign * hold;
    GHX_ASSERT(account.available >= 0 && account.held >= 0);
  } else {
    CapacityAccount* capacity = state.capacity.find(order.participant, order.product);
    GHX_ASSERT(capacity != nullptr);
    capacity->available -= sign * order.remaining_lots;
    capacity->held += sign * order.remaining_lots;
    GHX_ASSERT(capacity->available >= 0 && capacity->held >= 0);
  }
}

void release_holds(EngineState& state, const Order& order) {
  move_holds(state, order, HoldMove::release);
}

void take_holds(EngineState& state, const Order& order) {
  move_holds(state, order, HoldMove::take);
}

void book_insert(EngineState& state, uint32_t slot) {
  Order& order = state.orders[slot];
  BookSide& side = state.products[order.product].side(order.side);
  const uint32_t level = side.find_or_insert(order.price, state.levels);
  GHX_ASSERT(level != no_index);  // checked before the order was accepted
  // Empty levels go back to the pool, so a level without orders was just made.
  if (state.levels[level].orders == 0) mark_new_level(state, order.product, order.side, level);
  level_append(state.levels[level], state.orders, slot);
  order.level = level;
  mark_dirty(state, order.product, order.side, level);
}

namespace {

// book_remove's emptied level, out of line: the common case (the level keeps orders) then
// saves and restores fewer registers.
[[gnu::noinline]] void remove_emptied_level(EngineState& state, const Order& order,
                                            uint32_t level_index) {
  mark_emptied(state, order.product, order.side, level_index);
  if (state.emptied_levels_kept) [[unlikely]] {
    auto& products = state.products_with_emptied_levels;
    if (std::find(products.begin(), products.end(), order.product) == products.end()) {
      products.push_back(order.product);
    }
  } else {
    state.products[order.product].side(order.side).erase(order.price);
  }
  state.levels.release(level_index);
}

}  // namespace

void book_remove(EngineState& state, uint32_t slot) {
  Order& order = state.orders[slot];
  const uint32_t level_index = order.level;
  GHX_ASSERT(level_index != no_index && state.levels[level_index].price == order.price);
  Level& level = state.levels[level_index];
  level_remove(level, state.orders, slot);
  order.level = no_index;
  if (level.orders == 0) {
    remove_emptied_level(state, order, level_index);
  } else {
    mark_dirty(state, order.product, order.side, level_index);
  }
}

void drop_emptied_levels(EngineState& state) {
  // A released level has no orders, and while entries are kept nothing takes a level from the
  // pool: each kept entry still names its level, with no orders.
  for (const uint32_t product : state.products_with_emptied_levels) {
    ProductBook& book = state.products[product];
    book.bids.erase_levels_without_orders(state.levels);
    book.asks.erase_levels_without_orders(state.levels);
  }
  state.products_with_emptied_levels.clear();
  state.emptied_levels_kept = false;
}

uint32_t find_open_product(const EngineState& state, const ShortName& gpu, const ShortName& zone,
                           int64_t start_hour, WindowLength length) {
  for (const uint32_t open : state.open_products) {
    const ProductSpec& spec = state.products[open].spec;
    if (spec.start_hour == start_hour && spec.gpu == gpu && spec.zone == zone &&
        spec.length == length) {
      return open;
    }
  }
  return no_index;
}

void cancel(EngineState& state, uint32_t slot, CancelReason reason, bool on_book) {
  const Order& order = state.orders[slot];
  release_holds(state, order);
  Event& event = emit_order_event(state, EventType::canceled, order);
  event.quantity = Quantity{order.remaining_lots};
  event.cancel_reason = reason;
  retire(state, slot, on_book);
}

Event& reject(EngineState& state, const Command& command, RejectReason reason) {
  Event& event = state.emit(EventType::rejected);
  event.participant = command.participant;
  event.product = command.product;
  event.client_order_id = command.client_order_id;
  event.orig_client_order_id = command.orig_client_order_id;
  event.side = command.side;
  event.reject_reason = reason;
  return event;
}

void expire_order(EngineState& state, uint32_t slot, ExpireReason reason) {
  const Order& order = state.orders[slot];
  release_holds(state, order);
  Event& event = emit_order_event(state, EventType::expired, order);
  event.quantity = Quantity{order.remaining_lots};
  event.expire_reason = reason;
  retire(state, slot, true);
}

}  // namespace ghx::matching
