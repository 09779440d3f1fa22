#pragma once
// Latency samples in a fixed log-linear histogram of clock ticks: recording is a few
// instructions and no allocation, memory is constant whatever the number of operations (so the
// benchmark's own footprint stays out of the engine's peak RSS), and the bucket width is at
// most 1/64 of its value (under 1.6 % error) above `exact_ticks_max`.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace ghx::bench {

class LatencyHistogram {
 public:
  static constexpr uint64_t exact_ticks_max = 2048;  // one bucket per tick below this
  static constexpr int sub_bucket_bits = 6;          // 64 buckets per power of two above
  static constexpr int powers_max = 64 - 11;
  static constexpr size_t bucket_count = exact_ticks_max + powers_max * (1 << sub_bucket_bits);

  void record(uint64_t ticks) {
    ++counts_[bucket_of(ticks)];
    ++samples_;
    if (ticks > max_ticks_) max_ticks_ = ticks;
  }

  uint64_t samples() const { return samples_; }
  uint64_t max_ticks() const { return max_ticks_; }

  // The smallest tick value v such that at least `fraction` of the samples are <= v (reported
  // as the upper edge of its bucket, but never above the largest sample: the top bucket's edge
  // is a bound, not a value seen); 0 without samples.
  uint64_t percentile_ticks(double fraction) const {
    if (samples_ == 0) return 0;
    const auto wanted = static_cast<uint64_t>(fraction * static_cast<double>(samples_) + 0.5);
    uint64_t seen = 0;
    for (size_t bucket = 0; bucket < bucket_count; ++bucket) {
      seen += counts_[bucket];
      if (seen >= wanted && seen > 0) return std::min(upper_edge(bucket), max_ticks_);
    }
    return max_ticks_;
  }

 private:
  static size_t bucket_of(uint64_t ticks) {
    if (ticks < exact_ticks_max) return ticks;
    const int width = std::bit_width(ticks);  // >= 12
    const uint64_t sub = (ticks >> (width - 1 - sub_bucket_bits)) & ((1 << sub_bucket_bits) - 1);
    return exact_ticks_max + static_cast<size_t>(width - 12) * (1 << sub_bucket_bits) + sub;
  }
  static uint64_t upper_edge(size_t bucket) {
    if (bucket < exact_ticks_max) return bucket;
    const size_t above = bucket - exact_ticks_max;
    const int width = static_cast<int>(above >> sub_bucket_bits) + 12;
    const uint64_t sub = above & ((1 << sub_bucket_bits) - 1);
    const int shift = width - 1 - sub_bucket_bits;
    return ((uint64_t{1} << sub_bucket_bits | sub) << shift) + (uint64_t{1} << shift) - 1;
  }

  std::array<uint64_t, bucket_count> counts_{};
  uint64_t samples_ = 0;
  uint64_t max_ticks_ = 0;
};

}  // namespace ghx::bench
