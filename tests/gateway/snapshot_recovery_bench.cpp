// snapshot_recovery_bench: builds a data directory for timing ghxd's recovery (issue 5: 1M
// resting orders, 10M journaled commands). Not a test and not in CI: it runs for minutes.
//
// usage: snapshot_recovery_bench DATA [resting_orders] [commands] [snapshot_interval]
//   Writes DATA/ledger and DATA/snapshots as ghxd lays them out, through an ExchangeCore with
//   ghxd's defaults, then prints what it built. Time the recovery with
//     ghxd --data DATA --print-state-hash                        (newest snapshot + tail)
//     ghxd --data DATA --print-state-hash --snapshot-interval 0  (full replay)
// Workload: 8 participants (4 sellers, 4 buyers), 16 products; first `resting_orders` orders
// that rest (bids below 40,000, asks above 60,000, never crossing), then a steady mix per 10
// commands: 4 resting orders, 4 cancels of the oldest, 1 IOC that trades, 1 order status.

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "gateway/exchange_core.h"

namespace ghx::gateway {
namespace {

constexpr uint32_t products = 16;
constexpr uint32_t first_seller = 1;  // 1..4 sell, 5..8 buy
constexpr uint32_t first_buyer = 5;

struct Live {
  uint32_t participant;
  uint64_t client_id;
};

class Builder {
 public:
  Builder(ExchangeCore& core, uint64_t seed) : core_(core), random_(seed) {}

  void submit(ExchangeCommand command) {
    Request request;
    request.command = std::move(command);
    while (!core_.submit(request)) std::this_thread::sleep_for(std::chrono::microseconds(50));
    ++submitted_;
  }

  void setup() {
    for (uint32_t id = first_seller; id < first_buyer + 4; ++id) {
      ExchangeCommand command;
      command.kind = ExchangeCommandKind::add_participant;
      command.engine.participant = {id};
      command.name = "bench-" + std::to_string(id);
      command.roles = id < first_buyer ? ledger::role_seller : ledger::role_buyer;
      submit(command);
    }
    const int64_t now_hours = std::chrono::duration_cast<std::chrono::hours>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    for (uint32_t p = 0; p < products; ++p) {
      ExchangeCommand listing;
      listing.engine.type = matching::CommandType::list_product;
      listing.engine.spec.gpu = matching::ShortName::from("H100SXM");
      listing.engine.spec.zone = matching::ShortName::from("CN-EAST-1");
      listing.engine.spec.start_hour = now_hours + 48 + p;
      submit(listing);
    }
    for (uint32_t id = first_buyer; id < first_buyer + 4; ++id) {
      ExchangeCommand deposit = engine(matching::CommandType::deposit, id, 0);
      deposit.engine.amount = {int64_t{1} << 58};
      submit(deposit);
    }
    for (uint32_t id = first_seller; id < first_buyer; ++id) {
      for (uint32_t p = 0; p < products; ++p) {
        ExchangeCommand capacity = engine(matching::CommandType::register_capacity, id, p);
        capacity.engine.capacity = {1'000'000};  // quantity_max_lots
        submit(capacity);
      }
    }
  }

  void resting_order() {
    const bool sell = random_() % 2 == 0;
    const uint32_t who = static_cast<uint32_t>((sell ? first_seller : first_buyer) + random_() % 4);
    ExchangeCommand order =
        engine(matching::CommandType::new_order, who, static_cast<uint32_t>(random_() % products));
    order.engine.client_order_id = {++client_ids_[who]};
    order.engine.side = sell ? matching::Side::sell : matching::Side::buy;
    const int64_t offset = static_cast<int64_t>(random_() % 5000);
    order.engine.price = {sell ? 60'000 + offset : 35'000 + offset};
    order.engine.quantity = {static_cast<int64_t>(1 + random_() % 5)};
    live_.push_back({who, order.engine.client_order_id.value});
    submit(order);
  }

  void cancel_oldest() {
    const Live oldest = live_.front();
    live_.pop_front();
    ExchangeCommand cancel = engine(matching::CommandType::cancel_order, oldest.participant, 0);
    cancel.engine.orig_client_order_id = {oldest.client_id};
    submit(cancel);
  }

  void crossing_ioc() {
    const bool sell = random_() % 2 == 0;
    const uint32_t who = static_cast<uint32_t>((sell ? first_seller : first_buyer) + random_() % 4);
    ExchangeCommand order =
        engine(matching::CommandType::new_order, who, static_cast<uint32_t>(random_() % products));
    order.engine.client_order_id = {++client_ids_[who]};
    order.engine.side = sell ? matching::Side::sell : matching::Side::buy;
    order.engine.price = {sell ? 30'000 : 70'000};
    order.engine.quantity = {1};
    order.engine.time_in_force = matching::TimeInForce::immediate_or_cancel;
    submit(order);
  }

  void status() {
    const Live& any = live_[random_() % live_.size()];
    ExchangeCommand command = engine(matching::CommandType::order_status, any.participant, 0);
    command.engine.orig_client_order_id = {any.client_id};
    submit(command);
  }

  uint64_t submitted() const { return submitted_; }

 private:
  static ExchangeCommand engine(matching::CommandType type, uint32_t who, uint32_t product) {
    ExchangeCommand command;
    command.engine.type = type;
    command.engine.participant = {who};
    command.engine.product = {product};
    return command;
  }

  ExchangeCore& core_;
  std::mt19937_64 random_;
  uint64_t client_ids_[first_buyer + 4] = {};
  std::deque<Live> live_;
  uint64_t submitted_ = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: snapshot_recovery_bench DATA [resting_orders] [commands] "
                 "[snapshot_interval]\n");
    return 2;
  }
  const std::filesystem::path data = argv[1];
  const uint64_t resting = argc > 2 ? std::stoull(argv[2]) : 1'000'000;
  const uint64_t commands = argc > 3 ? std::stoull(argv[3]) : 3'000'000;
  ExchangeCoreConfig config;
  config.data_directory = (data / "ledger").string();
  config.snapshot_directory = (data / "snapshots").string();
  if (argc > 4) config.snapshot_interval_commands = std::stoull(argv[4]);
  std::filesystem::create_directories(config.data_directory);
  const auto started = std::chrono::steady_clock::now();
  ExchangeCore core(config);
  const uint64_t before = core.last_sequence().value;
  std::map<std::string, uint64_t> rejects;  // ledger thread until stop()
  core.start([&rejects](const CommittedBatch& batch) {
    for (const matching::Event& event : batch.events) {
      if (event.type == matching::EventType::rejected) {
        ++rejects[std::string(matching::to_string(event.reject_reason))];
      }
    }
  });
  Builder builder(core, 42 + before);
  if (before == 0) builder.setup();
  for (uint64_t i = 0; i < resting; ++i) builder.resting_order();
  std::printf("resting orders submitted after %.1f s\n", seconds_since(started));
  while (builder.submitted() < commands) {
    for (int i = 0; i < 4; ++i) builder.resting_order();
    for (int i = 0; i < 4; ++i) builder.cancel_oldest();
    builder.crossing_ioc();
    builder.status();
  }
  core.stop();
  const ExchangeCoreStats& stats = core.stats();
  std::printf(
      "built in %.1f s: sequence %llu, %u live orders, %llu commands this run, state hash "
      "%016llx\nsnapshots: %llu written, %llu not taken (writer busy), %llu failed, last pause "
      "%.1f ms\n",
      seconds_since(started), static_cast<unsigned long long>(core.last_sequence().value),
      core.engine().live_order_count(), static_cast<unsigned long long>(stats.commands.load()),
      static_cast<unsigned long long>(core.engine().state_hash()),
      static_cast<unsigned long long>(stats.snapshots_written.load()),
      static_cast<unsigned long long>(stats.snapshots_not_taken.load()),
      static_cast<unsigned long long>(stats.snapshot_write_failures.load()),
      static_cast<double>(stats.snapshot_pause_ns_last.load()) / 1e6);
  for (const auto& [reason, count] : rejects) {
    std::printf("rejected (%s): %llu\n", reason.c_str(), static_cast<unsigned long long>(count));
  }
  std::printf("ledger operations refused: %llu\n",
              static_cast<unsigned long long>(stats.ledger_op_errors.load()));
  return core.failed() ? 1 : 0;
}

}  // namespace
}  // namespace ghx::gateway

int main(int argc, char** argv) { return ghx::gateway::run(argc, argv); }
