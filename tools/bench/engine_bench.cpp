// ghx-bench's engine scenarios: argument parsing, one forked child per scenario (pinned to one
// core), and the JSON line each child prints.

#include "tools/bench/engine_bench.h"

#include <malloc.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "tools/bench/core_probe.h"
#include "tools/bench/cycle_clock.h"
#ifdef GHX_HAVE_LEDGER_BENCH
#include "tools/bench/ledger_bench.h"
#endif
#include "tools/bench/replay.h"
#include "tools/bench/scenarios.h"

namespace ghx::bench {
namespace {

constexpr uint64_t timed_ops_default = 2'000'000;  // all scenarios in ~20 s here
constexpr uint64_t seed_default = 20261201;
// Throughput replays per scenario, each on a fresh engine: the line reports their median (and
// the slowest and fastest), so that one replay caught by the host's other work does not make
// the figure.
constexpr uint64_t repeats_default = 5;
constexpr uint64_t repeats_max = 100;
constexpr double bytes_per_mib = 1024.0 * 1024.0;

struct Options {
  uint64_t ops = timed_ops_default;
  uint64_t seed = seed_default;
  uint64_t repeats = repeats_default;
  int cpu = -1;  // -1: the last CPU this process may run on
  std::vector<std::string> scenarios;
};

// Both benchmarks' usage: on stdout for --help, on stderr after a bad argument.
void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: ghx-bench [engine] [--ops N] [--scenario NAME]... [--seed S] [--cpu C]"
               " [--repeat R]\n"
               "scenarios:");
  for (const std::string& name : scenario_names()) std::fprintf(out, " %s", name.c_str());
  std::fprintf(out,
               "\n(resting_1m always places 1,000,000 orders; --ops sets the others; --repeat: "
               "throughput replays per scenario, median reported, default %llu)\n",
               static_cast<unsigned long long>(repeats_default));
#ifdef GHX_HAVE_LEDGER_BENCH
  print_ledger_usage(out);
#endif
}

bool asks_for_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return true;
  }
  return false;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "ghx-bench: %s needs a value\n", flag.c_str());
      return false;
    }
    const std::string value = argv[++i];
    char* end = nullptr;
    const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
    const bool numeric = !value.empty() && *end == '\0';
    if (flag == "--ops" && numeric && number > 0 && number <= 100'000'000) {
      options.ops = number;
    } else if (flag == "--repeat" && numeric && number > 0 && number <= repeats_max) {
      options.repeats = number;
    } else if (flag == "--seed" && numeric) {
      options.seed = number;
    } else if (flag == "--cpu" && numeric) {
      options.cpu = static_cast<int>(number);
    } else if (flag == "--scenario") {
      options.scenarios.push_back(value);
    } else {
      std::fprintf(stderr, "ghx-bench: bad argument %s %s\n", flag.c_str(), value.c_str());
      return false;
    }
  }
  if (options.scenarios.empty()) options.scenarios = scenario_names();
  return true;
}

// One core: measurements do not move between CPUs (and caches) halfway through.
void pin_to_cpu(int cpu) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  if (cpu < 0) {
    for (int i = CPU_SETSIZE - 1; i >= 0; --i) {
      if (CPU_ISSET(i, &allowed)) { cpu = i; break; }
    }
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (sched_setaffinity(0, sizeof(one), &one) != 0) std::perror("ghx-bench: sched_setaffinity");
}

// A field of /proc/self/status in kB ("VmHWM", "VmRSS"); 0 if unreadable.
uint64_t proc_status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return 0;
}

// Resets VmHWM to the current RSS, so that the peak reported is that of the replay alone and
// not of the generator's model engine (freed by then). Linux >= 4.0.
void reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
}

double to_mib(uint64_t kib) { return static_cast<double>(kib) * 1024.0 / bytes_per_mib; }

// Shares of the timed ops by kind, in percent: what the scenario really sent.
struct OpMix {
  double new_pct = 0, ioc_pct = 0, cancel_pct = 0, replace_pct = 0;
};

OpMix op_mix(const Stream& stream) {
  uint64_t news = 0, iocs = 0, cancels = 0, replaces = 0;
  for (uint64_t i = stream.warmup_ops; i < stream.ops.size(); ++i) {
    const BenchOp& op = stream.ops[i];
    news += op.type == matching::CommandType::new_order;
    iocs += op.time_in_force == matching::TimeInForce::immediate_or_cancel;
    cancels += op.type == matching::CommandType::cancel_order;
    replaces += op.type == matching::CommandType::replace_order;
  }
  const double percent = 100.0 / static_cast<double>(stream.ops.size() - stream.warmup_ops);
  return {news * percent, iocs * percent, cancels * percent, replaces * percent};
}

// From here on, memory the process frees stays in it (glibc: no separate mappings for large
// blocks, no trimming of the heap), so that each replay's engine gets pages the process already
// holds, as the engine of a long-running exchange does. On this class of VM, an engine on
// memory just mapped from the kernel ran 35-45 % slower for its whole replay in one replay of
// three or four (the same page faults as in the fast ones); on memory kept in the process, in
// none of 24. The first replay's engine still maps fresh memory: its peak RSS is the figure.
void keep_freed_memory() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

// The throughput replays of one scenario: each replay's ops/s, sorted, and what they share.
struct ThroughputRuns {
  ReplayResult first;
  double first_peak_rss_mib = 0;  // VmHWM after the first replay: one engine's peak
  std::vector<double> ops_per_s;  // ascending
  uint64_t allocations = 0;       // over every replay
  bool hashes_agree = true;       // every replay ended in the first one's state
};

ThroughputRuns replay_throughput_repeatedly(const Stream& stream, uint64_t repeats) {
  ThroughputRuns runs;
  for (uint64_t i = 0; i < repeats; ++i) {
    const ReplayResult result = replay_throughput(stream);
    if (i == 0) {
      runs.first = result;
      // Later replays reuse the freed memory, and calloc then writes zeros over all of it:
      // pages that a fresh engine never touches would count.
      runs.first_peak_rss_mib = to_mib(proc_status_kib("VmHWM"));
    }
    runs.ops_per_s.push_back(static_cast<double>(result.ops) / result.seconds);
    runs.allocations += result.allocations;
    runs.hashes_agree = runs.hashes_agree && result.state_hash == runs.first.state_hash;
  }
  std::sort(runs.ops_per_s.begin(), runs.ops_per_s.end());
  return runs;
}

// The middle value of an ascending list (the mean of the middle two for an even count).
double median(const std::vector<double>& ascending) {
  const size_t middle = ascending.size() / 2;
  return ascending.size() % 2 == 1 ? ascending[middle]
                                   : (ascending[middle - 1] + ascending[middle]) / 2;
}

// The core's speed before and after a scenario's replays (core_probe.h).
struct CoreProbes {
  double before_ns = 0;
  double after_ns = 0;
};

void print_json(const Stream& stream, const ThroughputRuns& fast, const ReplayResult& timed,
                const LatencyHistogram& latencies, double ticks_per_ns, uint64_t overhead_ticks,
                const CoreProbes& probes) {
  const auto ns = [&](double fraction) {
    return static_cast<double>(latencies.percentile_ticks(fraction)) / ticks_per_ns;
  };
  const double ops = static_cast<double>(fast.first.ops);
  const OpMix mix = op_mix(stream);
  const char* hash_check = stream.model_state_hash == 0 ? "null"
                           : stream.model_state_hash == fast.first.state_hash &&
                                     fast.hashes_agree &&
                                     fast.first.state_hash == timed.state_hash
                               ? "true"
                               : "false";
  const uint64_t allocations = fast.allocations + timed.allocations;
  const double replays = static_cast<double>(fast.ops_per_s.size() + 1);
  std::printf(
      "{\"scenario\":\"%s\",\"ops\":%llu,\"ops_per_s\":%.0f,\"ops_per_s_min\":%.0f,"
      "\"ops_per_s_max\":%.0f,\"repeats\":%zu,\"ops_per_s_with_timers\":%.0f,"
      "\"latency_ns_p50\":%.0f,\"latency_ns_p90\":%.0f,\"latency_ns_p99\":%.0f,"
      "\"latency_ns_p999\":%.0f,\"latency_ns_max\":%.0f,\"timer_overhead_ns\":%.1f,"
      "\"peak_rss_mib\":%.1f,\"allocations\":%llu,\"allocations_per_op\":%.3g,"
      "\"rejects\":%llu,\"events_per_op\":%.2f,\"live_orders_end\":%u,\"warmup_ops\":%llu,"
      "\"orders_max\":%u,\"client_ids_max\":%u,\"replay_matches_model\":%s,"
      "\"new_pct\":%.1f,\"ioc_pct\":%.1f,\"cancel_pct\":%.1f,\"replace_pct\":%.1f,"
      "\"core_probe_ns_before\":%.2f,\"core_probe_ns_after\":%.2f}\n",
      stream.scenario.c_str(), static_cast<unsigned long long>(fast.first.ops),
      median(fast.ops_per_s), fast.ops_per_s.front(), fast.ops_per_s.back(),
      fast.ops_per_s.size(), ops / timed.seconds, ns(0.5), ns(0.9), ns(0.99), ns(0.999), ns(1.0),
      static_cast<double>(overhead_ticks) / ticks_per_ns, fast.first_peak_rss_mib,
      static_cast<unsigned long long>(allocations),
      static_cast<double>(allocations) / (replays * ops),
      static_cast<unsigned long long>(timed.rejects), static_cast<double>(timed.events) / ops,
      fast.first.live_orders, static_cast<unsigned long long>(stream.warmup_ops),
      stream.config.limits.orders_max, stream.config.limits.client_ids_max, hash_check,
      mix.new_pct, mix.ioc_pct, mix.cancel_pct, mix.replace_pct, probes.before_ns,
      probes.after_ns);
  std::fflush(stdout);
}

// The child's work: generate, then the throughput replays and a latency replay, each on a
// fresh engine.
int run_scenario(const std::string& name, const Options& options) {
  pin_to_cpu(options.cpu);
  const double ticks_per_ns = calibrate_ticks_per_ns();
  const uint64_t overhead_ticks = measure_timer_overhead_ticks();
  const Stream stream = generate_stream(name, options.ops, options.seed);
  keep_freed_memory();
  reset_peak_rss();
  CoreProbes probes;
  probes.before_ns = core_probe_ns();
  const ThroughputRuns fast = replay_throughput_repeatedly(stream, options.repeats);
  LatencyHistogram latencies;
  const ReplayResult timed = replay_latency(stream, overhead_ticks, latencies);
  probes.after_ns = core_probe_ns();
  print_json(stream, fast, timed, latencies, ticks_per_ns, overhead_ticks, probes);
  return 0;
}

// Runs `name` in a child process and waits for it; true if it exited with 0.
bool run_in_child(const std::string& name, const Options& options) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) {
    std::perror("ghx-bench: fork");
    return false;
  }
  if (child == 0) {
    int code = 1;
    try {
      code = run_scenario(name, options);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "ghx-bench: %s: %s\n", name.c_str(), error.what());
    }
    std::fflush(stdout);
    _exit(code);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int run_engine_bench(int argc, char** argv) {
  if (asks_for_help(argc, argv)) {
    print_usage(stdout);
    return 0;
  }
  Options options;
  if (!parse_options(argc, argv, options)) {
    print_usage(stderr);
    return 2;
  }
  bool all_ok = true;
  for (const std::string& name : options.scenarios) {
    if (!run_in_child(name, options)) {
      std::fprintf(stderr, "ghx-bench: scenario %s failed\n", name.c_str());
      all_ok = false;
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace ghx::bench
