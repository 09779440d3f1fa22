// ghx-bench run as a child process on a short stream: the JSON line it prints for a scenario
// holds the fields the README's Performance section is read from, with values that agree with
// each other (the median between the slowest and fastest replay, no allocation while timed,
// every replay ending in the model's state). Timing itself is not checked: figures come from
// the benchmark, not from tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/tools/child_process.h"

namespace ghx::test {
namespace {

using namespace std::chrono_literals;

constexpr auto bench_timeout = 120s;  // a few seconds here; far more under the sanitizers

// The raw text of a top-level field of a one-line JSON object ("" when absent): a number, true,
// false, or a string with its quotes.
std::string field(const std::string& json, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  const size_t start = json.find(key);
  if (start == std::string::npos) return "";
  const size_t value = start + key.size();
  return json.substr(value, json.find_first_of(",}", value) - value);
}

double number(const std::string& json, const std::string& name) {
  const std::string text = field(json, name);
  EXPECT_FALSE(text.empty()) << "no field " << name << " in " << json;
  return std::strtod(text.c_str(), nullptr);
}

TEST(GhxBench, PrintsOneConsistentLinePerScenario) {
  const RunResult run = run_process({GHX_BENCH_PATH, "engine", "--scenario", "normal",
                                     "--ops", "20000", "--repeat", "3"},
                                    bench_timeout);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.out.find('\n'), run.out.size() - 1) << "one line expected: " << run.out;
  const std::string& json = run.out;
  EXPECT_EQ(field(json, "scenario"), "\"normal\"");
  EXPECT_EQ(number(json, "ops"), 20000);
  EXPECT_EQ(number(json, "repeats"), 3);
  const double median = number(json, "ops_per_s");
  EXPECT_GT(number(json, "ops_per_s_min"), 0);
  EXPECT_LE(number(json, "ops_per_s_min"), median);
  EXPECT_LE(median, number(json, "ops_per_s_max"));
  EXPECT_LE(number(json, "latency_ns_p50"), number(json, "latency_ns_p99"));
  EXPECT_LE(number(json, "latency_ns_p99"), number(json, "latency_ns_p999"));
  EXPECT_GT(number(json, "peak_rss_mib"), 0);
  EXPECT_EQ(number(json, "allocations"), 0);
  EXPECT_EQ(field(json, "replay_matches_model"), "true");
  EXPECT_GT(number(json, "core_probe_ns_before"), 0);
  EXPECT_GT(number(json, "core_probe_ns_after"), 0);
}

TEST(GhxBench, RefusesABadRepeatCountWithItsUsage) {
  const RunResult run =
      run_process({GHX_BENCH_PATH, "engine", "--scenario", "normal", "--repeat", "0"}, 10s);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bad argument --repeat 0"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("usage: ghx-bench"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

// --help is asked for, not a mistake: the usage of both benchmarks (the ledger's too) on
// stdout, exit 0; each sub-command's --help gives its own.
TEST(GhxBench, HelpPrintsTheUsageOfEachBenchmarkOnStdout) {
  const RunResult all = run_process({GHX_BENCH_PATH, "--help"}, 10s);
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_TRUE(all.out.starts_with("usage: ghx-bench [engine] ")) << all.out;
  EXPECT_NE(all.out.find("\nusage: ghx-bench ledger "), std::string::npos) << all.out;
  EXPECT_TRUE(all.err.empty()) << all.err;
  const RunResult engine = run_process({GHX_BENCH_PATH, "engine", "-h"}, 10s);
  EXPECT_EQ(engine.exit_code, 0);
  EXPECT_TRUE(engine.out.starts_with("usage: ghx-bench [engine] ")) << engine.out;
  const RunResult ledger = run_process({GHX_BENCH_PATH, "ledger", "--help"}, 10s);
  EXPECT_EQ(ledger.exit_code, 0);
  EXPECT_TRUE(ledger.out.starts_with("usage: ghx-bench ledger ")) << ledger.out;
  EXPECT_TRUE(ledger.err.empty()) << ledger.err;
}

}  // namespace
}  // namespace ghx::test
