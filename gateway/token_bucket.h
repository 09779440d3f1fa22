#pragma once
// A token bucket for per-session rate limits: `rate_per_second` tokens accrue continuously up to
// `burst`; each message takes what it costs (most one). Integer arithmetic in nanoseconds, no
// clock inside: the caller passes the time, so tests are deterministic.

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace ghx::gateway {

class TokenBucket {
 public:
  TokenBucket(uint32_t rate_per_second, uint32_t burst)
      : rate_per_second_(rate_per_second), burst_(burst), tokens_(burst) {
    assert(rate_per_second_ > 0 && burst_ > 0);
  }

  // Takes `cost` tokens if there are as many, else none. `now_ns` must not go backwards. A cost
  // above the burst never passes: the caller refuses such a message rather than retry it.
  bool try_take(int64_t now_ns, uint32_t cost = 1) {
    assert(cost > 0);
    refill(now_ns);
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    return true;
  }

  uint32_t tokens() const { return tokens_; }
  uint32_t burst() const { return burst_; }

 private:
  static constexpr int64_t ns_per_second = 1'000'000'000;

  void refill(int64_t now_ns) {
    if (last_ns_ < 0) last_ns_ = now_ns;
    const int64_t elapsed_ns = std::max<int64_t>(0, now_ns - last_ns_);
    const int64_t earned = elapsed_ns * rate_per_second_ / ns_per_second;
    if (earned == 0) return;  // keep last_ns_ so fractions of a token are not lost
    tokens_ = static_cast<uint32_t>(std::min<int64_t>(burst_, tokens_ + earned));
    last_ns_ += earned * ns_per_second / rate_per_second_;
    if (tokens_ == burst_) last_ns_ = now_ns;  // a full bucket does not bank time
  }

  uint32_t rate_per_second_;
  uint32_t burst_;
  uint32_t tokens_;
  int64_t last_ns_ = -1;
};

}  // namespace ghx::gateway
