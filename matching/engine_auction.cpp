// Call auctions: the uncross price, and the uncross that trades the crossed part of a book at
// that one price.

#include <algorithm>

#include "matching/engine_state.h"

namespace ghx::matching {

// The price that trades the most lots; of those, the one that leaves the fewest lots over on
// either side; of those, the highest when buyers are left over at each, the lowest when
// sellers are, else the middle one (the lower of two). The usual rule of exchange auctions,
// with the middle of the range where others take a reference price: the engine keeps none.
bool find_uncross_price(const EngineState& state, const ProductBook& book,
                        std::vector<UncrossCandidate>& candidates, Price& price, int64_t& lots) {
  if (book.bids.empty() || book.asks.empty()) return false;
  const Price best_bid = state.levels[book.bids.best()].price;
  const Price best_ask = state.levels[book.asks.best()].price;
  if (best_bid < best_ask) return false;
  // Only prices in [best ask, best bid] can trade anything: each bid and ask level there.
  candidates.clear();
  for (size_t depth = 0; depth < book.bids.level_count(); ++depth) {
    const Level& level = state.levels[book.bids.level_at(depth)];
    if (level.price < best_ask) break;
    candidates.push_back({level.price});
  }
  for (size_t depth = 0; depth < book.asks.level_count(); ++depth) {
    const Level& level = state.levels[book.asks.level_at(depth)];
    if (level.price > best_bid) break;
    candidates.push_back({level.price});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.price < b.price; });
  candidates.erase(std::unique(candidates.begin(), candidates.end(),
                               [](const auto& a, const auto& b) { return a.price == b.price; }),
                   candidates.end());
  // Asks at or below each candidate, walking up; bids at or above it, walking down.
  lots = 0;
  size_t depth = 0;
  for (auto& candidate : candidates) {
    for (; depth < book.asks.level_count(); ++depth) {
      const Level& level = state.levels[book.asks.level_at(depth)];
      if (level.price > candidate.price) break;
      lots += level.quantity;
    }
    candidate.ask_lots = lots;
  }
  lots = 0;
  depth = 0;
  for (auto candidate = candidates.rbegin(); candidate != candidates.rend(); ++candidate) {
    for (; depth < book.bids.level_count(); ++depth) {
      const Level& level = state.levels[book.bids.level_at(depth)];
      if (level.price < candidate->price) break;
      lots += level.quantity;
    }
    candidate->bid_lots = lots;
  }

  auto traded = [](const auto& c) { return std::min(c.bid_lots, c.ask_lots); };
  auto left_over = [](const auto& c) {
    return c.bid_lots > c.ask_lots ? c.bid_lots - c.ask_lots : c.ask_lots - c.bid_lots;
  };
  int64_t most_traded = 0;
  for (const auto& candidate : candidates) most_traded = std::max(most_traded, traded(candidate));
  GHX_ASSERT(most_traded > 0);  // the best bid meets the best ask
  int64_t least_left = INT64_MAX;
  for (const auto& candidate : candidates) {
    if (traded(candidate) == most_traded) least_left = std::min(least_left, left_over(candidate));
  }
  std::erase_if(candidates, [&](const auto& c) {
    return traded(c) != most_traded || left_over(c) != least_left;
  });
  const bool buyers_left = std::all_of(candidates.begin(), candidates.end(),
                                       [](const auto& c) { return c.bid_lots > c.ask_lots; });
  const bool sellers_left = std::all_of(candidates.begin(), candidates.end(),
                                        [](const auto& c) { return c.bid_lots < c.ask_lots; });
  if (buyers_left) {
    price = candidates.back().price;
  } else if (sellers_left) {
    price = candidates.front().price;
  } else {
    price = candidates[(candidates.size() - 1) / 2].price;
  }
  lots = most_traded;
  return true;
}

namespace {

// Trades the best bid against the best ask at `price` while both are at or inside it. Stops
// early after a self-trade prevention cancel: the book must be priced again.
void execute_at(EngineState& state, ProductBook& book, Price price, int64_t& lots_traded) {
  while (!book.bids.empty() && !book.asks.empty()) {
    const uint32_t bid_slot = state.levels[book.bids.best()].head;
    const uint32_t ask_slot = state.levels[book.asks.best()].head;
    const Order& bid = state.orders[bid_slot];
    const Order& ask = state.orders[ask_slot];
    if (bid.price < price || ask.price > price) return;
    // No order took the other: the later one is reported as the taker, as it would have been.
    const bool bid_later = bid.id > ask.id;
    const uint32_t taker_slot = bid_later ? bid_slot : ask_slot;
    const uint32_t maker_slot = bid_later ? ask_slot : bid_slot;
    if (bid.participant == ask.participant) {
      const auto mode = static_cast<SelfTradePrevention>(state.orders[taker_slot].self_trade);
      if (mode != SelfTradePrevention::cancel_taker) {
        cancel(state, maker_slot, CancelReason::self_trade, true);
      }
      if (mode != SelfTradePrevention::cancel_maker) {
        cancel(state, taker_slot, CancelReason::self_trade, true);
      }
      return;
    }
    const int64_t lots = std::min(bid.remaining_lots, ask.remaining_lots);
    execute_resting_fill(state, taker_slot, maker_slot, lots, price);
    lots_traded += lots;
  }
}

}  // namespace

void uncross(EngineState& state, uint32_t product) {
  ProductBook& book = state.products[product];
  GHX_ASSERT(book.state == ProductState::auction);
  int64_t lots_traded = 0;
  Price last_price;
  Price price;
  int64_t lots = 0;
  // Each pass trades or cancels at least one order, so this ends; a pass that met a self-trade
  // leaves the rest to a new price, and the last leaves the book uncrossed.
  while (find_uncross_price(state, book, state.uncross_candidates, price, lots)) {
    const int64_t before = lots_traded;
    execute_at(state, book, price, lots_traded);
    if (lots_traded > before) last_price = price;
  }
  flush_dirty_levels(state);
  Event& event = change_product_state(state, product, ProductState::trading);
  event.price = last_price;
  event.quantity = Quantity{lots_traded};
}

}  // namespace ghx::matching
