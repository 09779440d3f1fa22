#pragma once
// One-minute bars (open, high, low, close, volume) of each product's trades, for public market
// data. Timed by the trades' sequencer timestamps, so the same journal gives the same bars.
// Not thread-safe: the service guards it with its sessions lock.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

namespace ghx::gateway {

struct Bar {
  uint32_t product = 0;
  int64_t start_ns = 0;  // a whole minute
  int64_t open = 0;
  int64_t high = 0;
  int64_t low = 0;
  int64_t close = 0;
  int64_t volume = 0;  // lots
  uint32_t trades = 0;
  int64_t notional = 0;
  bool closed = false;

  bool operator==(const Bar&) const = default;
};

class BarBook {
 public:
  static constexpr int64_t interval_ns = int64_t{60} * 1'000'000'000;
  static constexpr size_t kept_max = 1440;  // closed bars per product: a day

  // The start of the minute `time_ns` falls in (floored, also before 1970).
  static int64_t minute_start(int64_t time_ns);

  // Adds a trade. A trade of a later minute closes its product's running bar first, appended
  // to `closed`. Trades come in time order (the sequencer's).
  void add_trade(uint32_t product, int64_t time_ns, int64_t price, int64_t lots,
                 int64_t notional, std::vector<Bar>& closed);
  // Closes every running bar whose minute ended at or before `now_ns`, appended to `closed`.
  void close_until(int64_t now_ns, std::vector<Bar>& closed);
  // Takes a bar rebuilt from the ledger's trades as its product's running one (the one it had
  // closes, appended to `closed`). A product's bars come in time order.
  void restore(const Bar& bar, std::vector<Bar>& closed);
  // Drops a product's bars (it was delivered: nobody trades it any more).
  void forget(uint32_t product);
  // The product's last `count` bars that started before `before_ns`, oldest first (the running
  // one last, if it qualifies); `more` says whether older ones are kept.
  std::vector<Bar> recent(uint32_t product, size_t count, int64_t before_ns, bool& more) const;

 private:
  struct ProductBars {
    std::deque<Bar> closed;  // at most kept_max, oldest first
    Bar running;             // trades == 0: none running
  };
  void close_running(ProductBars& bars, std::vector<Bar>& closed);
  void unlist_running(const Bar& bar);

  std::map<uint32_t, ProductBars> products_;
  // Products with a running bar, by the end of its minute: what close_until walks.
  std::multimap<int64_t, uint32_t> running_by_end_;
};

}  // namespace ghx::gateway
