#include "tools/bench/replay.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "matching/engine.h"
#include "tools/bench/alloc_count.h"
#include "tools/bench/cycle_clock.h"

namespace ghx::bench {

using matching::Command;
using matching::Engine;
using matching::Event;
using matching::EventType;

namespace {

// No command of these scenarios makes more events than this (a taker fills at most ~10 makers),
// so the reused buffer never grows inside the timed loop.
constexpr size_t events_reserved = 4096;
constexpr uint64_t timer_overhead_tries = 100'000;

// The engine after the setup commands and the warm-up ops: the starting point of timing.
std::unique_ptr<Engine> warmed_engine(const Stream& stream, std::vector<Event>& events) {
  auto engine = std::make_unique<Engine>(stream.config);
  for (const Command& command : stream.setup) {
    events.clear();
    engine->process(command, events);
  }
  Command command;
  for (uint64_t i = 0; i < stream.warmup_ops; ++i) {
    const uint64_t sequence = stream.setup.size() + 1 + i;
    expand(stream.ops[i], sequence, stream_start_ns + int64_t(sequence) * command_spacing_ns,
           command);
    events.clear();
    engine->process(command, events);
  }
  return engine;
}

// Runs the timed ops; `process(engine, command, events)` wraps each engine call. Events and
// rejects are counted only when `count_events`: the throughput loop holds only what a sequencer
// does (expand, prefetch, process), and the latency replay of the same stream counts them.
template <bool count_events, typename Process>
ReplayResult replay(const Stream& stream, Process&& process) {
  std::vector<Event> events;
  events.reserve(events_reserved);
  std::unique_ptr<Engine> engine = warmed_engine(stream, events);
  Engine& warm = *engine;
  ReplayResult result;
  // Sizes read once: a vector's size() divides by the element size, which is a multiply on
  // every use, three of them per op in the loop below.
  const uint64_t op_count = stream.ops.size();
  const uint64_t first_sequence = stream.setup.size() + 1;
  result.ops = op_count - stream.warmup_ops;
  // Like a sequencer draining its queue, the loop holds the next commands while the current
  // one runs, and lets the engine prefetch for them: each takes one step of its lookups per
  // command run before it (Engine::prefetch).
  constexpr uint64_t ahead = 3;
  Command commands[ahead + 1];
  auto held = [&](uint64_t i) -> Command& { return commands[i % (ahead + 1)]; };
  auto expand_op = [&](uint64_t i) {
    const uint64_t sequence = first_sequence + i;
    expand(stream.ops[i], sequence, stream_start_ns + int64_t(sequence) * command_spacing_ns,
           held(i));
  };
  const uint64_t allocations_before = allocations_total();
  const auto start = std::chrono::steady_clock::now();
  const uint64_t held_at_start = std::min(stream.warmup_ops + ahead, op_count);
  for (uint64_t i = stream.warmup_ops; i < held_at_start; ++i) expand_op(i);
  for (uint64_t i = stream.warmup_ops; i < op_count; ++i) {
    const Command& command = held(i);
    if (i + ahead < op_count) {
      expand_op(i + ahead);
      warm.prefetch(held(i + ahead), Engine::PrefetchStep::blocks);
    }
    if (i + 2 < op_count) warm.prefetch(held(i + 2), Engine::PrefetchStep::slots);
    if (i + 1 < op_count) warm.prefetch(held(i + 1), Engine::PrefetchStep::orders);
    events.clear();
    process(warm, command, events);
    if constexpr (count_events) {
      result.events += events.size();
      result.rejects += !events.empty() && events.front().type == EventType::rejected;
    }
  }
  const auto end = std::chrono::steady_clock::now();
  result.allocations = allocations_total() - allocations_before;
  result.seconds = std::chrono::duration<double>(end - start).count();
  result.live_orders = warm.live_order_count();
  result.state_hash = warm.state_hash();
  return result;
}

}  // namespace

uint64_t measure_timer_overhead_ticks() {
  LatencyHistogram empty;
  for (uint64_t i = 0; i < timer_overhead_tries; ++i) {
    const uint64_t start = cycle_now();
    empty.record(cycle_now() - start);
  }
  return empty.percentile_ticks(0.5);
}

ReplayResult replay_throughput(const Stream& stream) {
  const auto process = [](Engine& engine, const Command& command, std::vector<Event>& events) {
    engine.process(command, events);
  };
  return replay<false>(stream, process);
}

ReplayResult replay_latency(const Stream& stream, uint64_t overhead_ticks,
                            LatencyHistogram& latencies) {
  const auto timed_process = [&](Engine& engine, const Command& command,
                                 std::vector<Event>& events) {
    const uint64_t start = cycle_now();
    engine.process(command, events);
    const uint64_t ticks = cycle_now() - start;
    latencies.record(ticks > overhead_ticks ? ticks - overhead_ticks : 0);
  };
  return replay<true>(stream, timed_process);
}

}  // namespace ghx::bench
