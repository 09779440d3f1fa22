// Read-only views of the engine, the state hash and the names of enums.

#include <algorithm>

#include "matching/engine_state.h"

namespace ghx::matching {
namespace {

// Order-dependent combination, for state whose order is part of the state (queues, levels).
uint64_t combine(uint64_t hash, uint64_t value) { return mix64(hash ^ (value + 0x9e3779b97f4a7c15ULL + (hash << 6))); }

uint64_t hash_order(const Order& order) {
  uint64_t hash = combine(order.id.value, order.client_id.value);
  hash = combine(hash, static_cast<uint64_t>(order.price.value));
  hash = combine(hash, static_cast<uint64_t>(order.expire_time.ns));
  hash = combine(hash, (uint64_t{order.participant} << 32) | order.product);
  hash = combine(hash, static_cast<uint64_t>(order.remaining_lots));
  hash = combine(hash, (uint64_t{static_cast<uint8_t>(order.side)} << 24) |
                           (uint64_t{order.self_trade} << 16) |
                           (uint64_t{order.time_in_force} << 8) | uint64_t{order.post_only});
  return hash;
}

uint64_t hash_side(const EngineState& state, const BookSide& side) {
  uint64_t hash = side.level_count();
  for (size_t depth = 0; depth < side.level_count(); ++depth) {
    const Level& level = state.levels[side.level_at(depth)];
    hash = combine(hash, static_cast<uint64_t>(level.price.value));
    hash = combine(hash, static_cast<uint64_t>(level.quantity));
    for (uint32_t slot = level.head; slot != no_index; slot = state.orders[slot].next) {
      hash = combine(hash, hash_order(state.orders[slot]));
    }
  }
  return hash;
}

uint64_t hash_products(const EngineState& state) {
  uint64_t hash = state.products.size();
  for (uint32_t id = 0; id < state.products.size(); ++id) {
    const ProductBook& book = state.products[id];
    const ProductSpec& spec = book.spec;
    for (char c : spec.gpu.chars) hash = combine(hash, static_cast<uint8_t>(c));
    for (char c : spec.zone.chars) hash = combine(hash, static_cast<uint8_t>(c));
    hash = combine(hash, static_cast<uint64_t>(spec.start_hour));
    hash = combine(hash, static_cast<uint64_t>(spec.length));
    hash = combine(hash, static_cast<uint64_t>(spec.lot_size_gpus));
    hash = combine(hash, static_cast<uint64_t>(spec.tick_size));
    hash = combine(hash, static_cast<uint64_t>(book.state));
    if (book.state == ProductState::auction) {
      hash = combine(hash, static_cast<uint64_t>(state.scheduled_uncross(id).ns));
    }
    hash = combine(hash, book.failed_trades.size());
    for (const FailedTrade& trade : book.failed_trades) {
      hash = combine(hash, trade.trade_id);
      hash = combine(hash, static_cast<uint64_t>(trade.lots));
      hash = combine(hash, static_cast<uint64_t>(trade.failed_lots));
    }
    hash = combine(hash, hash_side(state, book.bids));
    hash = combine(hash, hash_side(state, book.asks));
  }
  return hash;
}

uint64_t hash_accounts(const EngineState& state) {
  uint64_t hash = 0;
  for (size_t i = 0; i < state.accounts.size(); ++i) {
    const Account& account = state.accounts[i];
    if (account.available == 0 && account.held == 0 && !account.suspended) continue;
    hash = combine(hash, i);
    hash = combine(hash, static_cast<uint64_t>(account.available));
    hash = combine(hash, static_cast<uint64_t>(account.held));
    hash = combine(hash, uint64_t{account.suspended});
  }
  return hash;
}

// Hash tables: combined with a sum, so that storage order does not matter.
uint64_t hash_tables(const EngineState& state) {
  uint64_t sum = 0;
  sum += state.client_ids.digest();
  state.capacity.for_each([&](uint32_t participant, uint64_t product, const CapacityAccount& c) {
    sum += combine(combine(combine(combine(participant | (uint64_t{1} << 40), product),
                                   static_cast<uint64_t>(c.available)),
                           static_cast<uint64_t>(c.held)),
                   static_cast<uint64_t>(c.proceeds));
  });
  return sum;
}

}  // namespace

uint64_t Engine::state_hash() const {
  const EngineState& state = *state_;
  uint64_t hash = combine(static_cast<uint64_t>(state.now.ns), state.last_sequence.value);
  hash = combine(hash, state.next_trade_id);
  hash = combine(hash, static_cast<uint64_t>(state.cash_in));
  hash = combine(hash, hash_products(state));
  hash = combine(hash, hash_accounts(state));
  hash = combine(hash, hash_tables(state));
  return hash;
}

uint32_t Engine::product_count() const { return static_cast<uint32_t>(state_->products.size()); }

const ProductSpec& Engine::product_spec(ProductId product) const {
  GHX_ASSERT(product.value < state_->products.size());
  return state_->products[product.value].spec;
}

ProductState Engine::product_state(ProductId product) const {
  GHX_ASSERT(product.value < state_->products.size());
  return state_->products[product.value].state;
}

Timestamp Engine::scheduled_uncross(ProductId product) const {
  return state_->scheduled_uncross(product.value);
}

std::optional<Engine::IndicativeUncross> Engine::indicative_uncross(ProductId product) const {
  GHX_ASSERT(product.value < state_->products.size());
  const ProductBook& book = state_->products[product.value];
  if (book.state != ProductState::auction) return std::nullopt;
  std::vector<UncrossCandidate> candidates;
  Price price;
  int64_t lots = 0;
  if (!find_uncross_price(*state_, book, candidates, price, lots)) return std::nullopt;
  return IndicativeUncross{price, Quantity{lots}};
}

std::vector<LevelView> Engine::levels(ProductId product, Side side, uint32_t depth_max) const {
  std::vector<LevelView> views;
  if (product.value >= state_->products.size()) return views;
  const BookSide& book_side = state_->products[product.value].side(side);
  for (size_t depth = 0; depth < book_side.level_count() && depth < depth_max; ++depth) {
    const Level& level = state_->levels[book_side.level_at(depth)];
    views.push_back({level.price, Quantity{level.quantity}, level.orders});
  }
  return views;
}

std::vector<OrderView> Engine::orders_at(ProductId product, Side side, Price price) const {
  std::vector<OrderView> views;
  if (product.value >= state_->products.size()) return views;
  const uint32_t level = state_->products[product.value].side(side).find(price);
  if (level == no_index) return views;
  for (uint32_t slot = state_->levels[level].head; slot != no_index;
       slot = state_->orders[slot].next) {
    const Order& order = state_->orders[slot];
    views.push_back({order.id, order.client_id, ParticipantId{order.participant},
                     ProductId{order.product}, order.side, order.price,
                     Quantity{order.remaining_lots}});
  }
  return views;
}

AccountView Engine::account(ParticipantId participant) const {
  if (participant.value >= state_->accounts.size()) return {};
  const Account& account = state_->accounts[participant.value];
  return {Cash{account.available}, Cash{account.held}, account.suspended};
}

CapacityView Engine::capacity(ParticipantId participant, ProductId product) const {
  const CapacityAccount* capacity = state_->capacity.find(participant.value, product.value);
  if (capacity == nullptr) return {};
  return {Quantity{capacity->available}, Quantity{capacity->held}, Cash{capacity->proceeds}};
}

std::vector<std::pair<ProductId, CapacityView>> Engine::capacities(
    ParticipantId participant) const {
  std::vector<std::pair<ProductId, CapacityView>> views;
  for (const uint32_t product : state_->open_products) {  // a delivered one's accounts are gone
    const ProductBook& book = state_->products[product];
    if (std::find(book.sellers.begin(), book.sellers.end(), participant.value) ==
        book.sellers.end()) {
      continue;
    }
    views.emplace_back(ProductId{product}, capacity(participant, ProductId{product}));
  }
  return views;
}

uint32_t Engine::live_order_count() const { return state_->orders.live(); }
Timestamp Engine::now() const { return state_->now; }
const EngineConfig& Engine::config() const { return state_->config; }

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::accepted: return "accepted";
    case EventType::rejected: return "rejected";
    case EventType::fill: return "fill";
    case EventType::trade: return "trade";
    case EventType::canceled: return "canceled";
    case EventType::replaced: return "replaced";
    case EventType::expired: return "expired";
    case EventType::order_status: return "order_status";
    case EventType::book_level: return "book_level";
    case EventType::balance: return "balance";
    case EventType::capacity: return "capacity";
    case EventType::product_listed: return "product_listed";
    case EventType::product_state: return "product_state";
    case EventType::proceeds_paid: return "proceeds_paid";
    case EventType::trade_failed: return "trade_failed";
    case EventType::participant_state: return "participant_state";
  }
  return "?";
}

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::none: return "none";
    case RejectReason::unknown_product: return "unknown_product";
    case RejectReason::product_not_trading: return "product_not_trading";
    case RejectReason::invalid_price: return "invalid_price";
    case RejectReason::invalid_quantity: return "invalid_quantity";
    case RejectReason::invalid_min_quantity: return "invalid_min_quantity";
    case RejectReason::invalid_expire_time: return "invalid_expire_time";
    case RejectReason::invalid_order_type: return "invalid_order_type";
    case RejectReason::duplicate_client_order_id: return "duplicate_client_order_id";
    case RejectReason::unknown_order: return "unknown_order";
    case RejectReason::insufficient_cash: return "insufficient_cash";
    case RejectReason::insufficient_capacity: return "insufficient_capacity";
    case RejectReason::no_liquidity: return "no_liquidity";
    case RejectReason::post_only_would_cross: return "post_only_would_cross";
    case RejectReason::invalid_amount: return "invalid_amount";
    case RejectReason::orders_full: return "orders_full";
    case RejectReason::client_ids_full: return "client_ids_full";
    case RejectReason::products_full: return "products_full";
    case RejectReason::capacity_accounts_full: return "capacity_accounts_full";
    case RejectReason::invalid_product: return "invalid_product";
    case RejectReason::duplicate_product: return "duplicate_product";
    case RejectReason::unknown_participant: return "unknown_participant";
    case RejectReason::unknown_command: return "unknown_command";
    case RejectReason::trade_not_open: return "trade_not_open";
    case RejectReason::product_halted: return "product_halted";
    case RejectReason::product_not_halted: return "product_not_halted";
    case RejectReason::participant_suspended: return "participant_suspended";
    case RejectReason::participant_not_suspended: return "participant_not_suspended";
    case RejectReason::invalid_in_auction:
      return "invalid_in_auction";
    case RejectReason::product_in_auction:
      return "product_in_auction";
    case RejectReason::product_not_in_auction:
      return "product_not_in_auction";
    case RejectReason::invalid_block: return "invalid_block";
    case RejectReason::block_window_not_trading: return "block_window_not_trading";
    case RejectReason::block_not_fillable: return "block_not_fillable";
  }
  return "?";
}

std::string_view to_string(CancelReason reason) {
  switch (reason) {
    case CancelReason::none: return "none";
    case CancelReason::requested: return "requested";
    case CancelReason::immediate_or_cancel: return "immediate_or_cancel";
    case CancelReason::fill_or_kill: return "fill_or_kill";
    case CancelReason::min_quantity: return "min_quantity";
    case CancelReason::self_trade: return "self_trade";
    case CancelReason::market_collar: return "market_collar";
    case CancelReason::product_halted: return "product_halted";
    case CancelReason::participant_suspended: return "participant_suspended";
  }
  return "?";
}

std::string_view to_string(ExpireReason reason) {
  switch (reason) {
    case ExpireReason::none: return "none";
    case ExpireReason::good_till_time: return "good_till_time";
    case ExpireReason::gate_closure: return "gate_closure";
  }
  return "?";
}

}  // namespace ghx::matching
