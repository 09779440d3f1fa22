// The latency histograms of ghx-load (nanoseconds) and ghx-bench (clock ticks): a percentile
// is its bucket's upper edge, but never more than the largest sample, so that no percentile
// reads above the maximum printed beside it.
#include <gtest/gtest.h>

#include "tools/bench/latency_histogram.h"
#include "tools/load/latency_histogram.h"

namespace ghx::test {
namespace {

// Nine fast samples and one slow one, inside a wide bucket (1/64 of a million is 15,625).
constexpr uint64_t fast = 100;
constexpr uint64_t slow = 1'000'001;

TEST(LoadLatencyHistogram, PercentilesNeverExceedTheLargestSample) {
  load::LatencyHistogram histogram;
  EXPECT_EQ(histogram.percentile_ns(0.999), 0u);
  for (int i = 0; i < 9; ++i) histogram.record(fast);
  histogram.record(slow);
  EXPECT_EQ(histogram.max_ns(), slow);
  EXPECT_EQ(histogram.percentile_ns(0.5), fast);
  EXPECT_EQ(histogram.percentile_ns(0.999), slow);
  EXPECT_EQ(histogram.percentile_ns(1.0), slow);
  load::LatencyHistogram merged;
  merged.merge(histogram);
  EXPECT_EQ(merged.percentile_ns(0.999), slow);
}

TEST(BenchLatencyHistogram, PercentilesNeverExceedTheLargestSample) {
  bench::LatencyHistogram histogram;
  EXPECT_EQ(histogram.percentile_ticks(0.999), 0u);
  for (int i = 0; i < 9; ++i) histogram.record(fast);
  histogram.record(slow);
  EXPECT_EQ(histogram.max_ticks(), slow);
  EXPECT_EQ(histogram.percentile_ticks(0.5), fast);
  EXPECT_EQ(histogram.percentile_ticks(0.999), slow);
  EXPECT_EQ(histogram.percentile_ticks(1.0), slow);
}

}  // namespace
}  // namespace ghx::test
