#pragma once
// The generator's side of a scenario: participants, a model engine that the generated commands
// run through (so that cancels and replaces can name orders that are really live), and the
// set of live orders, kept up to date from the model's events.

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "matching/engine.h"
#include "tools/bench/scenarios.h"

namespace ghx::bench {

constexpr uint32_t buyers_count = 100;   // participants 0 .. 99 only buy
constexpr uint32_t sellers_count = 100;  // participants 100 .. 199 only sell
constexpr int64_t buyer_deposit_minor = int64_t{1} << 52;  // ~4.5e15: never short of cash
constexpr int64_t seller_capacity_lots = int64_t{1} << 30;  // never short of capacity

// SplitMix64: small, fast, and the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t bound) { return static_cast<uint32_t>(next() % bound); }
  double unit() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }  // (0, 1]

 private:
  uint64_t state_;
};

struct LiveOrder {
  uint16_t participant = 0;
  uint32_t client_id = 0;
  matching::Side side = matching::Side::buy;
  int32_t price = 0;
  int32_t remaining_lots = 0;
};

class OrderFlow {
 public:
  // With `track_live`, every op runs through a model engine sized by `model_config`.
  OrderFlow(Stream& stream, uint64_t seed, bool track_live,
            const matching::EngineConfig& model_config);

  Rng& rng() { return rng_; }
  size_t live_count() const { return live_.size(); }
  const LiveOrder& live_at(size_t index) const { return live_[index]; }
  uint32_t live_peak() const { return live_peak_; }
  uint64_t new_ids() const { return new_ids_; }

  // Appends ops to the stream (and runs them through the model when tracking).
  void new_order(matching::Side side, int32_t price, int32_t lots,
                 matching::TimeInForce tif = matching::TimeInForce::good_till_gate_closure);
  void cancel(const LiveOrder& order);
  void replace(const LiveOrder& order, int32_t price, int32_t lots);

  uint64_t model_state_hash() const;

  // A price for a passive order on `side` that does not cross the model's opposite best (so
  // that trades come from IOCs and repriced orders, not from stale quotes); `price` when it
  // would not cross anyway or nothing is tracked.
  int32_t non_crossing(matching::Side side, int32_t price) const;

 private:
  uint16_t pick_participant(matching::Side side);
  void push(const BenchOp& op);
  void observe(const matching::Event& event);
  void add_live(const LiveOrder& order);
  void remove_live(uint32_t participant, uint64_t client_id);
  void set_remaining(uint32_t participant, uint64_t client_id, int64_t remaining_lots);

  Stream& stream_;
  Rng rng_;
  std::unique_ptr<matching::Engine> model_;
  std::vector<matching::Event> events_;
  std::vector<uint32_t> next_client_id_;  // per participant
  std::vector<LiveOrder> live_;
  std::unordered_map<uint64_t, uint32_t> live_index_;  // (participant, client id) -> live_
  uint32_t live_peak_ = 0;
  uint64_t new_ids_ = 0;
};

// Listing of the one product, deposits and capacity registrations, as setup commands.
void append_setup(Stream& stream);

}  // namespace ghx::bench
