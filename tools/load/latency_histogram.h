#pragma once
// Order-to-ack latencies in a fixed log-linear histogram of nanoseconds: recording is a few
// instructions and no allocation, memory is constant whatever the run length, and a bucket is
// at most 1/64 of its value wide (under 1.6 % error). Per session, merged at the end.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace ghx::load {

class LatencyHistogram {
 public:
  static constexpr int sub_bucket_bits = 6;  // 64 buckets per power of two
  static constexpr uint64_t exact_ns_max = uint64_t{1} << (sub_bucket_bits + 1);
  static constexpr size_t bucket_count = exact_ns_max + 64 * (size_t{1} << sub_bucket_bits);

  void record(uint64_t ns) {
    ++counts_[bucket_of(ns)];
    ++samples_;
    if (ns > max_ns_) max_ns_ = ns;
  }

  void merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    samples_ += other.samples_;
    if (other.max_ns_ > max_ns_) max_ns_ = other.max_ns_;
  }

  uint64_t samples() const { return samples_; }
  uint64_t max_ns() const { return max_ns_; }

  // The smallest value v such that at least `fraction` of the samples are <= v (the upper edge
  // of its bucket, but never above the largest sample: the top bucket's edge is a bound, not a
  // value seen); 0 without samples.
  uint64_t percentile_ns(double fraction) const {
    if (samples_ == 0) return 0;
    auto wanted = static_cast<uint64_t>(fraction * static_cast<double>(samples_) + 0.5);
    if (wanted == 0) wanted = 1;
    uint64_t seen = 0;
    for (size_t bucket = 0; bucket < bucket_count; ++bucket) {
      seen += counts_[bucket];
      if (seen >= wanted) return std::min(upper_edge(bucket), max_ns_);
    }
    return max_ns_;
  }

 private:
  static constexpr int exact_width = sub_bucket_bits + 1;  // bit width of exact_ns_max - 1

  static size_t bucket_of(uint64_t ns) {
    if (ns < exact_ns_max) return ns;
    const int width = std::bit_width(ns);  // > exact_width
    const uint64_t sub = (ns >> (width - 1 - sub_bucket_bits)) & ((1 << sub_bucket_bits) - 1);
    return exact_ns_max + static_cast<size_t>(width - exact_width - 1) * (1 << sub_bucket_bits) +
           sub;
  }
  static uint64_t upper_edge(size_t bucket) {
    if (bucket < exact_ns_max) return bucket;
    const size_t above = bucket - exact_ns_max;
    const int width = static_cast<int>(above >> sub_bucket_bits) + exact_width + 1;
    const uint64_t sub = above & ((1 << sub_bucket_bits) - 1);
    const int shift = width - 1 - sub_bucket_bits;
    return ((uint64_t{1} << sub_bucket_bits | sub) << shift) + (uint64_t{1} << shift) - 1;
  }

  std::array<uint64_t, bucket_count> counts_{};
  uint64_t samples_ = 0;
  uint64_t max_ns_ = 0;
};

}  // namespace ghx::load
