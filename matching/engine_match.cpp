// Matching: a taker against the opposite side in price-time priority, with self-trade
// prevention, fill-or-kill and minimum-quantity checks, and what becomes of the rest.

#include <algorithm>
#include <functional>

#include "matching/engine_state.h"

namespace ghx::matching {
namespace {

// A fill of `lots` at `price`: money, capacity, events, and the maker's level (the maker is
// retired once filled). The taker's place, if it has one, is the caller's. Inline into both
// callers: continuous matching pays for no extra argument.
[[gnu::always_inline]] inline void fill_orders(EngineState& state, uint32_t taker_slot,
                                               uint32_t maker_slot, int64_t lots, Price price) {
  Order& taker = state.orders[taker_slot];
  Order& maker = state.orders[maker_slot];
  const ProductSpec& spec = state.products[taker.product].spec;
  Order& buyer = taker.side == Side::buy ? taker : maker;
  Order& seller = taker.side == Side::buy ? maker : taker;

  const Cash traded = notional(spec, price, Quantity{lots});
  const Cash fee = fee_on(traded, state.config.fee_bps);
  const int64_t released = bid_hold_of(state, spec, buyer.price, buyer.remaining_lots).value -
                           bid_hold_of(state, spec, buyer.price, buyer.remaining_lots - lots).value;
  const int64_t cost = traded.value + fee.value;
  GHX_ASSERT(released >= cost);  // the hold at the limit price covers any fill at or inside it
  Account& buyer_account = state.accounts[buyer.participant];
  buyer_account.held -= released;
  buyer_account.available += released - cost;
  CapacityAccount* capacity = state.capacity.find(seller.participant, seller.product);
  GHX_ASSERT(capacity != nullptr && capacity->held >= lots);
  capacity->held -= lots;
  capacity->proceeds += traded.value - fee.value;  // paid at delivery end

  taker.remaining_lots -= static_cast<int32_t>(lots);
  maker.remaining_lots -= static_cast<int32_t>(lots);
  Level& level = state.levels[maker.level];
  level.quantity -= lots;
  const TradeId trade_id{state.next_trade_id++};

  Event& fill = emit_order_event(state, EventType::fill, taker);
  fill.price = price;
  fill.quantity = Quantity{lots};
  fill.remaining = Quantity{taker.remaining_lots};
  fill.trade_id = trade_id;
  fill.maker_order_id = maker.id;
  fill.maker_participant = ParticipantId{maker.participant};
  fill.maker_client_order_id = maker.client_id;
  fill.maker_remaining = Quantity{maker.remaining_lots};
  fill.buyer_fee = fee;
  fill.seller_fee = fee;
  fill.notional = traded;
  fill.buyer_hold_released = Cash{released};

  Event& trade = state.emit(EventType::trade);
  trade.product = ProductId{taker.product};
  trade.side = taker.side;
  trade.price = price;
  trade.quantity = Quantity{lots};
  trade.trade_id = trade_id;
  trade.notional = traded;

  mark_dirty(state, maker.product, maker.side, maker.level);
  if (maker.remaining_lots == 0) retire(state, maker_slot, true);
}

// Continuous trading: at the maker's price.
void execute_fill(EngineState& state, uint32_t taker_slot, uint32_t maker_slot, int64_t lots) {
  fill_orders(state, taker_slot, maker_slot, lots, state.orders[maker_slot].price);
}

}  // namespace

void execute_resting_fill(EngineState& state, uint32_t taker_slot, uint32_t maker_slot,
                          int64_t lots, Price price) {
  fill_orders(state, taker_slot, maker_slot, lots, price);
  Order& taker = state.orders[taker_slot];
  state.levels[taker.level].quantity -= lots;
  mark_dirty(state, taker.product, taker.side, taker.level);
  if (taker.remaining_lots == 0) retire(state, taker_slot, true);
}

// Lots the taker could trade at once, counted as matching would go, stopping at `needed`.
int64_t executable_lots(const EngineState& state, const Order& taker, int64_t needed) {
  const BookSide& makers = state.products[taker.product].side(opposite(taker.side));
  const auto self_trade = static_cast<SelfTradePrevention>(taker.self_trade);
  int64_t lots = 0;
  for (size_t depth = 0; depth < makers.level_count(); ++depth) {
    const Level& level = state.levels[makers.level_at(depth)];
    if (!makers.crosses(taker.price, level.price)) break;
    for (uint32_t slot = level.head; slot != no_index; slot = state.orders[slot].next) {
      const Order& maker = state.orders[slot];
      if (maker.participant == taker.participant) {
        if (self_trade == SelfTradePrevention::cancel_maker) continue;
        return lots;  // matching stops here: the taker is canceled
      }
      lots += maker.remaining_lots;
      if (lots >= needed) return lots;
    }
  }
  return lots;
}

namespace {

// Does the taker cross the opposite best price (so that match has work to do)?
bool crosses_best(const EngineState& state, const Order& taker) {
  const BookSide& makers = state.products[taker.product].side(opposite(taker.side));
  return !makers.empty() && makers.crosses(taker.price, state.levels[makers.best()].price);
}

// match() once the taker crosses. Out of line: most orders do not cross, and this loop's
// calls made every match() save six registers.
[[gnu::noinline]] MatchEnd match_crossing(EngineState& state, uint32_t taker_slot) {
  Order& taker = state.orders[taker_slot];
  ProductBook& book = state.products[taker.product];
  // In the call phase orders rest, crossing or not, until the uncross.
  if (book.state == ProductState::auction) return MatchEnd::done;
  BookSide& makers = book.side(opposite(taker.side));
  const auto self_trade = static_cast<SelfTradePrevention>(taker.self_trade);
  while (taker.remaining_lots > 0 && !makers.empty()) {
    const Level& level = state.levels[makers.best()];
    if (!makers.crosses(taker.price, level.price)) break;
    const uint32_t maker_slot = level.head;
    const Order& maker = state.orders[maker_slot];
    if (maker.participant == taker.participant) {
      if (self_trade != SelfTradePrevention::cancel_taker) {
        cancel(state, maker_slot, CancelReason::self_trade, true);
      }
      if (self_trade != SelfTradePrevention::cancel_maker) return MatchEnd::self_trade;
      continue;
    }
    execute_fill(state, taker_slot, maker_slot,
                 std::min(taker.remaining_lots, maker.remaining_lots));
  }
  return MatchEnd::done;
}

}  // namespace

MatchEnd match(EngineState& state, uint32_t taker_slot) {
  const Order& taker = state.orders[taker_slot];
  if (taker.remaining_lots == 0 || !crosses_best(state, taker)) return MatchEnd::done;
  return match_crossing(state, taker_slot);
}

namespace {

// Out of line: few orders are good till a time.
[[gnu::noinline]] void push_expiry(EngineState& state, uint32_t slot) {
  const Order& order = state.orders[slot];
  if (state.due.size() == state.due.capacity()) drop_dead_due(state);
  GHX_ASSERT(state.due.size() < state.due.capacity());
  state.due.push_back({order.expire_time.ns, DueItem::order_expiry, order.id.value, slot});
  std::push_heap(state.due.begin(), state.due.end(), std::greater<>{});
}

// finish_taker for a taker that does not rest: filled, or what is left canceled. Out of line,
// so that the common case (the order rests) needs no registers saved.
[[gnu::noinline]] void finish_unrested(EngineState& state, uint32_t slot, MatchEnd end,
                                       bool is_market) {
  const Order& order = state.orders[slot];
  if (order.remaining_lots == 0) {
    retire(state, slot, false);
  } else if (end == MatchEnd::self_trade) {
    cancel(state, slot, CancelReason::self_trade, false);
  } else if (is_market) {
    const bool liquidity_left = !state.products[order.product].side(opposite(order.side)).empty();
    cancel(state, slot, liquidity_left ? CancelReason::market_collar
                                       : CancelReason::immediate_or_cancel, false);
  } else {
    GHX_ASSERT(static_cast<TimeInForce>(order.time_in_force) ==
               TimeInForce::immediate_or_cancel);
    cancel(state, slot, CancelReason::immediate_or_cancel, false);
  }
}

}  // namespace

// After matching: the taker rests, or what is left of it is canceled. A replaced order that
// rests again already has its expiry scheduled.
void finish_taker(EngineState& state, uint32_t slot, MatchEnd end, bool is_market,
                  bool new_order) {
  const Order& order = state.orders[slot];
  const auto time_in_force = static_cast<TimeInForce>(order.time_in_force);
  const bool rests = order.remaining_lots > 0 && end == MatchEnd::done && !is_market &&
                     time_in_force != TimeInForce::immediate_or_cancel;
  if (!rests) {
    finish_unrested(state, slot, end, is_market);
    return;
  }
  GHX_ASSERT(time_in_force != TimeInForce::fill_or_kill);
  // The expiry is scheduled before the order rests (the order does not matter: neither looks
  // at the other) so that resting is the last call.
  if (new_order && time_in_force == TimeInForce::good_till_time) push_expiry(state, slot);
  book_insert(state, slot);
}

}  // namespace ghx::matching
