// The scenarios of issue 2's benchmark. Each generator appends warm-up ops then timed ops; the
// replay engine's limits are sized from what the stream needs (peak live orders, ids used).

#include "tools/bench/scenarios.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tools/bench/order_flow.h"

namespace ghx::bench {

using matching::EngineConfig;
using matching::Side;
using matching::TimeInForce;

namespace {

constexpr uint32_t resting_orders_count = 1'000'000;
constexpr uint32_t orders_margin = 4096;       // pool headroom over the stream's peak
constexpr uint32_t client_ids_margin = 4096;   // id table headroom over the ids the stream uses
constexpr uint32_t price_levels_max = 1 << 14;  // (side, price) levels: far above any scenario
constexpr int32_t mid_start_minor = 2000;       // 20.00 per GPU-hour
// Cancels and trades would drain the book at the 50/40/10 mix (IOCs and crossing
// orders remove liquidity), so while fewer orders than this rest, a cancel becomes a new order.
constexpr size_t book_depth_orders = 2'000;

// Limits shared by every scenario: few participants and products, big single amounts.
EngineConfig base_config() {
  EngineConfig config;
  config.limits.products_max = 4;
  config.limits.participants_max = 256;
  config.limits.capacity_accounts_max = 1024;
  config.limits.price_levels_max = price_levels_max;
  config.limits.quantity_max_lots = seller_capacity_lots;  // registrations of 2^30 lots
  return config;
}

// The model engine that tracks live orders while generating: room for every op.
EngineConfig model_config(uint64_t total_ops) {
  EngineConfig config = base_config();
  config.limits.orders_max = static_cast<uint32_t>(total_ops + orders_margin);
  config.limits.client_ids_max = static_cast<uint32_t>(total_ops + client_ids_margin);
  return config;
}

int32_t random_lots(Rng& rng) { return static_cast<int32_t>(rng.below(10) + 1) * 100; }
Side random_side(Rng& rng) { return rng.below(2) == 0 ? Side::buy : Side::sell; }

// Ticks away from the touch, P(distance >= k) = (k + 1)^-1.5: most orders rest near the top
// of the book and depth falls off like a power law.
int32_t power_law_distance(Rng& rng) {
  constexpr double alpha = 1.5;
  constexpr int32_t distance_max = 200;
  const double distance = std::floor(std::pow(rng.unit(), -1.0 / alpha)) - 1.0;
  return static_cast<int32_t>(std::min<double>(distance, distance_max));
}

int32_t passive_price(Side side, int32_t mid, int32_t distance) {
  return side == Side::buy ? mid - 1 - distance : mid + 1 + distance;
}

// One op of the `normal` mix around `mid`: 50 % new (15 % of them IOC), 40 % cancel of a live
// order, 10 % replace of a live order (a third of them reduce quantity and keep priority).
void normal_op(OrderFlow& flow, int32_t mid) {
  Rng& rng = flow.rng();
  const uint32_t kind = rng.below(100);
  if (kind < 50 || (kind < 90 && flow.live_count() < book_depth_orders) ||
      flow.live_count() == 0) {
    const Side side = random_side(rng);
    if (rng.below(100) < 15) {
      const int32_t aggressive = side == Side::buy ? mid + 2 : mid - 2;
      flow.new_order(side, aggressive, random_lots(rng), TimeInForce::immediate_or_cancel);
    } else {
      const int32_t price = passive_price(side, mid, power_law_distance(rng));
      flow.new_order(side, flow.non_crossing(side, price), random_lots(rng));
    }
    return;
  }
  const LiveOrder order = flow.live_at(rng.below(static_cast<uint32_t>(flow.live_count())));
  if (kind < 90) {
    flow.cancel(order);
  } else if (rng.below(3) == 0) {
    flow.replace(order, order.price, std::max(1, order.remaining_lots / 2));
  } else {
    flow.replace(order, passive_price(order.side, mid, power_law_distance(rng)), random_lots(rng));
  }
}

// A random walk: one tick up or down on one op in `walk_step_every` (on average): slow enough
// that the book refills around the mid between moves.
constexpr uint32_t walk_step_every = 128;
int32_t walk(Rng& rng, int32_t mid) {
  const uint32_t step = rng.below(2 * walk_step_every);
  if (step == 0) return mid + 1;
  if (step == 1) return mid - 1;
  return mid;
}

void generate_add_only_deep(OrderFlow& flow, uint64_t total_ops) {
  Rng& rng = flow.rng();
  for (uint64_t i = 0; i < total_ops; ++i) {
    const Side side = i % 2 == 0 ? Side::buy : Side::sell;
    const int32_t price = static_cast<int32_t>(side == Side::buy ? 1880 + rng.below(10)
                                                                 : 1884 + rng.below(10));
    flow.new_order(side, price, random_lots(rng));
  }
}

void generate_normal(OrderFlow& flow, uint64_t total_ops) {
  int32_t mid = mid_start_minor;
  for (uint64_t i = 0; i < total_ops; ++i) {
    mid = std::clamp(walk(flow.rng(), mid), mid_start_minor / 2, mid_start_minor * 2);
    normal_op(flow, mid);
  }
}

// The mid walks around 20.00 for the first 40 % of the run, falls 20 % to 16.00 over the next
// 20 %, and walks around there for the rest: resting bids are swept by a wave of asks.
void generate_flash_crash(OrderFlow& flow, uint64_t total_ops) {
  constexpr int32_t drop_minor = mid_start_minor / 5;
  int32_t noise = 0;
  for (uint64_t i = 0; i < total_ops; ++i) {
    const double progress = static_cast<double>(i) / static_cast<double>(total_ops);
    const double crash = std::clamp((progress - 0.4) / 0.2, 0.0, 1.0);
    noise = std::clamp(walk(flow.rng(), noise), -50, 50);
    normal_op(flow, mid_start_minor - static_cast<int32_t>(crash * drop_minor) + noise);
  }
}

// Few prices (5 a side), long queues (`queue_orders` live orders in all), then equal parts new
// orders and cancels of random live orders, which sit on average in the middle of their queue.
void generate_deep_cancel(OrderFlow& flow, uint64_t total_ops, uint64_t queue_orders) {
  Rng& rng = flow.rng();
  for (uint64_t i = 0; i < total_ops; ++i) {
    if (flow.live_count() < queue_orders && (i < queue_orders || rng.below(2) == 0)) {
      const Side side = random_side(rng);
      const auto distance = static_cast<int32_t>(rng.below(5));
      flow.new_order(side, passive_price(side, mid_start_minor, distance), random_lots(rng));
    } else {
      flow.cancel(flow.live_at(rng.below(static_cast<uint32_t>(flow.live_count()))));
    }
  }
}

// One million non-crossing orders: bids 19.00..19.99, asks 20.01..21.00.
void generate_resting(OrderFlow& flow, uint64_t total_ops) {
  Rng& rng = flow.rng();
  for (uint64_t i = 0; i < total_ops; ++i) {
    const Side side = random_side(rng);
    flow.new_order(side, passive_price(side, mid_start_minor, int32_t(rng.below(100))),
                   random_lots(rng));
  }
}

// The replay engine holds what the stream needs at most, plus a margin.
void size_limits(Stream& stream, uint64_t live_peak, uint64_t ids_used) {
  stream.config = base_config();
  stream.config.limits.orders_max = static_cast<uint32_t>(live_peak + orders_margin);
  stream.config.limits.client_ids_max = static_cast<uint32_t>(ids_used + client_ids_margin);
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names = {"add_only_deep", "normal", "deep_cancel",
                                                 "flash_crash", "resting_1m"};
  return names;
}

Stream generate_stream(std::string_view scenario, uint64_t timed_ops, uint64_t seed) {
  const auto& names = scenario_names();
  if (std::find(names.begin(), names.end(), scenario) == names.end()) {
    throw std::invalid_argument("unknown scenario '" + std::string(scenario) + "'");
  }
  Stream stream;
  stream.scenario = std::string(scenario);
  append_setup(stream);
  constexpr uint64_t deep_queue_orders = 40'000;
  uint64_t warmup_ops = std::max<uint64_t>(timed_ops / 10, 1);
  if (scenario == "deep_cancel") warmup_ops = std::max(warmup_ops, deep_queue_orders);
  if (scenario == "resting_1m") {
    warmup_ops = resting_orders_count / 10;  // always one million orders in all
    timed_ops = resting_orders_count - warmup_ops;
  }
  const uint64_t total_ops = warmup_ops + timed_ops;
  stream.warmup_ops = warmup_ops;
  stream.ops.reserve(total_ops);

  const bool track_live = scenario != "resting_1m";
  OrderFlow flow(stream, seed, track_live, model_config(total_ops));
  if (scenario == "add_only_deep") {
    generate_add_only_deep(flow, total_ops);
  } else if (scenario == "normal") {
    generate_normal(flow, total_ops);
  } else if (scenario == "deep_cancel") {
    generate_deep_cancel(flow, total_ops, deep_queue_orders);
  } else if (scenario == "flash_crash") {
    generate_flash_crash(flow, total_ops);
  } else {
    generate_resting(flow, total_ops);
  }
  size_limits(stream, track_live ? flow.live_peak() : total_ops, flow.new_ids());
  stream.model_state_hash = flow.model_state_hash();
  return stream;
}

}  // namespace ghx::bench
