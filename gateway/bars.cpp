#include "gateway/bars.h"

#include <algorithm>

namespace ghx::gateway {
int64_t BarBook::minute_start(int64_t time_ns) {
  const int64_t rest = time_ns % interval_ns;
  return time_ns - (rest < 0 ? rest + interval_ns : rest);
}

void BarBook::add_trade(uint32_t product, int64_t time_ns, int64_t price, int64_t lots,
                        int64_t notional, std::vector<Bar>& closed) {
  ProductBars& bars = products_[product];
  const int64_t start = minute_start(time_ns);
  Bar& bar = bars.running;
  if (bar.trades != 0 && bar.start_ns != start) close_running(bars, closed);
  if (bar.trades == 0) {
    bar = Bar{.product = product, .start_ns = start, .open = price, .high = price, .low = price};
    running_by_end_.emplace(start + interval_ns, product);
  }
  bar.high = std::max(bar.high, price);
  bar.low = std::min(bar.low, price);
  bar.close = price;
  bar.volume += lots;
  bar.notional += notional;
  ++bar.trades;
}

void BarBook::restore(const Bar& bar, std::vector<Bar>& closed) {
  ProductBars& bars = products_[bar.product];
  if (bars.running.trades != 0) close_running(bars, closed);
  bars.running = bar;
  bars.running.closed = false;
  running_by_end_.emplace(bar.start_ns + interval_ns, bar.product);
}

void BarBook::close_until(int64_t now_ns, std::vector<Bar>& closed) {
  while (!running_by_end_.empty() && running_by_end_.begin()->first <= now_ns) {
    close_running(products_.at(running_by_end_.begin()->second), closed);  // unlists it
  }
}

void BarBook::forget(uint32_t product) {
  const auto found = products_.find(product);
  if (found == products_.end()) return;
  if (found->second.running.trades != 0) unlist_running(found->second.running);
  products_.erase(found);
}

std::vector<Bar> BarBook::recent(uint32_t product, size_t count, int64_t before_ns,
                                 bool& more) const {
  std::vector<Bar> out;
  more = false;
  const auto found = products_.find(product);
  if (found == products_.end() || count == 0) return out;
  const ProductBars& bars = found->second;
  const bool running = bars.running.trades != 0 && bars.running.start_ns < before_ns;
  // The closed bars that started before before_ns: a prefix, as they are in time order.
  const auto end = std::lower_bound(
      bars.closed.begin(), bars.closed.end(), before_ns,
      [](const Bar& bar, int64_t time_ns) { return bar.start_ns < time_ns; });
  const size_t available = static_cast<size_t>(end - bars.closed.begin());
  const size_t from_closed = std::min(available, count - (running ? 1 : 0));
  more = from_closed < available;
  out.assign(end - static_cast<std::ptrdiff_t>(from_closed), end);
  if (running) out.push_back(bars.running);
  return out;
}

void BarBook::close_running(ProductBars& bars, std::vector<Bar>& closed) {
  Bar& bar = bars.running;
  unlist_running(bar);
  bar.closed = true;
  closed.push_back(bar);
  bars.closed.push_back(bar);
  if (bars.closed.size() > kept_max) bars.closed.pop_front();
  bar = Bar{};
}

void BarBook::unlist_running(const Bar& bar) {
  const auto [first, last] = running_by_end_.equal_range(bar.start_ns + interval_ns);
  for (auto it = first; it != last; ++it) {
    if (it->second == bar.product) {
      running_by_end_.erase(it);
      return;
    }
  }
}

}  // namespace ghx::gateway
