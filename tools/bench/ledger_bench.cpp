#include "tools/bench/ledger_bench.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace ghx::bench {
namespace {

using namespace ghx::ledger;
using Clock = std::chrono::steady_clock;

constexpr uint32_t buyers = 64;
constexpr uint32_t sellers = 64;
constexpr uint32_t products = 16;
constexpr int64_t lot_size_gpus = 8;
constexpr int64_t hours = 1;
constexpr size_t command_size_bytes = 64;  // a typical serialized order command

struct Config {
  std::string dir;
  uint64_t fills_max = 200'000;
  double seconds_max = 5.0;
  std::vector<size_t> batch_sizes{1, 10, 100, 1000};
};

struct Market {
  uint64_t sequence = 0;
  uint64_t trade = 0;
};

void setup(Ledger& ledger) {
  Batch b;
  for (uint32_t p = 1; p <= buyers + sellers; ++p) {
    const bool buyer = p <= buyers;
    const std::string name = (buyer ? "buyer-" : "seller-") + std::to_string(p);
    (void)b.upsert_participant(ParticipantId{p}, name, buyer ? role_buyer : role_seller);
    if (buyer) (void)b.deposit(ParticipantId{p}, Cash{int64_t{1} << 55}, {});
  }
  for (uint32_t i = 1; i <= products; ++i) {
    (void)b.list_product(ProductId{i}, "BENCH." + std::to_string(i), lot_size_gpus, hours, {}, {});
    for (uint32_t s = buyers + 1; s <= buyers + sellers; ++s) {
      (void)b.register_capacity(ParticipantId{s}, ProductId{i}, Lots{int64_t{1} << 40}, {});
    }
  }
  if (ledger.commit(b) != Result::ok) throw std::runtime_error("bench setup failed");
}

// One journaled command per fill, the holds the engine made for it, and the settlement.
void add_fill(Batch& b, Market& m) {
  const uint64_t seq = ++m.sequence;
  const uint64_t id = ++m.trade;
  Fill f;
  f.trade_id = TradeId{id};
  f.sequence = SequenceNumber{seq};
  f.timestamp_ns = Timestamp{static_cast<int64_t>(id) * 1000};
  f.product = ProductId{static_cast<uint32_t>(id % products) + 1};
  f.buyer = ParticipantId{static_cast<uint32_t>(id % buyers) + 1};
  f.seller = ParticipantId{static_cast<uint32_t>(id * 7 % sellers) + buyers + 1};
  f.price = Price{1800 + static_cast<int64_t>(id % 100)};
  f.lots = Lots{1 + static_cast<int64_t>(id % 8)};
  f.notional = Cash{f.price.value * f.lots.value * lot_size_gpus * hours};
  f.buyer_fee = Cash{f.notional.value / 1000};
  f.seller_fee = Cash{f.notional.value / 1000};
  f.buyer_hold_released = Cash{f.notional.value + f.buyer_fee.value + 5};
  uint8_t command[command_size_bytes];
  std::memset(command, static_cast<int>(id), sizeof command);
  bool ok = b.journal(SequenceNumber{seq}, command) == Result::ok &&
            b.hold_cash(f.buyer, f.buyer_hold_released, f.timestamp_ns) == Result::ok &&
            b.hold_capacity(f.seller, f.product, f.lots, f.timestamp_ns) == Result::ok &&
            b.settle_fill(f) == Result::ok;
  if (!ok) throw std::runtime_error("batch full");
}

int64_t percentile(std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[index];
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

void run_scenario(Ledger& ledger, Market& market, size_t batch_size, const Config& config) {
  Batch batch(batch_size * 4 + 4, batch_size * (command_size_bytes + 8) + 64);
  const uint64_t batches_max = std::max<uint64_t>(1, config.fills_max / batch_size);
  std::vector<int64_t> latencies_ns;
  latencies_ns.reserve(batches_max);
  uint64_t fills = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(config.seconds_max);
  for (uint64_t n = 0; n < batches_max && (n < 100 || Clock::now() < deadline); ++n) {
    batch.clear();
    for (size_t i = 0; i < batch_size; ++i) add_fill(batch, market);
    const auto before = Clock::now();
    const Result r = ledger.commit(batch);
    latencies_ns.push_back(std::chrono::nanoseconds(Clock::now() - before).count());
    if (r != Result::ok || batch.result(batch.size() - 1) != Result::ok) {
      throw std::runtime_error(std::string("commit failed: ") + to_string(r));
    }
    fills += batch_size;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ns.begin(), latencies_ns.end());
  std::printf(
      "{\"scenario\":\"ledger_batch_%zu\",\"ops\":%llu,\"ops_per_s\":%.0f,"
      "\"latency_ns_p50\":%lld,\"latency_ns_p99\":%lld,\"latency_ns_p999\":%lld,"
      "\"peak_rss_mib\":%.1f}\n",
      batch_size, static_cast<unsigned long long>(fills), fills / seconds,
      static_cast<long long>(percentile(latencies_ns, 0.50)),
      static_cast<long long>(percentile(latencies_ns, 0.99)),
      static_cast<long long>(percentile(latencies_ns, 0.999)), peak_rss_mib());
  std::fflush(stdout);
}

bool parse(int argc, char** argv, Config& config) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "ledger") continue;  // the subcommand itself, when argv is passed through
    if (i + 1 >= argc) return false;
    const std::string value = argv[++i];
    if (arg == "--dir") config.dir = value;
    else if (arg == "--fills") config.fills_max = std::stoull(value);
    else if (arg == "--seconds") config.seconds_max = std::stod(value);
    else if (arg == "--batch-sizes") {
      config.batch_sizes.clear();
      for (size_t pos = 0; pos < value.size();) {
        const size_t comma = value.find(',', pos);
        config.batch_sizes.push_back(std::stoul(value.substr(pos, comma - pos)));
        pos = comma == std::string::npos ? value.size() : comma + 1;
      }
    } else {
      return false;
    }
  }
  return !config.batch_sizes.empty() &&
         std::none_of(config.batch_sizes.begin(), config.batch_sizes.end(),
                      [](size_t s) { return s == 0; });
}

int run(int argc, char** argv) {
  Config config;
  try {
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
        print_ledger_usage(stdout);
        return 0;
      }
    }
    if (!parse(argc, argv, config)) {
      print_ledger_usage(stderr);
      return 2;
    }
    // A fresh ledger on the same disk as the temp directory (not tmpfs, or fsync means nothing).
    std::string dir = config.dir;
    const bool own_dir = dir.empty();
    if (own_dir) {
      std::string pattern = (std::filesystem::temp_directory_path() / "ghx-ledger-bench-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
      dir = pattern;
    }
    {
      Options options;
      options.map_size_initial_bytes = 1ull << 30;
      Ledger ledger(dir, options);
      setup(ledger);
      Market market;
      market.sequence = ledger.last_applied_sequence().value;
      for (const size_t size : config.batch_sizes) run_scenario(ledger, market, size, config);
    }
    if (own_dir) std::filesystem::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ghx-bench ledger: %s\n", e.what());
    return 2;
  }
}

}  // namespace
}  // namespace ghx::bench

int run_ledger_bench(int argc, char** argv) { return ghx::bench::run(argc, argv); }

void print_ledger_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: ghx-bench ledger [--dir DIR] [--fills N] [--seconds S] "
               "[--batch-sizes 1,10,100,1000]\n");
}
