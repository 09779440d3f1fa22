#pragma once
// Replays a generated stream through a fresh engine: setup and warm-up untimed, then the timed
// ops, either as one tight loop (throughput) or with the clock read around every command
// (latency). Both count heap allocations made during the timed part.

#include <cstdint>

#include "tools/bench/latency_histogram.h"
#include "tools/bench/scenarios.h"

namespace ghx::bench {

struct ReplayResult {
  uint64_t ops = 0;
  double seconds = 0;        // wall time of the whole timed loop
  uint64_t allocations = 0;  // operator new calls during the timed loop
  uint64_t rejects = 0;      // timed commands answered with a `rejected` event (latency replay)
  uint64_t events = 0;       // events of the timed commands (latency replay)
  uint32_t live_orders = 0;  // resting orders at the end
  uint64_t state_hash = 0;
};

// One loop of engine.process over the timed ops, timed as a whole by steady_clock.
ReplayResult replay_throughput(const Stream& stream);

// Reads the TSC before and after each engine.process of the timed ops; records each command's
// ticks, less `overhead_ticks` (the cost of an empty timed region), in `latencies`.
ReplayResult replay_latency(const Stream& stream, uint64_t overhead_ticks,
                            LatencyHistogram& latencies);

}  // namespace ghx::bench
