#pragma once
// What the demo market measures while it runs: live counters for the progress line (atomics,
// written by trader threads) and per-product trade statistics for the summary (behind a mutex;
// fills arrive a few hundred times per second at most).

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace ghx::sim {

struct LiveCounters {
  std::atomic<uint64_t> orders_sent{0};
  std::atomic<uint64_t> rejects{0};
  // Orders a call phase does not take (IOC, minimum quantity): expected, so counted apart.
  std::atomic<uint64_t> refused_in_call{0};
  std::atomic<uint64_t> fills{0};       // trades, counted once (on the buyer's side)
  std::atomic<uint64_t> lots_traded{0};
  std::atomic<uint64_t> gpu_hours_traded{0};
  std::atomic<uint64_t> notional_traded{0};  // minor units
};

struct ProductTotals {
  uint64_t trades = 0;
  int64_t lots = 0;
  int64_t gpu_hours = 0;
  int64_t price_lots = 0;  // sum of price x lots, for the VWAP
  int64_t low = 0;
  int64_t high = 0;
};

struct ParticipantTotals {
  std::string name;
  bool buyer = false;
  uint64_t orders = 0;
  uint64_t rejects = 0;
  uint64_t refused_in_call = 0;  // not counted in rejects
  uint64_t blocks = 0;           // block orders sent (counted in orders)
  uint64_t blocks_filled = 0;    // filled in full in every window
  // Refused whole, as a block's rule says: a window could not fill in full, or was in its call
  // phase. Not counted in rejects.
  uint64_t blocks_refused = 0;
  int64_t lots_ordered = 0;
  int64_t lots_filled = 0;
  int64_t notional = 0;  // minor units
};

class MarketStats {
 public:
  explicit MarketStats(size_t products) : products_(products) {}

  // One trade of `lots` at `price` in product `index`, lasting `hours` with `gpus_per_lot`.
  void record_trade(size_t index, int64_t price, int64_t lots, int64_t gpu_hours);
  std::vector<ProductTotals> products() const;

  LiveCounters live;

 private:
  mutable std::mutex mutex_;
  std::vector<ProductTotals> products_;
};

}  // namespace ghx::sim
