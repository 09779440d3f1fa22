#pragma once
// One simulated participant on its own thread and its own TLS session: a data centre posting
// asks, or an AI firm bidding (plain limit bids, immediate-or-cancel bids, minimum-quantity
// bids for training jobs that need their GPUs together, and block orders for runs that need
// the same GPUs over consecutive windows). It keeps a few live orders per product, cancelling
// the oldest to make room, and books its fills into MarketStats. In a product's call phase (an
// opening auction) its limit orders rest until the uncross fills them; the IOC and
// minimum-quantity bids that the call phase refuses are counted apart from other rejects, as
// are the block orders that could not fill in full.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gateway/client.h"
#include "tools/sim/operator_session.h"
#include "tools/sim/price_model.h"
#include "tools/sim/sim_stats.h"

namespace ghx::sim {

struct TraderConfig {
  std::string name;
  bool buyer = false;
  double orders_per_s = 20.0;
  double price_bias = 1.0;  // > 1: pays more (buyer) or asks more (seller)
  uint64_t seed = 1;
  size_t live_orders_max_per_product = 4;
};

struct SimProduct {
  ProductRow row;
  int64_t hours = 1;
  // The product of the next window (same GPU, zone and length) among the traded ones, if any:
  // a block order over both starts here.
  std::optional<size_t> next_window;
};

// Sets each product's next_window.
void link_consecutive_windows(std::vector<SimProduct>& products);

class Trader {
 public:
  using Clock = std::chrono::steady_clock;

  Trader(TraderConfig config, const std::vector<SimProduct>& products, PriceModel& prices,
         MarketStats& stats);

  // Logs on, trades until `deadline` or `stop`, then logs out (cancel-on-disconnect clears
  // what rests). False when the session could not start or broke; see error().
  bool run(const Endpoint& endpoint, Clock::time_point deadline, const std::atomic<bool>& stop);

  const ParticipantTotals& totals() const { return totals_; }
  const std::string& error() const { return error_; }

 private:
  struct LiveOrder {
    size_t product = 0;
    bool cancel_sent = false;
  };

  bool act();
  bool post_ask(size_t product, double mid);
  bool post_bid(size_t product, double mid);
  bool post_block(size_t product, double mid);
  bool send_order(const gateway::NewOrderFields& fields, size_t product);
  bool make_room(size_t product);
  void handle(const wire::Message& message);
  void on_report(const wire::ExecutionReport& report);
  void forget(uint64_t client_order_id);
  double uniform(double low, double high);
  Clock::duration next_interval();

  TraderConfig config_;
  const std::vector<SimProduct>& products_;
  PriceModel& prices_;
  MarketStats& stats_;
  std::unique_ptr<gateway::Client> client_;
  std::mt19937_64 rng_;
  std::unordered_map<uint32_t, size_t> index_of_product_id_;
  std::unordered_map<uint64_t, LiveOrder> live_;  // client order id -> order
  std::unordered_set<uint64_t> blocks_in_flight_;      // client ids of block orders sent
  std::vector<std::deque<uint64_t>> live_by_product_;  // oldest first; may hold done ids
  std::vector<size_t> live_count_;  // live orders per product, not counting cancels in flight
  uint64_t next_client_order_id_ = 0;
  ParticipantTotals totals_;
  std::string error_;
};

}  // namespace ghx::sim
