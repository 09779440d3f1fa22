#include "tools/sim/trader.h"

#include <algorithm>
#include <cassert>
#include <ctime>

#include "tools/sim/participants.h"

namespace ghx::sim {
namespace {

// Client order ids must stay unique per participant across runs on the same data directory:
// the run's start second fills the high bits, a counter the low ones.
constexpr int client_id_counter_bits = 24;

// Buyer order mix (the rest are plain limit bids).
constexpr double ioc_share = 0.25;
constexpr double min_quantity_share = 0.15;
constexpr double block_share = 0.08;      // of bids in a product with a next window
constexpr int64_t min_quantity_lots = 8;  // a training job needs a whole 64-GPU block at once
constexpr int64_t min_quantity_order_lots_max = 16;
constexpr int64_t block_lots_max = 3;  // a run over both windows: fewer GPUs, longer
constexpr int64_t seller_lots_max = 6;
constexpr int64_t buyer_lots_max = 4;
// Replies are read in slices this long between actions, so that stop requests are seen soon.
constexpr uint32_t receive_slice_ms = 100;
constexpr int drain_frames_max = 100'000;

}  // namespace

Trader::Trader(TraderConfig config, const std::vector<SimProduct>& products, PriceModel& prices,
               MarketStats& stats)
    : config_(std::move(config)),
      products_(products),
      prices_(prices),
      stats_(stats),
      rng_(config_.seed),
      live_by_product_(products.size()),
      live_count_(products.size(), 0) {
  assert(!products_.empty());
  for (size_t i = 0; i < products_.size(); ++i) {
    index_of_product_id_[products_[i].row.product_id] = i;
  }
  next_client_order_id_ = static_cast<uint64_t>(std::time(nullptr)) << client_id_counter_bits;
  totals_.name = config_.name;
  totals_.buyer = config_.buyer;
}

double Trader::uniform(double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(rng_);
}

Trader::Clock::duration Trader::next_interval() {
  std::exponential_distribution<double> gap(config_.orders_per_s);
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(gap(rng_)));
}

bool Trader::run(const Endpoint& endpoint, Clock::time_point deadline,
                 const std::atomic<bool>& stop) {
  client_ = connect_participant(endpoint, config_.name, error_);
  if (!client_) return false;
  Clock::time_point next_action = Clock::now();
  while (Clock::now() < deadline && !stop.load(std::memory_order_relaxed)) {
    if (Clock::now() >= next_action) {
      if (!act()) return false;
      next_action = Clock::now() + next_interval();
      continue;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_action -
                                                                            Clock::now());
    const auto slice = static_cast<uint32_t>(
        std::clamp<int64_t>(wait.count(), 1, receive_slice_ms));
    gateway::Received received = client_->receive(slice);
    if (received.status == gateway::ClientStatus::ok) {
      handle(received.message());
    } else if (received.status != gateway::ClientStatus::timeout) {
      error_ = config_.name + ": session ended: " + client_->last_error();
      return false;
    }
    if (client_->heartbeat_if_due() != gateway::ClientStatus::ok) return false;
  }
  // Read the replies still in flight so that the fill rates count them; the server answers
  // within milliseconds, so a quiet slice means nothing more is coming.
  for (int i = 0; i < drain_frames_max; ++i) {
    gateway::Received received = client_->receive(receive_slice_ms);
    if (received.status != gateway::ClientStatus::ok) break;
    handle(received.message());
  }
  client_->close();
  return true;
}

bool Trader::act() {
  const size_t product = std::uniform_int_distribution<size_t>(0, products_.size() - 1)(rng_);
  if (!make_room(product)) return false;
  const double mid = prices_.step(product);
  return config_.buyer ? post_bid(product, mid) : post_ask(product, mid);
}

bool Trader::post_ask(size_t product, double mid) {
  gateway::NewOrderFields order;
  order.side = wire::Side::Sell;
  order.price = prices_.quote(product, mid, uniform(0.985, 1.05) * config_.price_bias);
  order.quantity = std::uniform_int_distribution<int64_t>(1, seller_lots_max)(rng_);
  return send_order(order, product);
}

bool Trader::post_bid(size_t product, double mid) {
  gateway::NewOrderFields order;
  order.side = wire::Side::Buy;
  const double kind = uniform(0.0, 1.0);
  if (kind < ioc_share) {  // take what is there now, e.g. an inference burst
    order.time_in_force = wire::TimeInForce::ImmediateOrCancel;
    order.price = prices_.quote(product, mid, uniform(1.0, 1.04) * config_.price_bias);
    order.quantity = std::uniform_int_distribution<int64_t>(1, buyer_lots_max)(rng_);
  } else if (kind < ioc_share + min_quantity_share) {  // a training job: enough GPUs or none
    order.price = prices_.quote(product, mid, uniform(1.0, 1.05) * config_.price_bias);
    order.quantity = std::uniform_int_distribution<int64_t>(min_quantity_lots,
                                                            min_quantity_order_lots_max)(rng_);
    order.min_quantity = min_quantity_lots;
  } else if (kind < ioc_share + min_quantity_share + block_share &&
             products_[product].next_window) {
    return post_block(product, mid);
  } else {
    order.price = prices_.quote(product, mid, uniform(0.95, 1.015) * config_.price_bias);
    order.quantity = std::uniform_int_distribution<int64_t>(1, buyer_lots_max)(rng_);
  }
  return send_order(order, product);
}

// A run that needs the same GPUs over this window and the next: a block order, filled in full
// in both at once or not at all (fill-or-kill, so it never rests).
bool Trader::post_block(size_t product, double mid) {
  gateway::NewOrderFields order;
  order.side = wire::Side::Buy;
  order.time_in_force = wire::TimeInForce::FillOrKill;
  order.windows = 2;
  order.price = prices_.quote(product, mid, uniform(1.0, 1.06) * config_.price_bias);
  order.quantity = std::uniform_int_distribution<int64_t>(1, block_lots_max)(rng_);
  if (!send_order(order, product)) return false;
  blocks_in_flight_.insert(next_client_order_id_);
  ++totals_.blocks;
  return true;
}

bool Trader::send_order(const gateway::NewOrderFields& fields, size_t product) {
  gateway::NewOrderFields order = fields;
  order.client_order_id = ++next_client_order_id_;
  order.symbol = products_[product].row.symbol;
  if (client_->send(gateway::make_new_order(order)) != gateway::ClientStatus::ok) {
    error_ = config_.name + ": send failed: " + client_->last_error();
    return false;
  }
  live_[order.client_order_id] = {.product = product};
  live_by_product_[product].push_back(order.client_order_id);
  ++live_count_[product];
  ++totals_.orders;
  totals_.lots_ordered += order.quantity;
  stats_.live.orders_sent.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// Cancels the oldest live order of `product` when the participant already has enough there,
// as a desk would pull a stale quote before posting a fresh one.
bool Trader::make_room(size_t product) {
  std::deque<uint64_t>& queue = live_by_product_[product];
  while (live_count_[product] >= config_.live_orders_max_per_product && !queue.empty()) {
    const uint64_t oldest = queue.front();
    queue.pop_front();
    auto found = live_.find(oldest);
    if (found == live_.end() || found->second.cancel_sent) continue;
    found->second.cancel_sent = true;
    --live_count_[product];
    const gateway::Frame cancel =
        gateway::make_cancel_order(oldest, products_[product].row.symbol);
    if (client_->send(cancel) != gateway::ClientStatus::ok) {
      error_ = config_.name + ": send failed: " + client_->last_error();
      return false;
    }
  }
  return true;
}

void Trader::forget(uint64_t client_order_id) {
  const auto found = live_.find(client_order_id);
  if (found == live_.end()) return;
  if (!found->second.cancel_sent) --live_count_[found->second.product];
  live_.erase(found);
}

void Trader::handle(const wire::Message& message) {
  if (const auto* report = message.body_as_ExecutionReport()) on_report(*report);
}

void Trader::on_report(const wire::ExecutionReport& report) {
  const auto product = index_of_product_id_.find(report.product_id());
  switch (report.exec_type()) {
    case wire::ExecType::Rejected:
      if (!live_.contains(report.client_order_id()) || report.orig_client_order_id() != 0) break;
      // An opening auction's call phase refuses the IOC and block bids sent to its product
      // until the uncross: the desk's usual mix meeting the auction's rules, not a failure.
      if (report.reject_reason() == wire::OrderRejectReason::InvalidInAuction) {
        ++totals_.refused_in_call;
        stats_.live.refused_in_call.fetch_add(1, std::memory_order_relaxed);
      } else if (report.reject_reason() == wire::OrderRejectReason::BlockNotFillable ||
                 report.reject_reason() == wire::OrderRejectReason::BlockWindowNotTrading) {
        // Not enough offered at its price in one of the windows (or one in its call phase):
        // the block's rule at work.
        ++totals_.blocks_refused;
      } else {
        ++totals_.rejects;
        stats_.live.rejects.fetch_add(1, std::memory_order_relaxed);
      }
      break;
    case wire::ExecType::PartiallyFilled:
    case wire::ExecType::Filled:
      totals_.lots_filled += report.fill_quantity();
      totals_.notional += report.notional();
      if (config_.buyer && product != index_of_product_id_.end()) {
        const SimProduct& traded = products_[product->second];
        stats_.record_trade(product->second, report.fill_price(), report.fill_quantity(),
                            report.fill_quantity() * traded.row.lot_size_gpus * traded.hours);
      }
      break;
    default: break;
  }
  if (report.order_status() == wire::OrderStatus::Done ||
      report.exec_type() == wire::ExecType::Rejected) {
    // A block is done once, with its last window's fill: every window filled (all or none).
    if (blocks_in_flight_.erase(report.client_order_id()) != 0 &&
        report.exec_type() == wire::ExecType::Filled) {
      ++totals_.blocks_filled;
    }
    forget(report.client_order_id());
  }
}

void link_consecutive_windows(std::vector<SimProduct>& products) {
  for (SimProduct& product : products) {
    const ProductRow& row = product.row;
    for (size_t next = 0; next < products.size(); ++next) {
      const ProductRow& other = products[next].row;
      if (other.gpu == row.gpu && other.zone == row.zone && other.length == row.length &&
          other.start_hour == row.start_hour + product.hours) {
        product.next_window = next;
      }
    }
  }
}

}  // namespace ghx::sim
