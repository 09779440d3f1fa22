#include "tests/matching/reference_engine.h"

#include <algorithm>

#include "matching/assert.h"

namespace ghx::matching::testing {

namespace {

__extension__ using Int128 = __int128;

int64_t notional_of(const ProductSpec& spec, int64_t price, int64_t lots) {
  return static_cast<int64_t>(Int128{price} * lots * spec.lot_size_gpus * spec.hours());
}

int64_t fee_of(int64_t notional, int64_t fee_bps) {
  return static_cast<int64_t>(Int128{notional} * fee_bps / 10'000);
}

// What a seller that failed to deliver owes the buyer, before the cap at its cash.
int64_t penalty_of(int64_t notional, int64_t penalty_bps) {
  return static_cast<int64_t>(Int128{notional} * penalty_bps / 10'000);
}

}  // namespace

std::pair<const int64_t, std::list<ReferenceEngine::Order>>* ReferenceEngine::best(uint32_t product,
                                                                                   Side side) {
  Levels& book = levels(product, side);
  if (book.empty()) return nullptr;
  return side == Side::buy ? &*book.rbegin() : &*book.begin();
}

ReferenceEngine::Order* ReferenceEngine::find_live(uint32_t participant, uint64_t client_id) {
  const auto entry = client_ids_.find({participant, client_id});
  if (entry == client_ids_.end() || entry->second == 0) return nullptr;
  for (Product& product : products_) {
    for (Levels* book : {&product.bids, &product.asks}) {
      for (auto& [price, queue] : *book) {
        for (Order& order : queue) {
          if (order.id == entry->second) return &order;
        }
      }
    }
  }
  return nullptr;
}

int64_t ReferenceEngine::hold_of(const Order& order) const {
  const int64_t notional = notional_of(products_[order.product].spec, order.price, order.remaining);
  return notional + fee_of(notional, config_.fee_bps);
}

void ReferenceEngine::release(const Order& order) {
  if (order.side == Side::buy) {
    cash_[order.participant].held -= hold_of(order);
    cash_[order.participant].available += hold_of(order);
  } else {
    Capacity& funds = capacity_[{order.participant, order.product}];
    funds.held -= order.remaining;
    funds.available += order.remaining;
  }
}

void ReferenceEngine::take(const Order& order) {
  if (order.side == Side::buy) {
    cash_[order.participant].held += hold_of(order);
    cash_[order.participant].available -= hold_of(order);
  } else {
    Capacity& funds = capacity_[{order.participant, order.product}];
    funds.held += order.remaining;
    funds.available -= order.remaining;
  }
}

Event& ReferenceEngine::emit(EventType type) {
  Event& event = events_->emplace_back();
  event.type = type;
  event.sequence = SequenceNumber{sequence_};
  event.timestamp = Timestamp{now_};
  return event;
}

Event& ReferenceEngine::emit_order(EventType type, const Order& order) {
  Event& event = emit(type);
  event.participant = ParticipantId{order.participant};
  event.product = ProductId{order.product};
  event.order_id = OrderId{order.id};
  event.client_order_id = ClientOrderId{order.client_id};
  event.side = order.side;
  event.price = Price{order.price};
  return event;
}

void ReferenceEngine::reject(const Command& command, RejectReason reason) {
  Event& event = emit(EventType::rejected);
  event.participant = command.participant;
  event.product = command.product;
  event.client_order_id = command.client_order_id;
  event.orig_client_order_id = command.orig_client_order_id;
  event.side = command.side;
  event.reject_reason = reason;
}

// A level whose size may have changed; reported once, with its final size, at flush().
void ReferenceEngine::touch(uint32_t product, Side side, int64_t price) {
  const auto key = std::make_tuple(product, side, price);
  if (std::find(touched_.begin(), touched_.end(), key) == touched_.end()) touched_.push_back(key);
}

void ReferenceEngine::flush() {
  for (const auto& [product, side, price] : touched_) {
    int64_t size = 0;
    const Levels& book = levels(product, side);
    if (const auto level = book.find(price); level != book.end()) {
      for (const Order& order : level->second) size += order.remaining;
    }
    Event& event = emit(EventType::book_level);
    event.product = ProductId{product};
    event.side = side;
    event.price = Price{price};
    event.quantity = Quantity{size};
  }
  touched_.clear();
}

void ReferenceEngine::unlink(const Order& order, bool on_book) {
  if (on_book) {
    Levels& book = levels(order.product, order.side);
    auto& queue = book.at(order.price);
    queue.remove_if([&](const Order& resting) { return resting.id == order.id; });
    if (queue.empty()) book.erase(order.price);
    touch(order.product, order.side, order.price);
  }
  client_ids_[{order.participant, order.client_id}] = 0;
  live_.erase(order.id);
}

void ReferenceEngine::cancel(Order order, CancelReason reason, bool on_book) {
  release(order);
  Event& event = emit_order(EventType::canceled, order);
  event.quantity = Quantity{order.remaining};
  event.cancel_reason = reason;
  unlink(order, on_book);
}

void ReferenceEngine::expire(Order order, ExpireReason reason) {
  release(order);
  Event& event = emit_order(EventType::expired, order);
  event.quantity = Quantity{order.remaining};
  event.expire_reason = reason;
  unlink(order, true);
}

// Trades the taker against the opposite side, best price first, oldest first. Meeting its own
// order: cancel_taker stops; cancel_maker cancels the resting order and goes on; cancel_both
// does both.
ReferenceEngine::End ReferenceEngine::match(Order& taker) {
  const Side maker_side = opposite(taker.side);
  while (taker.remaining > 0) {
    auto* level = best(taker.product, maker_side);
    if (level == nullptr || !crosses(taker.side, taker.price, level->first)) break;
    Order& maker = level->second.front();
    if (maker.participant == taker.participant) {
      if (taker.self_trade != SelfTradePrevention::cancel_taker) {
        cancel(maker, CancelReason::self_trade, true);
      }
      if (taker.self_trade != SelfTradePrevention::cancel_maker) return End::self_trade;
      continue;
    }
    const int64_t price = maker.price;
    fill(taker, maker, price);
    touch(taker.product, maker_side, price);
    if (maker.remaining == 0) unlink(Order(maker), true);
  }
  return End::done;
}

// One trade of min(remaining) lots at `price`, the taker's fill (with the maker's fields) then
// the public trade. The buyer's hold gives up what the lots held at its limit and pays the
// notional and fee; the seller's held capacity drops, and its proceeds grow by notional less
// fee (paid at delivery end).
void ReferenceEngine::fill(Order& taker, Order& maker, int64_t price) {
  const ProductSpec& spec = products_[taker.product].spec;
  const int64_t lots = std::min(taker.remaining, maker.remaining);
  Order& buyer = taker.side == Side::buy ? taker : maker;
  const int64_t hold_before = hold_of(buyer);
  const int64_t notional = notional_of(spec, price, lots);
  const int64_t fee = fee_of(notional, config_.fee_bps);
  taker.remaining -= lots;
  maker.remaining -= lots;
  const int64_t released = hold_before - hold_of(buyer);
  cash_[buyer.participant].held -= released;
  cash_[buyer.participant].available += released - notional - fee;
  const uint32_t seller = taker.side == Side::sell ? taker.participant : maker.participant;
  Capacity& sold = capacity_[{seller, taker.product}];
  sold.held -= lots;
  sold.proceeds += notional - fee;  // paid at delivery end

  Event& event = emit_order(EventType::fill, taker);
  event.price = Price{price};
  event.quantity = Quantity{lots};
  event.remaining = Quantity{taker.remaining};
  event.trade_id = TradeId{next_trade_id_};
  event.maker_order_id = OrderId{maker.id};
  event.maker_participant = ParticipantId{maker.participant};
  event.maker_client_order_id = ClientOrderId{maker.client_id};
  event.maker_remaining = Quantity{maker.remaining};
  event.buyer_fee = Cash{fee};
  event.seller_fee = Cash{fee};
  event.notional = Cash{notional};
  event.buyer_hold_released = Cash{released};
  Event& trade = emit(EventType::trade);
  trade.product = ProductId{taker.product};
  trade.side = taker.side;
  trade.price = Price{price};
  trade.quantity = Quantity{lots};
  trade.trade_id = TradeId{next_trade_id_++};
  trade.notional = Cash{notional};
}

// How many lots the taker could trade right now, walking the book as match() would.
int64_t ReferenceEngine::executable(const Order& taker, int64_t needed) {
  int64_t lots = 0;
  const Levels& book = levels(taker.product, opposite(taker.side));
  std::vector<const std::list<Order>*> queues;
  if (taker.side == Side::buy) {
    for (auto it = book.begin(); it != book.end() && it->first <= taker.price; ++it) {
      queues.push_back(&it->second);
    }
  } else {
    for (auto it = book.rbegin(); it != book.rend() && it->first >= taker.price; ++it) {
      queues.push_back(&it->second);
    }
  }
  for (const auto* queue : queues) {
    for (const Order& maker : *queue) {
      if (maker.participant == taker.participant) {
        if (taker.self_trade == SelfTradePrevention::cancel_maker) continue;
        return lots;
      }
      lots += maker.remaining;
      if (lots >= needed) return lots;
    }
  }
  return lots;
}

void ReferenceEngine::finish(Order& taker, End end, bool market) {
  if (taker.remaining == 0) {
    unlink(taker, false);
  } else if (end == End::self_trade) {
    cancel(taker, CancelReason::self_trade, false);
  } else if (market) {
    const bool liquidity_left = best(taker.product, opposite(taker.side)) != nullptr;
    cancel(taker, liquidity_left ? CancelReason::market_collar : CancelReason::immediate_or_cancel,
           false);
  } else if (taker.time_in_force == TimeInForce::immediate_or_cancel) {
    cancel(taker, CancelReason::immediate_or_cancel, false);
  } else {
    levels(taker.product, taker.side)[taker.price].push_back(taker);
    touch(taker.product, taker.side, taker.price);
  }
}

// A market order is a limit at the opposite best moved by the collar, rounded to the tick
// towards the best price.
int64_t ReferenceEngine::collar(uint32_t product, Side side) {
  const int64_t best_price = best(product, opposite(side))->first;
  const int64_t tick = products_[product].spec.tick_size;
  const int64_t distance = best_price * config_.market_collar_bps / 10'000;
  if (side == Side::buy) {
    const int64_t limit = std::min(best_price + distance, config_.limits.price_max);
    return std::max(best_price, limit / tick * tick);
  }
  return std::max(tick, (best_price - distance + tick - 1) / tick * tick);
}

}  // namespace ghx::matching::testing

namespace ghx::matching::testing {

// Due items happen in (time, kind, id) order: gate closures, then deliveries, then
// good-till-time expiries, then scheduled uncrosses; ties by product id or order id. A product
// has an uncross due only while it is in the auction that scheduled it (a halt, a gate closure
// or an earlier uncross ends that auction, and a new one sets its own time).
void ReferenceEngine::run_due() {
  while (true) {
    std::tuple<int64_t, int, uint64_t> next{INT64_MAX, 0, 0};
    for (uint32_t id = 0; id < products_.size(); ++id) {
      const Product& product = products_[id];
      const int64_t gate_ns = product.spec.delivery_start().ns - config_.gate_closure_lead_ns;
      // A halt does not stop the clock: a halted product's gate closes as a trading one's, and
      // so does one in auction (without an uncross).
      if (product.state == ProductState::trading || product.state == ProductState::halted ||
          product.state == ProductState::auction) {
        next = std::min(next, std::make_tuple(gate_ns, 0, uint64_t{id}));
      }
      if (product.state == ProductState::auction && product.uncross_ns != 0) {
        next = std::min(next, std::make_tuple(product.uncross_ns, 3, uint64_t{id}));
      }
      if (product.state != ProductState::delivered) {
        next = std::min(next, std::make_tuple(product.spec.delivery_end().ns, 1, uint64_t{id}));
      }
    }
    // Between commands every live order rests, so the earliest live entry is the earliest
    // good-till-time order on the books (an order's expiry time never changes).
    while (!expiries_.empty() && live_.count(expiries_.top().second) == 0) expiries_.pop();
    if (!expiries_.empty()) {
      next = std::min(next, std::make_tuple(expiries_.top().first, 2, expiries_.top().second));
    }
    const auto [time_ns, kind, id] = next;
    if (time_ns > now_) return;
    if (kind == 0) {
      // Gate closure: every resting order expires, bids best first, then asks best first.
      Product& product = products_[id];
      while (auto* level = best(static_cast<uint32_t>(id), Side::buy)) {
        expire(level->second.front(), ExpireReason::gate_closure);
      }
      while (auto* level = best(static_cast<uint32_t>(id), Side::sell)) {
        expire(level->second.front(), ExpireReason::gate_closure);
      }
      flush();
      product.state = ProductState::gate_closed;
    } else if (kind == 1) {
      pay_proceeds(static_cast<uint32_t>(id));
      products_[id].state = ProductState::delivered;
    } else if (kind == 3) {
      uncross(static_cast<uint32_t>(id));  // reports its own product_state
      continue;
    } else {
      // Its level is reported once, with the command's own (process).
      const Key key = live_.at(id);
      expire(*find_live(key.first, key.second), ExpireReason::good_till_time);
      continue;
    }
    Event& event = emit(EventType::product_state);
    event.product = ProductId{static_cast<uint32_t>(id)};
    event.product_state = products_[id].state;
  }
}

void ReferenceEngine::process(const Command& command, std::vector<Event>& events) {
  sequence_ = command.sequence.value;
  now_ = std::max(now_, command.timestamp.ns);
  events_ = &events;
  run_due();
  switch (command.type) {
    case CommandType::new_order: new_order(command); break;
    case CommandType::cancel_order: cancel_order(command); break;
    case CommandType::replace_order: replace(command); break;
    case CommandType::mass_cancel: mass_cancel(command); break;
    case CommandType::order_status: status(command); break;
    case CommandType::deposit:
    case CommandType::withdraw: funds(command); break;
    case CommandType::register_capacity: capacity(command); break;
    case CommandType::list_product: list(command); break;
    case CommandType::fail_trade: fail_trade(command); break;
    case CommandType::halt_product: halt(command); break;
    case CommandType::resume_product: resume(command); break;
    case CommandType::suspend_participant: suspend(command); break;
    case CommandType::reinstate_participant: reinstate(command); break;
    case CommandType::start_auction: start_auction(command); break;
    case CommandType::uncross_auction: uncross_auction(command); break;
    case CommandType::new_block_order: new_block_order(command); break;
    case CommandType::tick: break;
    default: reject(command, RejectReason::unknown_command); break;
  }
  flush();  // what expiries touched, where the command reported nothing itself
}

RejectReason ReferenceEngine::check_new(const Command& c) {
  const EngineLimits& limits = config_.limits;
  if (c.participant.value >= limits.participants_max) return RejectReason::unknown_participant;
  // A resend of a known id is a duplicate, whatever else changed since (and gets the status).
  if (client_ids_.count({c.participant.value, c.client_order_id.value})) {
    return RejectReason::duplicate_client_order_id;
  }
  // A suspended participant is refused before anything about the order itself is looked at.
  if (suspended_.count(c.participant.value)) return RejectReason::participant_suspended;
  if (c.product.value >= products_.size()) return RejectReason::unknown_product;
  const Product& product = products_[c.product.value];
  if (product.state == ProductState::halted) return RejectReason::product_halted;
  if (product.state != ProductState::trading && product.state != ProductState::auction) {
    return RejectReason::product_not_trading;
  }
  const bool market = c.order_type == OrderType::market;
  const bool immediate = c.time_in_force == TimeInForce::immediate_or_cancel ||
                         c.time_in_force == TimeInForce::fill_or_kill;
  // The call phase takes only orders that can rest: nothing that must trade on entry.
  if (product.state == ProductState::auction &&
      (market || immediate || c.post_only || c.min_quantity.value > 0)) {
    return RejectReason::invalid_in_auction;
  }
  if (c.post_only && (market || immediate)) return RejectReason::invalid_order_type;
  if (market && c.time_in_force == TimeInForce::good_till_time) {
    return RejectReason::invalid_order_type;
  }
  if (!market && (c.price.value <= 0 || c.price.value > limits.price_max ||
                  c.price.value % product.spec.tick_size != 0)) {
    return RejectReason::invalid_price;
  }
  if (c.quantity.value <= 0 || c.quantity.value > limits.quantity_max_lots) {
    return RejectReason::invalid_quantity;
  }
  if (c.min_quantity.value < 0 || c.min_quantity > c.quantity) {
    return RejectReason::invalid_min_quantity;
  }
  if (c.time_in_force == TimeInForce::good_till_time && c.expire_time.ns <= now_) {
    return RejectReason::invalid_expire_time;
  }
  return RejectReason::none;
}

void ReferenceEngine::new_order(const Command& c) {
  RejectReason reason = check_new(c);
  Order order;
  order.id = c.sequence.value;
  order.client_id = c.client_order_id.value;
  order.price = c.price.value;
  order.remaining = c.quantity.value;
  order.expire_ns = c.time_in_force == TimeInForce::good_till_time ? c.expire_time.ns : 0;
  order.participant = c.participant.value;
  order.product = c.product.value;
  order.side = c.side;
  order.self_trade = c.self_trade;
  order.time_in_force = c.time_in_force;
  order.post_only = c.post_only;
  const bool market = c.order_type == OrderType::market;
  if (reason == RejectReason::none && market) {
    if (best(order.product, opposite(order.side)) == nullptr) {
      reason = RejectReason::no_liquidity;
    } else {
      order.price = collar(order.product, order.side);
    }
  }
  if (reason == RejectReason::none &&
      Int128{order.price} * order.remaining * products_[order.product].spec.lot_size_gpus *
              products_[order.product].spec.hours() > config_.limits.amount_max) {
    reason = RejectReason::invalid_quantity;  // the order's notional is beyond every limit
  }
  if (reason == RejectReason::none && c.post_only) {
    const auto* level = best(order.product, opposite(order.side));
    if (level != nullptr && crosses(order.side, order.price, level->first)) {
      reason = RejectReason::post_only_would_cross;
    }
  }
  if (reason == RejectReason::none) {
    if (order.side == Side::buy) {
      if (hold_of(order) > cash_[order.participant].available) {
        reason = RejectReason::insufficient_cash;
      }
    } else {
      const auto funds = capacity_.find({order.participant, order.product});
      if (funds == capacity_.end() || funds->second.available < order.remaining) {
        reason = RejectReason::insufficient_capacity;
      }
    }
  }
  if (reason != RejectReason::none) {
    reject(c, reason);
    // A resent order learns what became of the original.
    if (reason == RejectReason::duplicate_client_order_id) {
      emit_status(c.participant.value, c.client_order_id.value);
    }
    return;
  }
  client_ids_[{order.participant, order.client_id}] = order.id;
  live_[order.id] = {order.participant, order.client_id};
  if (order.time_in_force == TimeInForce::good_till_time)
    expiries_.emplace(order.expire_ns, order.id);
  take(order);
  Event& accepted = emit_order(EventType::accepted, order);
  accepted.quantity = c.quantity;
  accepted.remaining = c.quantity;
  if (products_[order.product].state == ProductState::auction) {
    rest(order);  // the call phase matches nothing
    flush();
    return;
  }
  const bool fill_or_kill = c.time_in_force == TimeInForce::fill_or_kill;
  const int64_t needed = fill_or_kill ? c.quantity.value : c.min_quantity.value;
  if (needed > 0 && executable(order, needed) < needed) {
    cancel(order, fill_or_kill ? CancelReason::fill_or_kill : CancelReason::min_quantity, false);
  } else {
    const End end = match(order);
    finish(order, end, market);
  }
  flush();
}

void ReferenceEngine::cancel_order(const Command& c) {
  if (c.participant.value >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
    return;
  }
  Order* order = find_live(c.participant.value, c.orig_client_order_id.value);
  if (order == nullptr) {
    reject(c, RejectReason::unknown_order);
    return;
  }
  cancel(*order, CancelReason::requested, true);
  flush();
}

// Replace: a new client id, price and quantity (the new open quantity). Same price and no more
// quantity keeps the order's place in the queue; anything else re-enters it as a taker.
void ReferenceEngine::replace(const Command& c) {
  if (c.participant.value >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
    return;
  }
  Order* live = find_live(c.participant.value, c.orig_client_order_id.value);
  if (live == nullptr) {
    reject(c, RejectReason::unknown_order);
    return;
  }
  const Product& product = products_[live->product];
  // A halt freezes every live order's terms, whatever else is wrong with the replace.
  if (product.state == ProductState::halted) {
    reject(c, RejectReason::product_halted);
    return;
  }
  RejectReason reason = RejectReason::none;
  const bool keeps = c.price.value == live->price && c.quantity.value <= live->remaining;
  const bool in_auction = product.state == ProductState::auction;  // a crossed book is fine
  if (client_ids_.count({c.participant.value, c.client_order_id.value})) {
    reason = RejectReason::duplicate_client_order_id;
  } else if (c.price.value <= 0 || c.price.value > config_.limits.price_max ||
             c.price.value % product.spec.tick_size != 0) {
    reason = RejectReason::invalid_price;
  } else if (c.quantity.value <= 0 || c.quantity.value > config_.limits.quantity_max_lots ||
             Int128{c.price.value} * c.quantity.value * product.spec.lot_size_gpus *
                     product.spec.hours() > config_.limits.amount_max) {
    reason = RejectReason::invalid_quantity;
  } else if (!keeps) {
    const auto* level = best(live->product, opposite(live->side));
    Order moved = *live;
    moved.price = c.price.value;
    moved.remaining = c.quantity.value;
    if (live->post_only && !in_auction && level != nullptr &&
        crosses(live->side, c.price.value, level->first)) {
      reason = RejectReason::post_only_would_cross;
    } else if (live->side == Side::buy &&
               hold_of(moved) > cash_[live->participant].available + hold_of(*live)) {
      reason = RejectReason::insufficient_cash;
    } else if (live->side == Side::sell &&
               capacity_[{live->participant, live->product}].available + live->remaining <
                   c.quantity.value) {
      reason = RejectReason::insufficient_capacity;
    }
  }
  if (reason != RejectReason::none) {
    reject(c, reason);
    return;
  }
  const uint64_t old_id = live->client_id;
  const Price previous_price{live->price};
  const Quantity previous_remaining{live->remaining};
  client_ids_[{live->participant, old_id}] = 0;
  client_ids_[{live->participant, c.client_order_id.value}] = live->id;
  live_[live->id] = {live->participant, c.client_order_id.value};
  release(*live);
  live->client_id = c.client_order_id.value;
  Order order = *live;
  if (keeps) {
    if (c.quantity.value < live->remaining) touch(live->product, live->side, live->price);
    live->remaining = c.quantity.value;
    take(*live);
    order = *live;
  } else {
    Levels& book = levels(order.product, order.side);
    auto& queue = book.at(order.price);
    queue.remove_if([&](const Order& resting) { return resting.id == order.id; });
    if (queue.empty()) book.erase(order.price);
    touch(order.product, order.side, order.price);
    order.price = c.price.value;
    order.remaining = c.quantity.value;
    take(order);
  }
  Event& event = emit_order(EventType::replaced, order);
  event.orig_client_order_id = ClientOrderId{old_id};
  event.previous_price = previous_price;
  event.previous_remaining = previous_remaining;
  event.quantity = c.quantity;
  event.remaining = c.quantity;
  if (!keeps && in_auction) {
    rest(order);  // the back of its new level, matching nothing
  } else if (!keeps) {
    finish(order, match(order), false);
  }
  flush();
}

// Mass cancel: the participant's live orders (of one product, if given) in the order they
// were accepted.
void ReferenceEngine::mass_cancel(const Command& c) {
  if (c.participant.value >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
    return;
  }
  if (c.has_product && c.product.value >= products_.size()) {
    reject(c, RejectReason::unknown_product);
    return;
  }
  cancel_all_of(c.participant.value, c.has_product ? &c.product.value : nullptr,
                CancelReason::requested);
}

// Cancels the participant's live orders (of one product, if given; else of every product: the
// live ones all rest in open products, as a gate closure expires the rest) in the order they
// were accepted, then reports the levels.
void ReferenceEngine::cancel_all_of(uint32_t participant, const uint32_t* product,
                                    CancelReason reason) {
  std::vector<Key> keys;
  for (const auto& [id, key] : live_) {
    if (key.first == participant) keys.push_back(key);
  }
  for (const Key& key : keys) {
    Order* order = find_live(key.first, key.second);
    if (product == nullptr || order->product == *product) cancel(*order, reason, true);
  }
  flush();
}

void ReferenceEngine::status(const Command& c) {
  if (c.participant.value >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
  } else if (!emit_status(c.participant.value, c.orig_client_order_id.value)) {
    reject(c, RejectReason::unknown_order);
  }
}

// The state of the participant's order with this id: live with its open quantity, or done.
bool ReferenceEngine::emit_status(uint32_t participant, uint64_t client_id) {
  const auto entry = client_ids_.find({participant, client_id});
  if (entry == client_ids_.end()) return false;
  if (entry->second == 0) {
    Event& event = emit(EventType::order_status);
    event.participant = ParticipantId{participant};
    event.client_order_id = ClientOrderId{client_id};
    event.status = OrderStatus::done;
    return true;
  }
  const Order& order = *find_live(participant, client_id);
  Event& event = emit_order(EventType::order_status, order);
  event.remaining = Quantity{order.remaining};
  event.status = OrderStatus::live;
  return true;
}

void ReferenceEngine::funds(const Command& c) {
  const int64_t amount = c.amount.value;
  if (c.participant.value >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
    return;
  }
  Funds& account = cash_[c.participant.value];
  if (amount <= 0 || amount > config_.limits.amount_max ||
      (c.type == CommandType::deposit &&
       account.available > config_.limits.amount_max * 4 - amount)) {
    reject(c, RejectReason::invalid_amount);
    return;
  }
  if (c.type == CommandType::withdraw && account.available < amount) {
    reject(c, RejectReason::insufficient_cash);
    return;
  }
  account.available += c.type == CommandType::deposit ? amount : -amount;
  Event& event = emit(EventType::balance);
  event.participant = c.participant;
  event.available_cash = Cash{account.available};
  event.held_cash = Cash{account.held};
}

void ReferenceEngine::capacity(const Command& c) {
  const int64_t lots = c.capacity.value;
  if (c.participant.value >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
  } else if (c.product.value >= products_.size()) {
    reject(c, RejectReason::unknown_product);
  } else if (products_[c.product.value].state != ProductState::trading &&
             products_[c.product.value].state != ProductState::halted &&
             products_[c.product.value].state != ProductState::auction) {
    // Sellers may line up capacity while the operator has trading stopped or in a call phase.
    reject(c, RejectReason::product_not_trading);
  } else if (lots <= 0 || lots > config_.limits.quantity_max_lots) {
    reject(c, RejectReason::invalid_amount);
  } else {
    Capacity& funds = capacity_[{c.participant.value, c.product.value}];
    if (funds.available + funds.held > INT32_MAX - lots) {
      reject(c, RejectReason::invalid_amount);
      return;
    }
    funds.available += lots;
    Event& event = emit(EventType::capacity);
    event.participant = c.participant;
    event.product = c.product;
    event.available_capacity = Quantity{funds.available};
    event.held_capacity = Quantity{funds.held};
  }
}

void ReferenceEngine::list(const Command& c) {
  if (!validate_spec(c.spec).empty()) {
    reject(c, RejectReason::invalid_product);
    return;
  }
  if (c.spec.delivery_start().ns - config_.gate_closure_lead_ns <= now_) {
    reject(c, RejectReason::product_not_trading);
    return;
  }
  if (products_.size() >= config_.limits.products_max) {
    reject(c, RejectReason::products_full);
    return;
  }
  for (const Product& product : products_) {
    if (product.spec.gpu == c.spec.gpu && product.spec.zone == c.spec.zone &&
        product.spec.start_hour == c.spec.start_hour && product.spec.length == c.spec.length) {
      reject(c, RejectReason::duplicate_product);
      return;
    }
  }
  // An opening auction's uncross must come after now and before the gate closes.
  const int64_t uncross_ns = c.expire_time.ns;
  const int64_t gate_ns = c.spec.delivery_start().ns - config_.gate_closure_lead_ns;
  if (uncross_ns != 0 && (uncross_ns <= now_ || uncross_ns >= gate_ns)) {
    reject(c, RejectReason::invalid_expire_time);
    return;
  }
  products_.push_back(Product{c.spec});
  const ProductId id{static_cast<uint32_t>(products_.size() - 1)};
  emit(EventType::product_listed).product = id;
  if (uncross_ns != 0) {
    products_.back().state = ProductState::auction;
    products_.back().uncross_ns = uncross_ns;
    Event& event = emit(EventType::product_state);
    event.product = id;
    event.product_state = ProductState::auction;
  }
}

// Halt: a trading product stops taking orders and replaces. With cancel_orders, every resting
// order is canceled after the product_state event, as a gate closure would expire them: bids
// best first, then asks best first, oldest first within a level; the levels are reported last.
void ReferenceEngine::halt(const Command& c) {
  if (c.product.value >= products_.size()) {
    reject(c, RejectReason::unknown_product);
    return;
  }
  Product& product = products_[c.product.value];
  if (product.state == ProductState::halted) {
    reject(c, RejectReason::product_halted);
    return;
  }
  // An auction's book may cross: halting it must empty the book, or it would trade on resume.
  if (product.state == ProductState::auction && !c.cancel_orders) {
    reject(c, RejectReason::product_in_auction);
    return;
  }
  if (product.state != ProductState::trading && product.state != ProductState::auction) {
    reject(c, RejectReason::product_not_trading);
    return;
  }
  product.state = ProductState::halted;
  Event& event = emit(EventType::product_state);
  event.product = c.product;
  event.product_state = ProductState::halted;
  if (!c.cancel_orders) return;
  for (const Side side : {Side::buy, Side::sell}) {
    while (auto* level = best(c.product.value, side)) {
      cancel(level->second.front(), CancelReason::product_halted, true);
    }
  }
  flush();
}

// Resume: a halted product trades again. A gate closure ends a halt for good: a gate_closed
// product is not halted, so resuming it is refused.
void ReferenceEngine::resume(const Command& c) {
  if (c.product.value >= products_.size()) {
    reject(c, RejectReason::unknown_product);
    return;
  }
  Product& product = products_[c.product.value];
  if (product.state != ProductState::halted) {
    reject(c, RejectReason::product_not_halted);
    return;
  }
  product.state = ProductState::trading;
  Event& event = emit(EventType::product_state);
  event.product = c.product;
  event.product_state = ProductState::trading;
}

// Suspend: the operator's kill switch for one participant. It says so first, then cancels all
// the participant's orders as a mass cancel over every product would; its new orders are
// refused until it is reinstated (check_new). Nothing else refuses a suspended participant:
// its cancels find no order, and its funds, registrations and failed trades go through.
void ReferenceEngine::suspend(const Command& c) {
  const uint32_t participant = c.participant.value;
  if (participant >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
    return;
  }
  if (suspended_.count(participant)) {
    reject(c, RejectReason::participant_suspended);
    return;
  }
  suspended_.insert(participant);
  Event& event = emit(EventType::participant_state);
  event.participant = c.participant;
  event.suspended = true;
  cancel_all_of(participant, nullptr, CancelReason::participant_suspended);
}

// Reinstate: the participant may send orders again; nothing else changes.
void ReferenceEngine::reinstate(const Command& c) {
  const uint32_t participant = c.participant.value;
  if (participant >= config_.limits.participants_max) {
    reject(c, RejectReason::unknown_participant);
    return;
  }
  if (!suspended_.count(participant)) {
    reject(c, RejectReason::participant_not_suspended);
    return;
  }
  suspended_.erase(participant);
  Event& event = emit(EventType::participant_state);
  event.participant = c.participant;
  event.suspended = false;
}

// Delivery end: each seller of the product, by participant id, is paid what its sales of it
// still owe (fills less failed trades). The product's capacity accounts and failed trades go:
// nothing can touch them after delivery.
void ReferenceEngine::pay_proceeds(uint32_t product) {
  for (auto account = capacity_.begin(); account != capacity_.end();) {
    const auto [participant, of_product] = account->first;
    if (of_product != product) {
      ++account;
      continue;
    }
    if (account->second.proceeds > 0) {
      Funds& cash = cash_[participant];
      cash.available += account->second.proceeds;
      Event& event = emit(EventType::proceeds_paid);
      event.participant = ParticipantId{participant};
      event.product = ProductId{product};
      event.notional = Cash{account->second.proceeds};
      event.available_cash = Cash{cash.available};
      event.held_cash = Cash{cash.held};
    }
    account = capacity_.erase(account);
  }
  failed_trades_.erase(product);
}

// The engine keeps no trades: it trusts the command's facts as far as it can check them. A
// trade is open while its product is not delivered, it has lots that have not failed yet, and
// its seller's proceeds of the product still hold what the failing lots paid it.
RejectReason ReferenceEngine::check_fail_trade(const Command& c) {
  const EngineLimits& limits = config_.limits;
  if (c.participant.value >= limits.participants_max ||
      c.counterparty.value >= limits.participants_max) {
    return RejectReason::unknown_participant;
  }
  if (c.product.value >= products_.size()) return RejectReason::unknown_product;
  const int64_t amount = c.amount.value;
  const int64_t fee = c.fee.value;
  // Like a deposit, the buyer's cash stays at most 4 x amount_max: the refund and a penalty
  // of at most as much again must fit under it.
  if (amount <= 0 || amount > limits.amount_max || fee < 0 || fee > amount ||
      c.trade_id.value == 0 || c.trade_id.value >= next_trade_id_ ||
      cash_[c.counterparty.value].available > limits.amount_max * 4 - 2 * amount) {
    return RejectReason::invalid_amount;
  }
  const int64_t lots = c.capacity.value;
  const int64_t failing = c.quantity.value;
  if (lots <= 0 || lots > limits.quantity_max_lots || amount % lots != 0 || failing <= 0 ||
      failing > lots) {
    return RejectReason::invalid_quantity;
  }
  const auto& failed = failed_trades_[c.product.value];
  if (const auto it = failed.find(c.trade_id.value); it != failed.end()) {
    const auto [first_lots, failed_lots] = it->second;
    if (failed_lots == first_lots) return RejectReason::trade_not_open;
    if (first_lots != lots || failed_lots + failing > lots) return RejectReason::invalid_quantity;
  }
  const auto account = capacity_.find({c.participant.value, c.product.value});
  if (products_[c.product.value].state == ProductState::delivered || account == capacity_.end() ||
      account->second.proceeds < lost_proceeds(c)) {
    return RejectReason::trade_not_open;
  }
  return RejectReason::none;
}

// What the failing lots would have paid the seller: their notional less the part of the
// seller's fee they take (the fee still due falls to floor(fee x open lots / lots)).
int64_t ReferenceEngine::lost_proceeds(const Command& c) {
  const int64_t lots = c.capacity.value;
  const auto failed = failed_trades_[c.product.value].find(c.trade_id.value);
  const int64_t before =
      failed == failed_trades_[c.product.value].end() ? 0 : failed->second.second;
  __extension__ using Int128 = __int128;
  const auto fee_left = [&](int64_t failed_lots) {
    return static_cast<int64_t>(static_cast<Int128>(c.fee.value) * (lots - failed_lots) / lots);
  };
  const int64_t refund = c.amount.value / lots * c.quantity.value;
  return refund - (fee_left(before) - fee_left(before + c.quantity.value));
}

// The buyer gets the failing lots' notional back (its fee stays paid) and a penalty on it from
// the seller, capped at the seller's available cash; the seller's proceeds lose what those lots
// would have paid.
void ReferenceEngine::fail_trade(const Command& c) {
  if (const RejectReason reason = check_fail_trade(c); reason != RejectReason::none) {
    reject(c, reason);
    return;
  }
  const uint32_t seller = c.participant.value;
  const uint32_t buyer = c.counterparty.value;
  const int64_t lots = c.capacity.value;
  const int64_t refund = c.amount.value / lots * c.quantity.value;
  const int64_t lost = lost_proceeds(c);
  auto& failed = failed_trades_[c.product.value][c.trade_id.value];
  failed.first = lots;
  failed.second += c.quantity.value;
  capacity_.at({seller, c.product.value}).proceeds -= lost;
  cash_[buyer].available += refund;
  int64_t penalty = 0;
  if (buyer != seller) {
    penalty = std::min(penalty_of(refund, config_.failure_penalty_bps),
                       std::max<int64_t>(0, cash_[seller].available));
  }
  cash_[seller].available -= penalty;
  cash_[buyer].available += penalty;
  Event& event = emit(EventType::trade_failed);
  event.participant = c.participant;
  event.counterparty = c.counterparty;
  event.product = c.product;
  event.trade_id = c.trade_id;
  event.quantity = c.quantity;
  event.remaining = Quantity{lots - failed.second};
  event.notional = Cash{refund};
  event.seller_fee = Cash{refund - lost};
  event.penalty = Cash{penalty};
}

// Start an auction: a trading or halted product (the reopening after a halt) enters its call
// phase. Its resting orders stay. A scheduled uncross must fall strictly between now and the
// gate closure.
void ReferenceEngine::start_auction(const Command& c) {
  if (c.product.value >= products_.size()) {
    reject(c, RejectReason::unknown_product);
    return;
  }
  Product& product = products_[c.product.value];
  if (product.state == ProductState::auction) {
    reject(c, RejectReason::product_in_auction);
    return;
  }
  if (product.state != ProductState::trading && product.state != ProductState::halted) {
    reject(c, RejectReason::product_not_trading);
    return;
  }
  const int64_t at_ns = c.expire_time.ns;
  const int64_t gate_ns = product.spec.delivery_start().ns - config_.gate_closure_lead_ns;
  if (at_ns != 0 && (at_ns <= now_ || at_ns >= gate_ns)) {
    reject(c, RejectReason::invalid_expire_time);
    return;
  }
  product.state = ProductState::auction;
  product.uncross_ns = at_ns;
  Event& event = emit(EventType::product_state);
  event.product = c.product;
  event.product_state = ProductState::auction;
}

void ReferenceEngine::uncross_auction(const Command& c) {
  if (c.product.value >= products_.size()) {
    reject(c, RejectReason::unknown_product);
  } else if (products_[c.product.value].state != ProductState::auction) {
    reject(c, RejectReason::product_not_in_auction);
  } else {
    uncross(c.product.value);
  }
}

// The uncross: price the book, trade everything that crosses at that price, and again, until
// nothing crosses. A self-trade cancels by the taker's mode and re-prices what is left. Then
// every level touched, then the product trades again, with the price of the last pass that
// traded and the lots traded in all.
void ReferenceEngine::uncross(uint32_t id) {
  int64_t price = 0;
  int64_t last_price = 0;
  int64_t lots = 0;
  while (uncross_price(id, price)) {
    const int64_t traded = execute_pass(id, price);
    if (traded > 0) last_price = price;
    lots += traded;
  }
  flush();
  Product& product = products_[id];
  product.state = ProductState::trading;
  product.uncross_ns = 0;
  Event& event = emit(EventType::product_state);
  event.product = ProductId{id};
  event.product_state = ProductState::trading;
  event.price = Price{last_price};
  event.quantity = Quantity{lots};
}

// The price that trades the most lots; of those, the one leaving the fewest lots unmatched; of
// those, the highest when buyers are left over at every one, the lowest when sellers are,
// else the lower middle one. False when no bid meets an ask.
bool ReferenceEngine::uncross_price(uint32_t id, int64_t& price) {
  const Product& product = products_[id];
  std::set<int64_t> candidates;
  for (const Levels* book : {&product.bids, &product.asks}) {
    for (const auto& [level_price, queue] : *book) candidates.insert(level_price);
  }
  int64_t volume_max = 0;
  std::vector<std::pair<int64_t, int64_t>> kept;  // (price, surplus), by price ascending
  for (const int64_t candidate : candidates) {
    int64_t demand = 0;
    int64_t supply = 0;
    for (const auto& [level_price, queue] : product.bids) {
      for (const Order& order : queue) demand += level_price >= candidate ? order.remaining : 0;
    }
    for (const auto& [level_price, queue] : product.asks) {
      for (const Order& order : queue) supply += level_price <= candidate ? order.remaining : 0;
    }
    const int64_t volume = std::min(demand, supply);
    if (volume > volume_max) kept.clear();
    if (volume >= volume_max) kept.emplace_back(candidate, demand - supply);
    volume_max = std::max(volume_max, volume);
  }
  if (volume_max == 0) return false;
  int64_t imbalance_min = INT64_MAX;
  for (const auto& [candidate, surplus] : kept) {
    imbalance_min = std::min(imbalance_min, surplus < 0 ? -surplus : surplus);
  }
  std::vector<std::pair<int64_t, int64_t>> closest;
  for (const auto& entry : kept) {
    if (entry.second == imbalance_min || entry.second == -imbalance_min) closest.push_back(entry);
  }
  const bool buyers_left = std::all_of(closest.begin(), closest.end(),
                                       [](const auto& entry) { return entry.second > 0; });
  const bool sellers_left = std::all_of(closest.begin(), closest.end(),
                                        [](const auto& entry) { return entry.second < 0; });
  if (buyers_left) {
    price = closest.back().first;
  } else if (sellers_left) {
    price = closest.front().first;
  } else {
    price = closest[(closest.size() - 1) / 2].first;
  }
  return true;
}

// One execution pass at `price`: the best bid meets the best ask while both are at or through
// the price. The later order (larger id) is the taker. Returns the lots traded; it stops early
// at a self-trade, which cancels by the taker's mode (maker first).
int64_t ReferenceEngine::execute_pass(uint32_t id, int64_t price) {
  int64_t lots = 0;
  while (true) {
    auto* bids = best(id, Side::buy);
    auto* asks = best(id, Side::sell);
    if (bids == nullptr || asks == nullptr || bids->first < price || asks->first > price) {
      return lots;
    }
    Order& bid = bids->second.front();
    Order& ask = asks->second.front();
    Order& taker = bid.id > ask.id ? bid : ask;
    Order& maker = bid.id > ask.id ? ask : bid;
    if (bid.participant == ask.participant) {
      const SelfTradePrevention mode = taker.self_trade;
      ++uncross_self_trades_[static_cast<size_t>(mode)];
      const Order taker_order = taker;
      const Order maker_order = maker;
      if (mode != SelfTradePrevention::cancel_taker) {
        cancel(maker_order, CancelReason::self_trade, true);
      }
      if (mode != SelfTradePrevention::cancel_maker) {
        cancel(taker_order, CancelReason::self_trade, true);
      }
      return lots;
    }
    lots += std::min(bid.remaining, ask.remaining);
    fill(taker, maker, price);
    // Both levels change; the maker's counts as touched first, as in a continuous fill.
    touch(id, maker.side, maker.price);
    touch(id, taker.side, taker.price);
    if (bid.remaining == 0) unlink(Order(bid), true);
    if (ask.remaining == 0) unlink(Order(ask), true);
  }
}

// An order joins the back of its level, as one that found nothing to trade does.
void ReferenceEngine::rest(const Order& order) {
  levels(order.product, order.side)[order.price].push_back(order);
  touch(order.product, order.side, order.price);
}

// Block orders: one limit price and quantity over `windows` consecutive windows, each part
// filled in full at once as a fill-or-kill order of its window's product, or none at all.
// Nothing rests. The checks are made over every window before anything trades.
void ReferenceEngine::new_block_order(const Command& c) {
  std::vector<uint32_t> windows;
  uint32_t at = c.product.value;
  const RejectReason reason = check_block(c, windows, at);
  if (reason != RejectReason::none) {
    reject(c, reason);
    events_->back().product = ProductId{at};  // the window at fault, where there is one
    if (reason == RejectReason::duplicate_client_order_id) {
      emit_status(c.participant.value, c.client_order_id.value);
    }
    return;
  }
  // Every window's part is known to fill in full: each trades in a book of its own, so one
  // part's trades do not change what another can trade.
  for (const uint32_t window : windows) {
    Order order = block_part(c, window);
    client_ids_[{order.participant, order.client_id}] = order.id;
    live_[order.id] = {order.participant, order.client_id};
    take(order);
    Event& accepted = emit_order(EventType::accepted, order);
    accepted.quantity = c.quantity;
    accepted.remaining = c.quantity;
    const End end = match(order);
    GHX_ASSERT(end == End::done && order.remaining == 0);
    finish(order, end, false);  // done: its client id is known, as any finished order's
  }
  flush();
}

// The checks, in order: the first that fails refuses the block. `windows` gets the windows'
// products as they are found; `at` the product a reject names when it is not the command's.
RejectReason ReferenceEngine::check_block(const Command& c, std::vector<uint32_t>& windows,
                                          uint32_t& at) {
  const EngineLimits& limits = config_.limits;
  if (c.participant.value >= limits.participants_max) return RejectReason::unknown_participant;
  if (client_ids_.count({c.participant.value, c.client_order_id.value})) {
    return RejectReason::duplicate_client_order_id;
  }
  if (suspended_.count(c.participant.value)) return RejectReason::participant_suspended;
  if (c.product.value >= products_.size()) return RejectReason::unknown_product;
  if (c.windows < 2 || c.windows > limits.block_windows_max) return RejectReason::invalid_block;
  for (int64_t k = 0; k < c.windows; ++k) {
    uint32_t window = 0;
    if (!find_window(c.product.value, k, window)) return RejectReason::block_window_not_trading;
    if (products_[window].state != ProductState::trading) {
      at = window;
      return RejectReason::block_window_not_trading;
    }
    windows.push_back(window);
  }
  for (const uint32_t window : windows) {
    if (c.price.value <= 0 || c.price.value > limits.price_max ||
        c.price.value % products_[window].spec.tick_size != 0) {
      return RejectReason::invalid_price;
    }
  }
  if (c.quantity.value <= 0 || c.quantity.value > limits.quantity_max_lots) {
    return RejectReason::invalid_quantity;
  }
  for (const uint32_t window : windows) {
    const ProductSpec& spec = products_[window].spec;
    if (Int128{c.price.value} * c.quantity.value * spec.lot_size_gpus * spec.hours() >
        limits.amount_max) {
      return RejectReason::invalid_quantity;
    }
  }
  return check_block_cover(c, windows, at);
}

// The last checks of a block: the funds (buy) or capacity (sell) for every window, then the
// book of every window, walked as for a fill-or-kill order.
RejectReason ReferenceEngine::check_block_cover(const Command& c,
                                                const std::vector<uint32_t>& windows,
                                                uint32_t& at) {
  if (c.side == Side::buy) {
    Int128 holds = 0;  // each at most about amount_max: their sum may not fit in 64 bits
    for (const uint32_t window : windows) holds += hold_of(block_part(c, window));
    if (holds > cash_[c.participant.value].available) return RejectReason::insufficient_cash;
  } else {
    for (const uint32_t window : windows) {
      const auto funds = capacity_.find({c.participant.value, window});
      if (funds == capacity_.end() || funds->second.available < c.quantity.value) {
        at = window;
        return RejectReason::insufficient_capacity;
      }
    }
  }
  for (const uint32_t window : windows) {
    if (executable(block_part(c, window), c.quantity.value) < c.quantity.value) {
      at = window;
      return RejectReason::block_not_fillable;
    }
  }
  return RejectReason::none;
}

// Window k of a block whose window 0 is `first`: the product not yet delivered of the same GPU
// model, zone and window length that starts k window lengths later. False if none is listed.
bool ReferenceEngine::find_window(uint32_t first, int64_t k, uint32_t& window) const {
  if (k == 0) {
    window = first;
    return true;
  }
  const ProductSpec& spec = products_[first].spec;
  for (uint32_t id = 0; id < products_.size(); ++id) {
    const ProductSpec& other = products_[id].spec;
    if (products_[id].state != ProductState::delivered && other.gpu == spec.gpu &&
        other.zone == spec.zone && other.length == spec.length &&
        other.start_hour == spec.start_hour + k * spec.hours()) {
      window = id;
      return true;
    }
  }
  return false;
}

// One window's part of a block: a fill-or-kill limit order of that window's product, with the
// block's one order id (the command's sequence) and client id.
ReferenceEngine::Order ReferenceEngine::block_part(const Command& c, uint32_t window) const {
  Order order;
  order.id = c.sequence.value;
  order.client_id = c.client_order_id.value;
  order.price = c.price.value;
  order.remaining = c.quantity.value;
  order.participant = c.participant.value;
  order.product = window;
  order.side = c.side;
  order.self_trade = c.self_trade;
  order.time_in_force = TimeInForce::fill_or_kill;
  return order;
}

}  // namespace ghx::matching::testing
