// Recovery from snapshots: an ExchangeCore that takes a snapshot every 50 commands is stopped,
// and a new core over the same ledger must reach exactly the state of a full journal replay
// (engine state hash, sequence, market-data sequences, cancel-on-disconnect sessions), from
// the newest usable snapshot plus the journal after it; damaged, refused, foreign and
// uncommitted snapshots are passed over for an older one and a longer replay.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include "gateway/core_snapshot.h"
#include "gateway/exchange_core.h"
#include "gateway/snapshot_store.h"
#include "tests/gateway/eventually.h"
#include "tests/gateway/test_pki.h"
#include "tests/gateway/test_product.h"

namespace ghx::gateway {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::test_spec;

constexpr uint64_t interval = 50;
constexpr size_t workload_commands = 437;  // snapshots at 50 .. 400; 300, 350, 400 kept
constexpr matching::ProductId product{0};  // the first listing

ExchangeCommand participant(uint32_t id, const char* name, uint8_t roles) {
  ExchangeCommand command;
  command.kind = ExchangeCommandKind::add_participant;
  command.engine.participant = {id};
  command.name = name;
  command.roles = roles;
  return command;
}

ExchangeCommand engine_command(matching::CommandType type, uint32_t participant_id) {
  ExchangeCommand command;
  command.engine.type = type;
  command.engine.participant = {participant_id};
  command.engine.product = product;
  return command;
}

ExchangeCommand session_event(ExchangeCommandKind kind, uint32_t participant_id) {
  ExchangeCommand command;
  command.kind = kind;
  command.engine.participant = {participant_id};
  return command;
}

// A deterministic stream: participants, a listing, funds and capacity, then orders that rest
// and trade, cancels, and cancel-on-disconnect sessions opening and closing.
std::vector<ExchangeCommand> workload(size_t count, uint64_t seed) {
  std::vector<ExchangeCommand> commands = {
      participant(1, "ops", ledger::role_operator), participant(2, "dc-a", ledger::role_seller),
      participant(3, "lab-a", ledger::role_buyer), participant(4, "lab-b", ledger::role_buyer)};
  ExchangeCommand listing = engine_command(matching::CommandType::list_product, 1);
  listing.engine.spec = test_spec();
  commands.push_back(listing);
  for (uint32_t buyer : {3u, 4u}) {
    ExchangeCommand deposit = engine_command(matching::CommandType::deposit, buyer);
    deposit.engine.amount = {1'000'000'000};
    commands.push_back(deposit);
  }
  ExchangeCommand capacity = engine_command(matching::CommandType::register_capacity, 2);
  capacity.engine.capacity = {100'000};
  commands.push_back(capacity);
  std::mt19937_64 random(seed);
  uint64_t client_id = 0;
  while (commands.size() < count) {
    const uint64_t roll = random() % 100;
    const uint32_t who = 2 + static_cast<uint32_t>(random() % 3);
    if (roll < 3) {
      commands.push_back(session_event(roll < 2 ? ExchangeCommandKind::session_opened
                                                : ExchangeCommandKind::session_closed,
                                       who));
    } else if (roll < 15 && client_id > 0) {
      ExchangeCommand cancel = engine_command(matching::CommandType::cancel_order, who);
      cancel.engine.orig_client_order_id = {1 + random() % client_id};
      commands.push_back(cancel);
    } else {
      ExchangeCommand order = engine_command(matching::CommandType::new_order, who);
      order.engine.client_order_id = {++client_id};
      order.engine.side = who == 2 ? matching::Side::sell : matching::Side::buy;
      order.engine.price = {static_cast<int64_t>(950 + random() % 100)};
      order.engine.quantity = {static_cast<int64_t>(1 + random() % 5)};
      commands.push_back(order);
    }
  }
  return commands;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// What a recovered core must agree on with a full replay.
struct Recovered {
  uint64_t state_hash = 0;
  uint64_t last_sequence = 0;
  uint64_t market_sequence = 0;  // the product's, as a book snapshot reports it
  std::map<uint32_t, uint32_t> sessions_cut_off;
};

class SnapshotRecovery : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::fresh_temp_dir(std::string("recovery-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  ExchangeCoreConfig config(uint64_t snapshot_interval, const std::filesystem::path& dir) const {
    ExchangeCoreConfig config;
    config.data_directory = (dir / "ledger").string();
    std::filesystem::create_directories(config.data_directory);
    config.snapshot_interval_commands = snapshot_interval;
    config.tick_interval_ms = 3'600'000;  // no idle ticks: sequences are the workload's
    return config;
  }

  SnapshotStore store() const { return SnapshotStore(dir_ / "snapshots"); }
  std::filesystem::path file(uint64_t sequence) const {
    return dir_ / "snapshots" / SnapshotStore::file_name(sequence);
  }

  // Runs the workload through a core that snapshots every `interval` commands, waiting for
  // each snapshot to be written before going on (so that none is skipped as busy).
  void run_workload(const std::filesystem::path& dir, uint64_t seed = 1) {
    ExchangeCore core(config(interval, dir));
    core.start({});
    uint64_t sequence = 0;
    for (ExchangeCommand& command : workload(workload_commands, seed)) {
      Request request;
      request.command = std::move(command);
      ASSERT_TRUE(core.submit(std::move(request)));
      if (++sequence % interval != 0) continue;
      ASSERT_TRUE(eventually([&] { return core.stats().snapshots_written == sequence / interval; }))
          << "snapshot " << sequence;
    }
    core.stop();
    ASSERT_FALSE(core.failed());
    EXPECT_EQ(core.last_sequence().value, workload_commands);
    EXPECT_EQ(core.stats().ledger_op_errors, 0u);
    EXPECT_EQ(core.stats().snapshots_not_taken, 0u);
    EXPECT_EQ(core.stats().snapshot_write_failures, 0u);
    EXPECT_GT(core.engine().live_order_count(), 10u);  // a book to rebuild, not an empty one
  }

  static Recovered recovered(ExchangeCore& core) {
    Recovered result{core.engine().state_hash(), core.last_sequence().value, 0,
                     core.sessions_cut_off()};
    std::atomic<bool> done{false};
    core.start([&](const CommittedBatch& batch) {
      for (const Outcome& outcome : batch.outcomes) {
        if (outcome.kind == Request::Kind::book_snapshot) {
          result.market_sequence = outcome.market_sequence;
          done = true;
        }
      }
    });
    Request request;
    request.kind = Request::Kind::book_snapshot;
    request.product = product;
    EXPECT_TRUE(core.submit(std::move(request)));
    EXPECT_TRUE(eventually([&] { return done.load(); }));
    core.stop();
    return result;
  }

  Recovered full_replay() {
    ExchangeCore core(config(0, dir_));
    EXPECT_EQ(core.stats().snapshot_used_sequence, 0u);
    EXPECT_EQ(core.stats().replayed_commands, workload_commands);
    return recovered(core);
  }

  // A core with snapshots on must use `sequence` and replay the rest, skipping `skipped`.
  void expect_recovery_from(uint64_t sequence, uint64_t skipped) {
    const Recovered expected = full_replay();
    ExchangeCore core(config(interval, dir_));
    EXPECT_EQ(core.stats().snapshot_used_sequence, sequence);
    EXPECT_EQ(core.stats().replayed_commands, workload_commands - sequence);
    EXPECT_EQ(core.stats().snapshots_skipped, skipped);
    EXPECT_EQ(core.skipped_snapshots().size(), skipped);
    const Recovered actual = recovered(core);
    EXPECT_EQ(actual.state_hash, expected.state_hash);
    EXPECT_EQ(actual.last_sequence, expected.last_sequence);
    EXPECT_EQ(actual.market_sequence, expected.market_sequence);
    EXPECT_GT(actual.market_sequence, 0u);
    EXPECT_EQ(actual.sessions_cut_off, expected.sessions_cut_off);
  }

  std::filesystem::path dir_;
};

TEST_F(SnapshotRecovery, NewestSnapshotPlusJournalTailEqualsAFullReplay) {
  run_workload(dir_);
  const auto files = store().list();
  ASSERT_EQ(files.size(), snapshots_kept_default);
  EXPECT_EQ(files[0].sequence, 400u);
  EXPECT_EQ(files[2].sequence, 300u);
  expect_recovery_from(400, 0);
}

TEST_F(SnapshotRecovery, RecoveredCoreCarriesOnAsTheOriginalWould) {
  run_workload(dir_);
  // Recover twice from snapshot 400 and go on with the same commands: same hash as a full
  // replay that goes on with them.
  const auto more = workload(workload_commands + 200, 2);
  const int64_t later_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               (std::chrono::system_clock::now() + 1min).time_since_epoch())
                               .count();
  auto go_on = [&](uint64_t snapshot_interval) {
    const auto copy = dir_.string() + "-copy";
    std::filesystem::remove_all(copy);
    std::filesystem::copy(dir_, copy, std::filesystem::copy_options::recursive);
    ExchangeCoreConfig core_config = config(snapshot_interval, copy);
    core_config.clock_ns = [later_ns] { return later_ns; };  // both runs stamp alike
    ExchangeCore core(core_config);
    core.start({});
    for (size_t i = workload_commands; i < more.size(); ++i) {
      Request request;
      request.command = more[i];
      EXPECT_TRUE(core.submit(std::move(request)));
    }
    core.stop();
    return std::make_pair(core.stats().snapshot_used_sequence.load(), core.engine().state_hash());
  };
  const auto [used_none, hash_full] = go_on(0);
  const auto [used, hash] = go_on(interval);
  EXPECT_EQ(used_none, 0u);
  EXPECT_EQ(used, 400u);
  EXPECT_EQ(hash, hash_full);
}

TEST_F(SnapshotRecovery, AFlippedByteInTheNewestSnapshotFallsBackToAnOlderOne) {
  run_workload(dir_);
  auto bytes = read_file(file(400));
  bytes[bytes.size() / 2] ^= 0x10;
  write_file(file(400), bytes);
  expect_recovery_from(350, 1);
}

TEST_F(SnapshotRecovery, ATruncatedNewestSnapshotFallsBackToAnOlderOne) {
  run_workload(dir_);
  std::filesystem::resize_file(file(400), std::filesystem::file_size(file(400)) / 2);
  expect_recovery_from(350, 1);
}

TEST_F(SnapshotRecovery, TwoDamagedSnapshotsFallBackToTheOldest) {
  run_workload(dir_);
  std::filesystem::resize_file(file(400), 10);
  auto bytes = read_file(file(350));
  bytes[0] = 'X';
  write_file(file(350), bytes);
  expect_recovery_from(300, 2);
}

TEST_F(SnapshotRecovery, NoUsableSnapshotMeansAFullReplay) {
  run_workload(dir_);
  for (uint64_t sequence : {300, 350, 400}) std::filesystem::resize_file(file(sequence), 40);
  expect_recovery_from(0, 3);
}

// An intact file whose engine bytes the engine refuses: the next older snapshot is loaded
// into a fresh engine (the refusing one is unusable).
TEST_F(SnapshotRecovery, ASnapshotTheEngineRefusesFallsBackWithAFreshEngine) {
  run_workload(dir_);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(store().read({400, file(400)}, payload).ok());
  std::span<const uint8_t> engine_bytes;
  CoreSnapshotState state;
  ASSERT_TRUE(split_payload(payload, engine_bytes, state));
  std::vector<uint8_t> shorter(engine_bytes.begin(), engine_bytes.end() - 1);
  append_core_state(state, shorter);
  ASSERT_TRUE(store().write(400, shorter).ok());
  expect_recovery_from(350, 1);
  ExchangeCore core(config(interval, dir_));
  EXPECT_EQ(core.skipped_snapshots().at(0).reason, "the engine refused its state");
}

TEST_F(SnapshotRecovery, ASnapshotBeyondTheLedgerIsIgnoredAndDeleted) {
  run_workload(dir_);
  // As if written just before a crash that lost the commit of its sequence.
  std::filesystem::copy_file(file(400), file(450));
  auto bytes = read_file(file(450));
  bytes[8] = 450 & 0xff;  // sequence (LE) in the header, so that the file itself is intact
  bytes[9] = 450 >> 8;
  write_file(file(450), bytes);
  expect_recovery_from(400, 1);
  EXPECT_FALSE(std::filesystem::exists(file(450)));
}

// ghxd --print-state-hash: a look at the data recovers as a start would, and changes nothing
// (the snapshot beyond the ledger is still there, nothing else is written); such a core is
// never started.
TEST_F(SnapshotRecovery, AnInspectOnlyRecoveryDeletesNothingAndCannotStart) {
  run_workload(dir_);
  std::filesystem::copy_file(file(400), file(450));
  auto bytes = read_file(file(450));
  bytes[8] = 450 & 0xff;
  bytes[9] = 450 >> 8;
  write_file(file(450), bytes);
  const Recovered expected = full_replay();
  const auto snapshots_before = store().list().size();
  {
    ExchangeCoreConfig inspect = config(interval, dir_);
    inspect.inspect_only = true;
    ExchangeCore core(inspect);
    EXPECT_EQ(core.stats().snapshot_used_sequence, 400u);
    EXPECT_EQ(core.engine().state_hash(), expected.state_hash);
    EXPECT_EQ(core.last_sequence().value, expected.last_sequence);
    EXPECT_THROW(core.start({}), std::logic_error);
  }
  EXPECT_TRUE(std::filesystem::exists(file(450)));
  EXPECT_EQ(store().list().size(), snapshots_before);
  expect_recovery_from(400, 1);  // a core that will commit deletes it
  EXPECT_FALSE(std::filesystem::exists(file(450)));
}

TEST_F(SnapshotRecovery, ASnapshotOfAnotherJournalIsNotUsed) {
  run_workload(dir_);
  const auto other = dir_.string() + "-other";
  std::filesystem::remove_all(other);
  run_workload(other, 99);  // the same sequences, other commands
  std::filesystem::copy_file(std::filesystem::path(other) / "snapshots" /
                                 SnapshotStore::file_name(400),
                             file(400), std::filesystem::copy_options::overwrite_existing);
  expect_recovery_from(350, 1);
}

TEST_F(SnapshotRecovery, SnapshotsOffTakesNoneAndUsesNone) {
  run_workload(dir_);
  ExchangeCore core(config(0, dir_));
  EXPECT_EQ(core.stats().snapshot_used_sequence, 0u);
  EXPECT_EQ(core.stats().snapshots_skipped, 0u);
  core.start({});
  for (int i = 0; i < 120; ++i) {
    Request request;
    request.command = engine_command(matching::CommandType::order_status, 3);
    ASSERT_TRUE(core.submit(std::move(request)));
  }
  core.stop();
  EXPECT_EQ(core.stats().snapshots_written, 0u);
  EXPECT_EQ(store().list().size(), snapshots_kept_default);  // still the workload's
}

TEST_F(SnapshotRecovery, TheDefaultDirectoryIsNextToTheLedger) {
  ExchangeCoreConfig config;
  config.data_directory = (dir_ / "ledger").string() + "/";
  std::filesystem::create_directories(config.data_directory);
  ExchangeCore core(config);
  EXPECT_EQ(core.snapshot_directory(), dir_ / "snapshots");
}

}  // namespace
}  // namespace ghx::gateway
