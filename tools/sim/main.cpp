// ghx-sim: the demo market. Simulated data centres post asks and AI firms bid over real TLS,
// each with its own certificate, against a running ghxd; ops first opens a call auction of
// some products, which uncrosses a quarter into the run; a progress line while it runs, then
// a market summary. usage: ghx-sim [--host H] [--port P] [--data DIR] [--seconds N] [--rate R]
//                                  [--products N] [--auctions N] [--seed S]

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "gateway/option_numbers.h"
#include "tools/sim/opening_auction.h"
#include "tools/sim/operator_session.h"
#include "tools/sim/participants.h"
#include "tools/sim/summary.h"
#include "tools/sim/trader.h"

namespace {

using namespace ghx::sim;
using Clock = std::chrono::steady_clock;

constexpr int64_t buyer_deposit_minor = 500'000'000;   // 5 million CNY each
constexpr int64_t seller_capacity_lots = 500;           // per product: 4,000 GPUs for the hour
constexpr size_t windows_per_model = 2;
constexpr int64_t progress_interval_ms = 1'000;
constexpr int64_t seconds_max = 3'600;
constexpr size_t products_max = 1'000;  // more than ghxd's calendar lists
// Orders per second per participant: one in 100 s at the least, far past a demo at the most.
constexpr double rate_min = 0.01;
constexpr double rate_max = 100'000;
// An opening auction's call phase lasts a quarter of the run, but at least this long (when the
// run allows: at most half of it, so that the product trades on after the uncross).
constexpr int64_t call_phase_min_ms = 5'000;
const std::vector<std::string> preferred_models = {"H100SXM", "H20", "910B", "A800", "H800SXM",
                                                   "L40S"};

struct Options {
  Endpoint endpoint;
  int64_t seconds = 30;
  double rate_per_participant = 20.0;
  size_t products = 8;
  size_t auctions = 1;  // products opened by a call auction
  uint64_t seed = 2026;
};

std::atomic<bool> stop_requested{false};
void on_signal(int) { stop_requested.store(true); }

// The usage text: on stdout with exit 0 when asked for (--help), else on stderr with exit 2.
int usage(FILE* out = stderr) {
  std::fprintf(out,
               "usage: ghx-sim [--host H] [--port P] [--data DIR] [--seconds N] [--rate R]"
               " [--products N] [--auctions N] [--seed S]\n"
               "  --data: ghxd's data directory (certificates in DATA/certs); default ghx-data\n"
               "  --rate: orders per second per participant (default 20)\n"
               "  --auctions: products that open with a call auction (default 1; 0: none)\n");
  return out == stdout ? 0 : 2;
}

// Throws std::invalid_argument naming the argument at fault.
Options parse(int argc, char** argv) {
  using ghx::gateway::parse_decimal_option;
  using ghx::gateway::parse_whole_option;
  Options options;
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (!name.starts_with("--")) throw std::invalid_argument("unexpected argument '" + name + "'");
    if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
    const std::string value = argv[i + 1];
    if (parse_endpoint_option(name, value, options.endpoint)) continue;
    if (name == "--seconds") {
      options.seconds = static_cast<int64_t>(parse_whole_option(value, name, 1, seconds_max));
    } else if (name == "--rate") {
      options.rate_per_participant = parse_decimal_option(value, name, rate_min, rate_max);
    } else if (name == "--products") {
      options.products = parse_whole_option(value, name, 1, products_max);
    } else if (name == "--auctions") {
      options.auctions = parse_whole_option(value, name, 0, products_max);
    } else if (name == "--seed") {
      options.seed = parse_whole_option(value, name, 0, UINT64_MAX);
    } else {
      throw std::invalid_argument("unknown option " + name);
    }
  }
  return options;
}

// ops lists the calendar, funds the buyers and registers the sellers' capacity.
bool prepare_market(const Options& options, std::vector<SimProduct>& products) {
  OperatorSession ops(options.endpoint);
  std::string error;
  if (!ops.open(error)) return std::fprintf(stderr, "ghx-sim: %s\n", error.c_str()), false;
  const auto listed = ops.list_products(error);
  if (!listed) return std::fprintf(stderr, "ghx-sim: %s\n", error.c_str()), false;
  const int64_t open_for_s = options.seconds + 60;
  for (ProductRow& row : choose_products(*listed, preferred_models, windows_per_model,
                                         options.products, open_for_s)) {
    products.push_back({.row = row, .hours = row.length == ghx::wire::WindowLength::Hour4 ? 4 : 1});
  }
  if (products.empty()) {
    std::fprintf(stderr, "ghx-sim: no hourly product open for trading among %zu listed\n",
                 listed->size());
    return false;
  }
  for (std::string_view buyer : buyer_names) {
    if (!ops.deposit(buyer, buyer_deposit_minor, error)) {
      return std::fprintf(stderr, "ghx-sim: deposit for %.*s: %s\n", int(buyer.size()),
                          buyer.data(), error.c_str()), false;
    }
  }
  for (std::string_view seller : seller_names) {
    for (const SimProduct& product : products) {
      if (!ops.register_capacity(seller, product.row.symbol, seller_capacity_lots, error)) {
        return std::fprintf(stderr, "ghx-sim: capacity for %.*s: %s\n", int(seller.size()),
                            seller.data(), error.c_str()), false;
      }
    }
  }
  ops.close();
  std::printf("ghx-sim: ops deposited %s CNY for each of %zu buyers and registered %lld lots "
              "per product for each of %zu sellers; trading %zu products:\n",
              format_money(buyer_deposit_minor).c_str(), buyer_names.size(),
              static_cast<long long>(seller_capacity_lots), seller_names.size(), products.size());
  for (const SimProduct& product : products) {
    std::printf("  %-38s reference %s CNY/GPU-h\n", product.row.symbol.c_str(),
                format_money(reference_price(product.row.gpu, product.row.zone)).c_str());
  }
  return true;
}

std::vector<TraderConfig> trader_configs(const Options& options) {
  // Each desk has its own temperament: a bias on the prices it quotes.
  const std::vector<double> seller_bias = {1.02, 0.97, 0.99};
  const std::vector<double> buyer_bias = {1.01, 1.0, 0.99, 1.015};
  std::vector<TraderConfig> configs;
  uint64_t seed = options.seed;
  for (size_t i = 0; i < seller_names.size(); ++i) {
    configs.push_back({.name = std::string(seller_names[i]), .buyer = false,
                       .orders_per_s = options.rate_per_participant, .price_bias = seller_bias[i],
                       .seed = ++seed});
  }
  for (size_t i = 0; i < buyer_names.size(); ++i) {
    configs.push_back({.name = std::string(buyer_names[i]), .buyer = true,
                       .orders_per_s = options.rate_per_participant, .price_bias = buyer_bias[i],
                       .seed = ++seed});
  }
  return configs;
}

int64_t call_phase_ms(int64_t seconds) {
  const int64_t run_ms = seconds * 1'000;
  return std::min(std::max(run_ms / 4, call_phase_min_ms), run_ms / 2);
}

// ops opens the call phase of `count` products spread over the market (different GPU models
// first), to uncross by itself `call_phase_ms` from now.
void open_auctions(OpeningAuctions& auctions, const std::vector<SimProduct>& products, size_t count,
                   int64_t call_phase_ms) {
  count = std::min(count, products.size());
  std::vector<size_t> indexes;
  for (size_t i = 0; i < count; ++i) indexes.push_back(i * products.size() / count);
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (const std::string& note : auctions.start(indexes, now_ns + call_phase_ms * 1'000'000)) {
    std::printf("ghx-sim: %s\n", note.c_str());
  }
  print_auctions_opened(stdout, products, auctions.auctions(),
                        static_cast<double>(call_phase_ms) / 1'000.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (asks_for_help(argc, argv)) return usage(stdout);
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "ghx-sim: %s\n", error.what());
    return usage();
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<SimProduct> products;
  if (!prepare_market(options, products)) return 1;
  link_consecutive_windows(products);
  std::vector<int64_t> references, ticks;
  for (const SimProduct& p : products) {
    references.push_back(reference_price(p.row.gpu, p.row.zone));
    ticks.push_back(p.row.tick_size);
  }
  PriceModel prices(references, ticks, options.seed);
  MarketStats stats(products.size());
  std::vector<std::unique_ptr<Trader>> traders;
  for (const TraderConfig& config : trader_configs(options)) {
    traders.push_back(std::make_unique<Trader>(config, products, prices, stats));
  }

  OpeningAuctions auctions(options.endpoint, products);
  open_auctions(auctions, products, options.auctions, call_phase_ms(options.seconds));

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::seconds(options.seconds);
  std::vector<char> ok(traders.size(), 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < traders.size(); ++i) {
    threads.emplace_back([&, i] { ok[i] = traders[i]->run(options.endpoint, deadline, stop_requested); });
  }
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const double total_s = static_cast<double>(options.seconds);
  while (Clock::now() < deadline && !stop_requested.load()) {
    const Clock::time_point next =
        std::min(deadline, Clock::now() + std::chrono::milliseconds(progress_interval_ms));
    for (const size_t index : auctions.watch_until(next)) {
      print_auction_news(stdout, tty, products, auctions.auctions()[index]);
    }
    const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    print_progress(stdout, tty, elapsed_s, total_s, stats.live);
  }
  for (std::thread& thread : threads) thread.join();
  auctions.close();
  if (tty) std::printf("\n");

  std::vector<ParticipantTotals> participants;
  bool all_ok = true;
  for (size_t i = 0; i < traders.size(); ++i) {
    participants.push_back(traders[i]->totals());
    if (!ok[i]) {
      all_ok = false;
      std::fprintf(stderr, "ghx-sim: %s\n", traders[i]->error().c_str());
    }
  }
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  print_summary(stdout, elapsed_s, products, stats.products(), participants, auctions.auctions(),
                auctions.error());
  return all_ok ? 0 : 1;
}
