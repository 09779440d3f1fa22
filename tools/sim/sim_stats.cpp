#include "tools/sim/sim_stats.h"

#include <algorithm>
#include <cassert>

namespace ghx::sim {

void MarketStats::record_trade(size_t index, int64_t price, int64_t lots, int64_t gpu_hours) {
  assert(lots > 0 && price > 0);
  {
    std::lock_guard lock(mutex_);
    assert(index < products_.size());
    ProductTotals& totals = products_[index];
    totals.low = totals.trades == 0 ? price : std::min(totals.low, price);
    totals.high = std::max(totals.high, price);
    ++totals.trades;
    totals.lots += lots;
    totals.gpu_hours += gpu_hours;
    totals.price_lots += price * lots;
  }
  live.fills.fetch_add(1, std::memory_order_relaxed);
  live.lots_traded.fetch_add(static_cast<uint64_t>(lots), std::memory_order_relaxed);
  live.gpu_hours_traded.fetch_add(static_cast<uint64_t>(gpu_hours), std::memory_order_relaxed);
  live.notional_traded.fetch_add(static_cast<uint64_t>(price * gpu_hours),
                                 std::memory_order_relaxed);
}

std::vector<ProductTotals> MarketStats::products() const {
  std::lock_guard lock(mutex_);
  return products_;
}

}  // namespace ghx::sim
