// Orders: validation, pre-trade risk, new orders, cancel, replace, mass cancel, status.

#include <algorithm>
#include <span>

#include "matching/engine_state.h"

namespace ghx::matching {
namespace {

bool valid_price(const EngineState& state, const ProductSpec& spec, Price price) {
  // A tick of 1 (the default) needs no division: an idiv costs ~40 cycles on the hot path.
  return price.value > 0 && price.value <= state.config.limits.price_max &&
         (spec.tick_size == 1 || price.value % spec.tick_size == 0);
}

bool valid_quantity(const EngineState& state, Quantity quantity) {
  return quantity.value > 0 && quantity.value <= state.config.limits.quantity_max_lots;
}

// An order whose notional could pass amount_max is refused as too large: every sum of money
// in the engine then stays far from overflowing.
bool notional_within_limits(const EngineState& state, const ProductSpec& spec, Price price,
                            Quantity quantity) {
  // The factors are positive (checked before), so a product past 2^63 is past amount_max too.
  int64_t value = 0;
  return notional_fits(spec, price, quantity, value) && value <= state.config.limits.amount_max;
}

// Would an order at `price` on `side` trade at once against the opposite best?
bool crosses_opposite(const EngineState& state, const ProductBook& book, Side side, Price price) {
  const BookSide& makers = book.side(opposite(side));
  return !makers.empty() && makers.crosses(price, state.levels[makers.best()].price);
}

// A market order trades at most `market_collar_bps` away from the opposite best price.
Price collar_price(const EngineState& state, const ProductBook& book, Side side) {
  const Price best = state.levels[book.side(opposite(side)).best()].price;
  const int64_t tick = book.spec.tick_size;
  const int64_t distance = best.value * state.config.market_collar_bps / 10'000;
  if (side == Side::buy) {
    const int64_t limit = std::min(best.value + distance, state.config.limits.price_max);
    return Price{std::max(best.value, limit / tick * tick)};
  }
  const int64_t limit = best.value - distance;
  return Price{std::max(tick, (limit + tick - 1) / tick * tick)};
}

RejectReason check_order_type(const Command& command) {
  const bool market = command.order_type == OrderType::market;
  const bool immediate = command.time_in_force == TimeInForce::immediate_or_cancel ||
                         command.time_in_force == TimeInForce::fill_or_kill;
  if (command.post_only && (market || immediate)) return RejectReason::invalid_order_type;
  if (market && command.time_in_force == TimeInForce::good_till_time) {
    return RejectReason::invalid_order_type;
  }
  return RejectReason::none;
}

// The call phase takes plain limit orders, good till gate closure or a time: an order that
// must trade at once (or not at all) has nothing to trade against until the uncross, and a
// post-only order's promise (never to take) means nothing where every order trades at one
// price.
bool takes_part_in_auction(const Command& command) {
  return command.order_type == OrderType::limit && !command.post_only &&
         command.min_quantity.value == 0 &&
         (command.time_in_force == TimeInForce::good_till_gate_closure ||
          command.time_in_force == TimeInForce::good_till_time);
}

// Everything about a new order that does not depend on the book or on funds.
RejectReason check_new_order_fields(const EngineState& state, const Command& command) {
  const EngineLimits& limits = state.config.limits;
  if (command.participant.value >= limits.participants_max) return RejectReason::unknown_participant;
  // A resent order is a duplicate whatever changed since the original (its product halted or
  // its gate closed, its owner suspended): the reply then says what became of the original.
  if (state.client_ids.known(command.participant.value, command.client_order_id.value)) {
    return RejectReason::duplicate_client_order_id;
  }
  if (state.accounts[command.participant.value].suspended) {
    return RejectReason::participant_suspended;
  }
  if (command.product.value >= state.products.size()) return RejectReason::unknown_product;
  const ProductBook& book = state.products[command.product.value];
  if (book.state != ProductState::trading) {
    if (book.state != ProductState::auction) {
      return book.state == ProductState::halted ? RejectReason::product_halted
                                                : RejectReason::product_not_trading;
    }
    if (!takes_part_in_auction(command)) return RejectReason::invalid_in_auction;
  }
  if (const RejectReason reason = check_order_type(command); reason != RejectReason::none) {
    return reason;
  }
  if (command.order_type == OrderType::limit && !valid_price(state, book.spec, command.price)) {
    return RejectReason::invalid_price;
  }
  if (!valid_quantity(state, command.quantity)) return RejectReason::invalid_quantity;
  if (command.min_quantity.value < 0 || command.min_quantity > command.quantity) {
    return RejectReason::invalid_min_quantity;
  }
  if (command.time_in_force == TimeInForce::good_till_time &&
      command.expire_time <= state.now) {
    return RejectReason::invalid_expire_time;
  }
  return RejectReason::none;
}

// make_room_for_id's rare half, out of line so that the common one inlines into the handlers.
[[gnu::noinline]] RejectReason forget_done_ids(EngineState& state, ParticipantId participant,
                                               ClientOrderId id) {
  if (!state.client_ids.forget_done_ids()) return RejectReason::client_ids_full;
  // The live blocks moved: each live order learns where its id is now.
  state.client_ids.for_each_live(
      [&](uint32_t slot, uint32_t block) { state.orders[slot].id_block = block; });
  if (state.client_ids.known(participant.value, id.value)) {
    return RejectReason::duplicate_client_order_id;
  }
  return RejectReason::none;
}

// A new client id may need a block of the client-id table: when the table is full, the done
// ids are forgotten (see ClientIds), and the id may then fall under its participant's floor:
// used, as far as the engine can tell, so a duplicate.
RejectReason make_room_for_id(EngineState& state, ParticipantId participant, ClientOrderId id) {
  if (!state.client_ids.full()) return RejectReason::none;
  return forget_done_ids(state, participant, id);
}

// Room for a new order of this command: a pool slot (and a level, should it rest) and its
// client id's place. Last of the checks: making room for the id may forget done ids (raising
// the participant's floor), which an order refused for any other reason must not do: a
// refused command changes nothing.
RejectReason check_room(EngineState& state, const Command& command) {
  if (state.orders.full() || state.levels.full()) return RejectReason::orders_full;
  return make_room_for_id(state, command.participant, command.client_order_id);
}

// What the risk check found, so that taking the hold does not work it out again: the amount
// of cash (a bid) or capacity (an ask) to move from available to held, and where those are.
// Taking it is then the same for both sides: no second branch on the side.
struct CheckedHold {
  int64_t amount = 0;
  int64_t* available = nullptr;
  int64_t* held = nullptr;
};

// Checks the book, the pools and the participant's funds; sets the order's effective limit.
RejectReason check_new_order_risk(EngineState& state, const Command& command, Price& limit,
                                  CheckedHold& checked) {
  const ProductBook& book = state.products[command.product.value];
  limit = command.price;
  if (command.order_type == OrderType::market) {
    if (book.side(opposite(command.side)).empty()) return RejectReason::no_liquidity;
    limit = collar_price(state, book, command.side);
  }
  if (!notional_within_limits(state, book.spec, limit, command.quantity)) {
    return RejectReason::invalid_quantity;
  }
  if (command.post_only && crosses_opposite(state, book, command.side, limit)) {
    return RejectReason::post_only_would_cross;
  }
  if (command.side == Side::buy) {
    const Cash hold = bid_hold_of(state, book.spec, limit, command.quantity.value);
    Account& account = state.accounts[command.participant.value];
    if (hold.value > account.available) return RejectReason::insufficient_cash;
    checked = {hold.value, &account.available, &account.held};
  } else {
    CapacityAccount* capacity =
        state.capacity.find(command.participant.value, command.product.value);
    if (capacity == nullptr || capacity->available < command.quantity.value) {
      return RejectReason::insufficient_capacity;
    }
    checked = {command.quantity.value, &capacity->available, &capacity->held};
  }
  // Forgetting done ids touches no account: `checked` stays good.
  return check_room(state, command);
}

// take_holds for a new order, with the amounts the risk check already found.
void take_checked_holds(const CheckedHold& checked) {
  *checked.available -= checked.amount;
  *checked.held += checked.amount;
  GHX_ASSERT(*checked.available >= 0 && *checked.held >= 0);
}

// A new order of `product` in a fresh pool slot, from the command's fields; its client id and
// holds are the caller's.
[[gnu::always_inline]] inline Order& place_order(EngineState& state, uint32_t slot,
                                                 const Command& command, uint32_t product,
                                                 Price limit, TimeInForce time_in_force) {
  Order& order = state.orders[slot];
  order.id = OrderId{command.sequence.value};
  order.client_id = command.client_order_id;
  order.price = limit;
  order.expire_time =
      time_in_force == TimeInForce::good_till_time ? command.expire_time : Timestamp{};
  order.participant = command.participant.value;
  order.product = product;
  order.remaining_lots = static_cast<int32_t>(command.quantity.value);
  order.side = command.side;
  order.self_trade = static_cast<uint8_t>(command.self_trade);
  order.time_in_force = static_cast<uint8_t>(time_in_force);
  order.post_only = command.post_only;
  return order;
}

void emit_accepted(EngineState& state, const Order& order, Quantity quantity) {
  Event& event = emit_order_event(state, EventType::accepted, order);
  event.quantity = quantity;
  event.remaining = quantity;
}

uint32_t accept_order(EngineState& state, const Command& command, Price limit,
                      const CheckedHold& checked) {
  const uint32_t slot = state.orders.allocate();
  GHX_ASSERT(slot != no_index);
  Order& order =
      place_order(state, slot, command, command.product.value, limit, command.time_in_force);
  order.id_block = state.client_ids.add(order.participant, order.client_id.value, slot);
  take_checked_holds(checked);
  emit_accepted(state, order, command.quantity);
  return slot;
}

}  // namespace

bool emit_status(EngineState& state, ParticipantId participant, ClientOrderId id);

void handle_new_order(EngineState& state, const Command& command) {
  RejectReason reason = check_new_order_fields(state, command);
  Price limit;
  CheckedHold checked;
  if (reason == RejectReason::none) reason = check_new_order_risk(state, command, limit, checked);
  if (reason != RejectReason::none) {
    reject(state, command, reason);
    // A resent order (same client id) learns what became of the original instead.
    if (reason == RejectReason::duplicate_client_order_id) {
      emit_status(state, command.participant, command.client_order_id);
    }
    return;
  }
  const uint32_t slot = accept_order(state, command, limit, checked);
  const bool fill_or_kill = command.time_in_force == TimeInForce::fill_or_kill;
  const int64_t needed = fill_or_kill ? command.quantity.value : command.min_quantity.value;
  if (needed > 0 && executable_lots(state, state.orders[slot], needed) < needed) {
    cancel(state, slot, fill_or_kill ? CancelReason::fill_or_kill : CancelReason::min_quantity,
           false);
  } else {
    const MatchEnd end = match(state, slot);
    finish_taker(state, slot, end, command.order_type == OrderType::market, true);
  }
  flush_dirty_levels(state);
}

namespace {

// The pool slot of the participant's live order with this client id; no_index if none.
uint32_t find_live(const EngineState& state, ParticipantId participant, ClientOrderId id) {
  return state.client_ids.live_slot(participant.value, id.value);
}

// check_replace without the room for the new id.
RejectReason check_replace_terms(const EngineState& state, const Command& command,
                                 const Order& order) {
  const ProductBook& book = state.products[order.product];
  // A live order rests in a trading product, a halted one or one in its call phase.
  if (book.state != ProductState::trading && book.state != ProductState::auction) [[unlikely]] {
    return RejectReason::product_halted;
  }
  if (state.client_ids.known(command.participant.value, command.client_order_id.value)) {
    return RejectReason::duplicate_client_order_id;
  }
  if (!valid_price(state, book.spec, command.price)) return RejectReason::invalid_price;
  if (!valid_quantity(state, command.quantity) ||
      !notional_within_limits(state, book.spec, command.price, command.quantity)) {
    return RejectReason::invalid_quantity;
  }
  const bool keeps_priority =
      command.price == order.price && command.quantity.value <= order.remaining_lots;
  if (keeps_priority) return RejectReason::none;
  // In the call phase nothing trades on entry: a post-only order may cross.
  if (order.post_only && book.state != ProductState::auction &&
      crosses_opposite(state, book, order.side, command.price)) {
    return RejectReason::post_only_would_cross;
  }
  if (state.levels.full()) return RejectReason::orders_full;
  if (order.side == Side::buy) {
    const int64_t old_hold = bid_hold_of(state, book.spec, order.price, order.remaining_lots).value;
    const int64_t new_hold = bid_hold_of(state, book.spec, command.price, command.quantity.value).value;
    if (new_hold > state.accounts[order.participant].available + old_hold) {
      return RejectReason::insufficient_cash;
    }
  } else {
    const CapacityAccount* capacity = state.capacity.find(order.participant, order.product);
    GHX_ASSERT(capacity != nullptr);
    if (capacity->available + order.remaining_lots < command.quantity.value) {
      return RejectReason::insufficient_capacity;
    }
  }
  return RejectReason::none;
}

// Last, as for a new order (check_room): making room for the new id may forget done ids, which
// a replace refused for any other reason must not do.
RejectReason check_replace(EngineState& state, const Command& command, const Order& order) {
  if (const RejectReason reason = check_replace_terms(state, command, order);
      reason != RejectReason::none) {
    return reason;
  }
  return make_room_for_id(state, command.participant, command.client_order_id);
}

// The order answers to a new client id from now on; the old one stays remembered as done.
void rename_order(EngineState& state, uint32_t slot, ClientOrderId new_id) {
  Order& order = state.orders[slot];
  state.client_ids.retire(order.id_block, order.client_id.value);
  order.id_block = state.client_ids.add(order.participant, new_id.value, slot);
  order.client_id = new_id;
}

}  // namespace

void handle_cancel(EngineState& state, const Command& command) {
  if (command.participant.value >= state.config.limits.participants_max) {
    reject(state, command, RejectReason::unknown_participant);
    return;
  }
  const uint32_t slot = find_live(state, command.participant, command.orig_client_order_id);
  if (slot == no_index) {
    reject(state, command, RejectReason::unknown_order);
    return;
  }
  cancel(state, slot, CancelReason::requested, true);
  flush_dirty_levels(state);
}

void handle_replace(EngineState& state, const Command& command) {
  if (command.participant.value >= state.config.limits.participants_max) {
    reject(state, command, RejectReason::unknown_participant);
    return;
  }
  const uint32_t slot = find_live(state, command.participant, command.orig_client_order_id);
  if (slot == no_index) {
    reject(state, command, RejectReason::unknown_order);
    return;
  }
  Order& order = state.orders[slot];
  if (const RejectReason reason = check_replace(state, command, order);
      reason != RejectReason::none) {
    reject(state, command, reason);
    return;
  }
  const ClientOrderId old_id = order.client_id;
  const Price previous_price = order.price;
  const Quantity previous_remaining{order.remaining_lots};
  rename_order(state, slot, command.client_order_id);
  const bool keeps_priority =
      command.price == order.price && command.quantity.value <= order.remaining_lots;
  if (keeps_priority) {
    const int64_t reduce_lots = order.remaining_lots - command.quantity.value;
    release_holds(state, order);
    order.remaining_lots = static_cast<int32_t>(command.quantity.value);
    take_holds(state, order);
    if (reduce_lots > 0) {
      state.levels[order.level].quantity -= reduce_lots;
      mark_dirty(state, order.product, order.side, order.level);
    }
  } else {
    release_holds(state, order);
    book_remove(state, slot);
    order.price = command.price;
    order.remaining_lots = static_cast<int32_t>(command.quantity.value);
    take_holds(state, order);
  }
  Event& event = emit_order_event(state, EventType::replaced, order);
  event.orig_client_order_id = old_id;
  event.previous_price = previous_price;
  event.previous_remaining = previous_remaining;
  event.quantity = command.quantity;
  event.remaining = command.quantity;
  if (!keeps_priority) finish_taker(state, slot, match(state, slot), false, false);
  flush_dirty_levels(state);
}

void handle_mass_cancel(EngineState& state, const Command& command) {
  if (command.participant.value >= state.config.limits.participants_max) {
    reject(state, command, RejectReason::unknown_participant);
    return;
  }
  if (command.has_product && command.product.value >= state.products.size()) {
    reject(state, command, RejectReason::unknown_product);
    return;
  }
  const std::span<const uint32_t> products =
      command.has_product ? std::span<const uint32_t>(&command.product.value, 1)
                          : std::span<const uint32_t>(state.open_products);
  cancel_orders_of(state, command.participant.value, products, CancelReason::requested);
}

void cancel_orders_of(EngineState& state, uint32_t participant,
                      std::span<const uint32_t> products, CancelReason reason) {
  // Scans the books rather than keep per-participant lists that every order would pay for on
  // the hot path; mass cancels and suspensions are rare.
  auto& found = state.mass_cancel_orders;
  found.clear();
  for (const uint32_t product : products) {
    const ProductBook& book = state.products[product];
    for (const BookSide* side : {&book.bids, &book.asks}) {
      for (size_t depth = 0; depth < side->level_count(); ++depth) {
        for (uint32_t slot = state.levels[side->level_at(depth)].head; slot != no_index;
             slot = state.orders[slot].next) {
          const Order& order = state.orders[slot];
          if (order.participant == participant) found.emplace_back(order.id.value, slot);
        }
      }
    }
  }
  std::sort(found.begin(), found.end());  // oldest first, as they were accepted
  state.emptied_levels_kept = true;
  for (const auto& [id, slot] : found) cancel(state, slot, reason, true);
  drop_emptied_levels(state);
  flush_dirty_levels(state);
}

// Reports the state of the participant's order with this client id: live (with its open
// quantity) or done. False when the id is unknown.
bool emit_status(EngineState& state, ParticipantId participant, ClientOrderId id) {
  const uint32_t slot = find_live(state, participant, id);
  if (slot == no_index) {
    if (!state.client_ids.known(participant.value, id.value)) return false;
    Event& event = state.emit(EventType::order_status);
    event.participant = participant;
    event.client_order_id = id;
    event.status = OrderStatus::done;
    return true;
  }
  const Order& order = state.orders[slot];
  Event& event = emit_order_event(state, EventType::order_status, order);
  event.remaining = Quantity{order.remaining_lots};
  event.status = OrderStatus::live;
  return true;
}

void handle_order_status(EngineState& state, const Command& command) {
  if (command.participant.value >= state.config.limits.participants_max) {
    reject(state, command, RejectReason::unknown_participant);
    return;
  }
  if (!emit_status(state, command.participant, command.orig_client_order_id)) {
    reject(state, command, RejectReason::unknown_order);
  }
}

// Block orders (CommandType::new_block_order).

namespace {

// Finds the block's windows (into state.block_windows) and checks that each trades now.
// `at_fault` is the product a refusal names.
RejectReason find_block_windows(EngineState& state, const Command& command, uint32_t& at_fault) {
  const ProductSpec& first = state.products[command.product.value].spec;
  const int64_t hours = first.hours();
  // One pass over the open products finds them all, however many windows the block has: window
  // k starts k window lengths after the first, and each window has one open product at most.
  state.block_windows.assign(command.windows, no_index);
  state.block_windows[0] = command.product.value;
  for (const uint32_t open : state.open_products) {
    const ProductSpec& spec = state.products[open].spec;
    const int64_t offset = spec.start_hour - first.start_hour;
    if (offset <= 0 || offset % hours != 0 || offset / hours >= command.windows) continue;
    if (spec.gpu == first.gpu && spec.zone == first.zone && spec.length == first.length) {
      state.block_windows[static_cast<size_t>(offset / hours)] = open;
    }
  }
  for (const uint32_t product : state.block_windows) {
    if (product == no_index) return RejectReason::block_window_not_trading;
    if (state.products[product].state != ProductState::trading) {
      at_fault = product;
      return RejectReason::block_window_not_trading;
    }
  }
  return RejectReason::none;
}

// Everything a block needs before it trades, in the order new orders are checked where the
// checks are the same; then whether every window can fill in full.
RejectReason check_block(EngineState& state, const Command& command, uint32_t& at_fault) {
  const EngineLimits& limits = state.config.limits;
  const uint32_t participant = command.participant.value;
  if (participant >= limits.participants_max) return RejectReason::unknown_participant;
  if (state.client_ids.known(participant, command.client_order_id.value)) {
    return RejectReason::duplicate_client_order_id;  // as a new order's resend
  }
  if (state.accounts[participant].suspended) return RejectReason::participant_suspended;
  if (command.product.value >= state.products.size()) return RejectReason::unknown_product;
  if (command.windows < 2 || command.windows > limits.block_windows_max) {
    return RejectReason::invalid_block;
  }
  if (const RejectReason reason = find_block_windows(state, command, at_fault);
      reason != RejectReason::none) {
    return reason;
  }
  for (const uint32_t product : state.block_windows) {
    if (!valid_price(state, state.products[product].spec, command.price)) {
      return RejectReason::invalid_price;
    }
  }
  if (!valid_quantity(state, command.quantity)) return RejectReason::invalid_quantity;
  for (const uint32_t product : state.block_windows) {
    if (!notional_within_limits(state, state.products[product].spec, command.price,
                                command.quantity)) {
      return RejectReason::invalid_quantity;
    }
  }
  if (command.side == Side::buy) {
    // Window by window against what is left, so that the sum never overflows.
    int64_t cash_left = state.accounts[participant].available;
    for (const uint32_t product : state.block_windows) {
      const int64_t hold =
          bid_hold_of(state, state.products[product].spec, command.price, command.quantity.value)
              .value;
      if (hold > cash_left) return RejectReason::insufficient_cash;
      cash_left -= hold;
    }
  } else {
    for (const uint32_t product : state.block_windows) {
      const CapacityAccount* capacity = state.capacity.find(participant, product);
      if (capacity == nullptr || capacity->available < command.quantity.value) {
        at_fault = product;
        return RejectReason::insufficient_capacity;
      }
    }
  }
  // Each window's part is a fill-or-kill order of its own product: one that could fill in
  // full, counted as matching would go, does fill in full, whatever the other windows do.
  for (const uint32_t product : state.block_windows) {
    Order taker;
    taker.participant = participant;
    taker.product = product;
    taker.side = command.side;
    taker.price = command.price;
    taker.self_trade = static_cast<uint8_t>(command.self_trade);
    if (executable_lots(state, taker, command.quantity.value) < command.quantity.value) {
      at_fault = product;
      return RejectReason::block_not_fillable;
    }
  }
  // Last: making room for the id may forget done ids (raising the participant's floor), which
  // a block refused for any other reason must not do: a refused block leaves no trace.
  return check_room(state, command);
}

}  // namespace

void handle_new_block_order(EngineState& state, const Command& command) {
  uint32_t at_fault = command.product.value;
  if (const RejectReason reason = check_block(state, command, at_fault);
      reason != RejectReason::none) {
    reject(state, command, reason).product = ProductId{at_fault};
    if (reason == RejectReason::duplicate_client_order_id) {
      emit_status(state, command.participant, command.client_order_id);
    }
    return;
  }
  for (size_t k = 0; k < state.block_windows.size(); ++k) {
    const uint32_t slot = state.orders.allocate();
    GHX_ASSERT(slot != no_index);
    Order& order = place_order(state, slot, command, state.block_windows[k], command.price,
                               TimeInForce::fill_or_kill);
    order.post_only = false;
    // The first window's part makes the id known; the others name the known id again, each
    // while it trades (one at a time: each is done before the next starts).
    order.id_block =
        k == 0 ? state.client_ids.add(order.participant, order.client_id.value, slot)
               : state.client_ids.add_live(order.participant, order.client_id.value, slot);
    take_holds(state, order);
    emit_accepted(state, order, command.quantity);
    const MatchEnd end = match(state, slot);
    GHX_ASSERT(state.orders[slot].remaining_lots == 0);
    finish_taker(state, slot, end, false, true);
  }
  flush_dirty_levels(state);
}

}  // namespace ghx::matching
