// ghx-load: many concurrent TLS sessions sending orders to a running ghxd on this machine;
// prints throughput and order-to-ack latency percentiles as one JSON line (the format of
// ghx-bench), beside the machine's own durable-commit latency measured in the same run.
// usage: ghx-load [--port P] [--data DIR] [--sessions N] [--rate N] [--seconds N]
//                 [--inflight N] [--threads N] [--products N]

#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <thread>

#include "gateway/option_numbers.h"
#include "gateway/tls.h"
#include "tools/load/commit_probe.h"
#include "tools/load/load_session.h"
#include "tools/sim/operator_session.h"
#include "tools/sim/participants.h"

namespace {

using namespace ghx;
using load::Clock;

constexpr uint32_t sessions_max = 64;
constexpr uint32_t threads_max = 8;
constexpr int64_t seconds_max = 600;
constexpr uint32_t inflight_max = 16'384;
constexpr size_t products_max = 1'000;    // more than ghxd's calendar lists
constexpr double rate_max = 100'000'000;  // orders per second: far past any one machine
constexpr int64_t buyer_deposit_minor = 10'000'000'000'000;  // never the limit of a run
constexpr int64_t seller_capacity_lots = 1'000'000;  // per product: the engine's registration maximum
constexpr int64_t order_price_ticks = 1'000;                 // buyers and sellers meet here
constexpr auto logon_timeout = std::chrono::seconds(10);
constexpr auto drain_timeout = std::chrono::seconds(5);
constexpr auto stop_grace = std::chrono::seconds(3);
const std::vector<std::string> models = {"H100SXM", "H20", "910B", "L40S", "A800", "H800SXM"};

struct Options {
  sim::Endpoint endpoint;
  uint32_t sessions = 8;
  double rate = 0;  // orders per second in total; 0 = as fast as possible
  int64_t seconds = 10;
  uint32_t inflight = 512;
  uint32_t threads = 1;
  size_t products = 4;
};

// The usage text: on stdout with exit 0 when asked for (--help), else on stderr with exit 2.
int usage(FILE* out = stderr) {
  std::fprintf(out,
               "usage: ghx-load [--port P] [--data DIR] [--sessions N] [--rate N] [--seconds N]"
               " [--inflight N] [--threads N] [--products N]\n"
               "  --rate: orders/s over all sessions, 0 = as fast as possible (default 0)\n"
               "  --inflight: unacknowledged orders per session (default 512)\n");
  return out == stdout ? 0 : 2;
}

// Throws std::invalid_argument naming the argument at fault.
Options parse(int argc, char** argv) {
  using gateway::parse_decimal_option;
  using gateway::parse_whole_option;
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (!name.starts_with("--")) throw std::invalid_argument("unexpected argument '" + name + "'");
    if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
    const std::string value = argv[i + 1];
    if (sim::parse_endpoint_option(name, value, o.endpoint)) continue;
    if (name == "--sessions") {
      o.sessions = static_cast<uint32_t>(parse_whole_option(value, name, 1, sessions_max));
    } else if (name == "--rate") {
      o.rate = parse_decimal_option(value, name, 0, rate_max);
    } else if (name == "--seconds") {
      o.seconds = static_cast<int64_t>(parse_whole_option(value, name, 1, seconds_max));
    } else if (name == "--inflight") {
      o.inflight = static_cast<uint32_t>(parse_whole_option(value, name, 1, inflight_max));
    } else if (name == "--threads") {
      o.threads = static_cast<uint32_t>(parse_whole_option(value, name, 1, threads_max));
    } else if (name == "--products") {
      o.products = parse_whole_option(value, name, 1, products_max);
    } else {
      throw std::invalid_argument("unknown option " + name);
    }
  }
  // Load goes to this machine only.
  if (o.endpoint.host != "127.0.0.1" && o.endpoint.host != "localhost") {
    const std::string rule =
        "--host must be 127.0.0.1 or localhost (load goes to this machine only)";
    throw std::invalid_argument(rule + ", not '" + o.endpoint.host + "'");
  }
  return o;
}

// ops funds every buyer and registers every seller's capacity on the chosen products.
bool prepare(const Options& o, std::vector<std::string>& symbols, std::vector<int64_t>& prices) {
  sim::OperatorSession ops(o.endpoint);
  std::string error;
  std::optional<std::vector<sim::ProductRow>> listed;
  if (ops.open(error)) listed = ops.list_products(error);
  if (!listed) return std::fprintf(stderr, "ghx-load: %s\n", error.c_str()), false;
  for (const sim::ProductRow& row :
       sim::choose_products(*listed, models, 1, o.products, o.seconds + 120)) {
    symbols.push_back(row.symbol);
    prices.push_back(order_price_ticks * row.tick_size);
  }
  if (symbols.empty()) return std::fprintf(stderr, "ghx-load: no open product\n"), false;
  bool ok = true;
  for (std::string_view buyer : sim::buyer_names) {
    ok = ok && ops.deposit(buyer, buyer_deposit_minor, error);
  }
  for (std::string_view seller : sim::seller_names) {
    for (const std::string& symbol : symbols) {
      ok = ok && ops.register_capacity(seller, symbol, seller_capacity_lots, error);
    }
  }
  ops.close();
  if (!ok) std::fprintf(stderr, "ghx-load: set-up by ops failed: %s\n", error.c_str());
  return ok;
}

// Sessions alternate buyers and sellers so that the orders cross and the book stays small.
load::SessionPlan plan_for(uint32_t index, const Options& o, const std::vector<std::string>& symbols,
                           const std::vector<int64_t>& prices, uint64_t run_id,
                           std::atomic<uint32_t>& ready) {
  const bool buyer = index % 2 == 0;
  const std::string_view name = buyer ? sim::buyer_names[(index / 2) % sim::buyer_names.size()]
                                      : sim::seller_names[(index / 2) % sim::seller_names.size()];
  return {.index = index, .run_id = run_id, .participant = std::string(name),
          .side = buyer ? wire::Side::Buy : wire::Side::Sell, .symbols = symbols,
          .prices = prices, .rate_per_s = o.rate / o.sessions, .inflight_max = o.inflight,
          .ready = &ready};
}

std::string scenario_name(double rate) {
  if (rate == 0) return "load_max";
  if (rate >= 1000 && static_cast<int64_t>(rate) % 1000 == 0) {
    return "load_" + std::to_string(static_cast<int64_t>(rate) / 1000) + "k";
  }
  return "load_" + std::to_string(static_cast<int64_t>(rate));
}

}  // namespace

namespace {

struct LoadRun {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<asio::ssl::context>> tls;
  std::vector<std::unique_ptr<load::LoadSession>> sessions;
  std::vector<std::thread> threads;
  std::atomic<uint32_t> ready{0};
  std::atomic<uint32_t> threads_done{0};
};

bool connect_sessions(const Options& o, const std::vector<std::string>& symbols,
                      const std::vector<int64_t>& prices, LoadRun& run) {
  const uint64_t run_id = static_cast<uint64_t>(std::time(nullptr)) & ((1 << 23) - 1);
  const asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), o.endpoint.port);
  for (uint32_t t = 0; t < o.threads; ++t) {
    run.contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  for (uint32_t i = 0; i < o.sessions; ++i) {
    load::SessionPlan plan = plan_for(i, o, symbols, prices, run_id, run.ready);
    try {
      run.tls.push_back(std::make_unique<asio::ssl::context>(
          gateway::make_client_tls_context(sim::participant_tls(o.endpoint.data_dir,
                                                                plan.participant))));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ghx-load: %s: %s\n", plan.participant.c_str(), e.what());
      return false;
    }
    auto& io = *run.contexts[i % o.threads];
    run.sessions.push_back(std::make_unique<load::LoadSession>(io, *run.tls.back(), plan));
    run.sessions.back()->start(server);
  }
  return true;
}

// Runs the load phase; every wait is bounded and the io threads are stopped if they overrun.
void run_orders(const Options& o, LoadRun& run) {
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<Guard> guards;
  for (auto& io : run.contexts) guards.push_back(asio::make_work_guard(*io));
  for (auto& io : run.contexts) {
    run.threads.emplace_back([&run, io = io.get()] {
      io->run();
      run.threads_done.fetch_add(1);
    });
  }
  const auto logon_deadline = Clock::now() + logon_timeout;
  while (run.ready.load() < o.sessions && Clock::now() < logon_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto start = Clock::now() + std::chrono::milliseconds(20);
  const auto end = start + std::chrono::seconds(o.seconds);
  const auto drain_end = end + drain_timeout;
  for (uint32_t i = 0; i < o.sessions; ++i) {
    load::LoadSession* session = run.sessions[i].get();
    asio::post(*run.contexts[i % o.threads],
               [=] { session->run_orders(start, end, drain_end); });
  }
  guards.clear();  // the contexts end when their sessions have finished
  const auto hard_end = drain_end + stop_grace;
  while (run.threads_done.load() < run.threads.size() && Clock::now() < hard_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& io : run.contexts) io->stop();
  for (std::thread& thread : run.threads) thread.join();
}

int report(const Options& o, const LoadRun& run, const load::CommitProbe& probe) {
  load::LatencyHistogram latency;
  uint64_t sent = 0, acked = 0, rejects = 0, fills = 0;
  Clock::time_point first = Clock::time_point::max(), last = Clock::time_point::min();
  int failed = 0;
  for (const auto& session : run.sessions) {
    const load::SessionResult& r = session->result();
    if (r.failed || !r.logged_on) {
      ++failed;
      std::fprintf(stderr, "ghx-load: session failed: %s\n", r.error.c_str());
    }
    latency.merge(r.latency);
    sent += r.sent, acked += r.acked, rejects += r.rejects, fills += r.fills;
    if (r.sent > 0) first = std::min(first, r.first_send);
    if (r.acked > 0) last = std::max(last, r.last_ack);
  }
  const double elapsed_s = acked > 0 ? std::chrono::duration<double>(last - first).count() : 0;
  const load::LatencyHistogram& commits = probe.commits();
  std::printf(
      "{\"scenario\":\"%s\",\"ops\":%llu,\"ops_per_s\":%.0f,\"latency_ns_p50\":%llu,"
      "\"latency_ns_p99\":%llu,\"latency_ns_p999\":%llu,\"latency_ns_max\":%llu,"
      "\"sessions\":%u,\"rejects\":%llu,\"sent\":%llu,\"fills\":%llu,\"target_rate\":%.0f,"
      "\"seconds\":%lld,\"commit_ns_p50\":%llu,\"commit_ns_p99\":%llu,\"commits\":%llu}\n",
      scenario_name(o.rate).c_str(), static_cast<unsigned long long>(acked),
      elapsed_s > 0 ? static_cast<double>(acked) / elapsed_s : 0.0,
      static_cast<unsigned long long>(latency.percentile_ns(0.50)),
      static_cast<unsigned long long>(latency.percentile_ns(0.99)),
      static_cast<unsigned long long>(latency.percentile_ns(0.999)),
      static_cast<unsigned long long>(latency.max_ns()), o.sessions,
      static_cast<unsigned long long>(rejects), static_cast<unsigned long long>(sent),
      static_cast<unsigned long long>(fills), o.rate, static_cast<long long>(o.seconds),
      static_cast<unsigned long long>(commits.percentile_ns(0.50)),
      static_cast<unsigned long long>(commits.percentile_ns(0.99)),
      static_cast<unsigned long long>(commits.samples()));
  if (acked < sent) {
    std::fprintf(stderr, "ghx-load: %llu orders were not acknowledged in time\n",
                 static_cast<unsigned long long>(sent - acked));
  }
  return failed == 0 && acked == sent ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (sim::asks_for_help(argc, argv)) return usage(stdout);
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "ghx-load: %s\n", error.what());
    return usage();
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> symbols;
  std::vector<int64_t> prices;
  if (!prepare(options, symbols, prices)) return 1;
  load::CommitProbe probe(options.endpoint.data_dir);
  std::string error;
  if (!probe.start(error)) std::fprintf(stderr, "ghx-load: %s (no commit figures)\n", error.c_str());
  LoadRun run;
  if (!connect_sessions(options, symbols, prices, run)) return 1;
  run_orders(options, run);
  probe.stop();
  return report(options, run, probe);
}
