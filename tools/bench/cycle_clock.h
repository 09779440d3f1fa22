#pragma once
// A cheap clock for timing one engine command: the TSC, read after an lfence so that the read
// does not drift ahead of the work being timed. The TSC is invariant on this machine
// (constant_tsc, nonstop_tsc), so ticks convert to nanoseconds with one calibrated factor.

#include <x86intrin.h>

#include <chrono>
#include <cstdint>

namespace ghx::bench {

inline uint64_t cycle_now() {
  _mm_lfence();
  return __rdtsc();
}

// Ticks per nanosecond, calibrated against steady_clock over `window_ms`.
inline double calibrate_ticks_per_ns(int window_ms = 100) {
  using Clock = std::chrono::steady_clock;
  const auto wall_start = Clock::now();
  const uint64_t ticks_start = cycle_now();
  while (Clock::now() - wall_start < std::chrono::milliseconds(window_ms)) {
  }
  const uint64_t ticks_end = cycle_now();
  const auto wall_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - wall_start).count();
  return static_cast<double>(ticks_end - ticks_start) / static_cast<double>(wall_ns);
}

// The cost of one timed empty region (two reads), in ticks: the median of many tries. It is
// subtracted from every sample, so latencies show the engine's time, not the clock's.
uint64_t measure_timer_overhead_ticks();

}  // namespace ghx::bench
