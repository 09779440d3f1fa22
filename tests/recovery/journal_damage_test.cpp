// Issue 5: a journal damaged in the middle stops ghxd instead of being skipped. The real ghxd
// builds a journal of a few thousand commands on a real LMDB file and is killed; the test then
// damages one entry that lies after the newest snapshot (so recovery must replay it) with the
// LMDB C API, and restarts ghxd on it. ghxd must exit non-zero without listening, name the
// entry on stderr, and leave the data file as it found it: once the entry is put back, it
// recovers the state it had before the damage.
//
// The cut tail is not faked here. LMDB commits whole transactions, so a crash can only lose
// the batches that were not committed yet; deleting the last entries by hand would make a
// journal that ends before the ledger's last applied sequence, which no crash produces. The
// crash test (crash_test.cpp) covers the real cut tail: SIGKILL under load, then recovery up
// to the last committed batch.

#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "gateway/snapshot_store.h"
#include "gateway/wire_build.h"
#include "ledger/codec.h"
#include "tests/recovery/ghxd_process.h"
#include "tests/recovery/market_setup.h"
#include "tests/recovery/temp_root.h"

namespace ghx::recovery {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto ready_timeout = 30s;
// A bound on every run of ghxd or ghx, not a timing assert: a refusal takes well under a
// second, a sanitizer build on a busy machine somewhat more.
constexpr auto run_deadline = 60s;
constexpr size_t products_traded = 2;
// About 2,700 orders and 500 set-up commands: the journal ends well between the snapshots
// GhxdProcess takes every 2,000 commands, so there is room after the newest.
constexpr uint64_t windows_per_side = 84;
constexpr size_t window_orders = 16;  // in flight at once: several commands per commit
constexpr uint32_t client_timeout_ms = 5'000;
constexpr size_t frames_per_window_max = 10'000;
constexpr int64_t spread_ticks = 6;  // orders straddle the mid: some cross, some rest
constexpr int64_t lots_max = 4;
// The damaged entry lies this far after the newest snapshot at least, and before the end.
constexpr uint64_t entries_after_snapshot_min = 200;
constexpr unsigned ledger_dbs_max = 16;  // as ledger/lmdb_env.cpp opens the environment
constexpr const char* journal_db_name = "journal";
constexpr auto wait_poll = 5ms;

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- Child processes with their stdout and stderr kept --------------------------------

struct Exited {
  int exit_code = -1;  // -1 when killed (deadline, stop_at) or ended by a signal
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

// Runs argv to completion with stdout and stderr in files NAME.out and NAME.err under `dir`;
// kills it at the deadline, or as soon as its stdout holds `stop_at` when that is not empty
// (a ghxd that should have refused to start but listens).
Exited run_captured(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                    const std::string& name, std::string_view stop_at = {}) {
  const std::filesystem::path out_path = dir / (name + ".out");
  const std::filesystem::path err_path = dir / (name + ".err");
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create " + out_path.string());
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const auto started = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a test killed outright must not leave a child behind
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {  // bounded by the deadline
    const bool stop = !stop_at.empty() && read_whole(out_path).find(stop_at) != std::string::npos;
    if (stop || Clock::now() - started >= run_deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(wait_poll);
  }
  Exited exited;
  exited.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  exited.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  exited.out = read_whole(out_path);
  exited.err = read_whole(err_path);
  return exited;
}

// ---- The journal, through the LMDB C API ----------------------------------------------

struct JournalDigest {
  uint64_t entries = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t hash = 0;  // FNV-1a over every key and value, in key order
  bool operator==(const JournalDigest&) const = default;
};

void check_mdb(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + mdb_strerror(rc));
}

uint64_t fnv1a(uint64_t hash, const MDB_val& bytes) {
  constexpr uint64_t prime = 0x100000001b3;
  const auto* data = static_cast<const uint8_t*>(bytes.mv_data);
  for (size_t i = 0; i < bytes.mv_size; ++i) hash = (hash ^ data[i]) * prime;
  return hash;
}

// The ledger's journal database, opened directly: what a disk fault or a stray tool would do.
// No ghxd may have the ledger open.
class JournalFile {
 public:
  JournalFile(const std::string& ledger_dir, bool writable) {
    check_mdb(mdb_env_create(&env_), "mdb_env_create");
    check_mdb(mdb_env_set_maxdbs(env_, ledger_dbs_max), "mdb_env_set_maxdbs");
    const int rc = mdb_env_open(env_, ledger_dir.c_str(), writable ? 0 : MDB_RDONLY, 0640);
    if (rc != 0) {
      mdb_env_close(env_);
      check_mdb(rc, "mdb_env_open");
    }
    flags_ = writable ? 0 : MDB_RDONLY;
  }
  ~JournalFile() { mdb_env_close(env_); }
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  JournalDigest digest() {
    JournalDigest digest;
    digest.hash = 0xcbf29ce484222325;
    in_transaction([&](MDB_txn* txn, MDB_dbi dbi) {
      MDB_cursor* cursor = nullptr;
      check_mdb(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open");
      MDB_val key{}, value{};
      for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
           rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {  // bounded by the entries
        const uint64_t sequence =
            ledger::codec::read_u64_key({static_cast<const uint8_t*>(key.mv_data), key.mv_size});
        if (digest.entries == 0) digest.first_sequence = sequence;
        digest.last_sequence = sequence;
        ++digest.entries;
        digest.hash = fnv1a(fnv1a(digest.hash, key), value);
      }
      mdb_cursor_close(cursor);
    });
    return digest;
  }

  std::string entry(uint64_t sequence) {
    std::string bytes;
    in_transaction([&](MDB_txn* txn, MDB_dbi dbi) {
      ledger::codec::U64Key key_bytes = ledger::codec::u64_key(sequence);
      MDB_val key{key_bytes.size(), key_bytes.data()};
      MDB_val value{};
      check_mdb(mdb_get(txn, dbi, &key, &value), "mdb_get");
      bytes.assign(static_cast<const char*>(value.mv_data), value.mv_size);
    });
    return bytes;
  }

  void put(uint64_t sequence, const std::string& bytes) {
    in_transaction([&](MDB_txn* txn, MDB_dbi dbi) {
      ledger::codec::U64Key key_bytes = ledger::codec::u64_key(sequence);
      MDB_val key{key_bytes.size(), key_bytes.data()};
      MDB_val value{bytes.size(), const_cast<char*>(bytes.data())};
      check_mdb(mdb_put(txn, dbi, &key, &value, 0), "mdb_put");
    });
  }

  void erase(uint64_t sequence) {
    in_transaction([&](MDB_txn* txn, MDB_dbi dbi) {
      ledger::codec::U64Key key_bytes = ledger::codec::u64_key(sequence);
      MDB_val key{key_bytes.size(), key_bytes.data()};
      check_mdb(mdb_del(txn, dbi, &key, nullptr), "mdb_del");
    });
  }

 private:
  // One transaction around `body`, committed (a writable file) or aborted (read-only).
  template <typename Body>
  void in_transaction(Body body) {
    MDB_txn* txn = nullptr;
    check_mdb(mdb_txn_begin(env_, nullptr, flags_, &txn), "mdb_txn_begin");
    try {
      MDB_dbi dbi = 0;
      check_mdb(mdb_dbi_open(txn, journal_db_name, 0, &dbi), "mdb_dbi_open journal");
      body(txn, dbi);
    } catch (...) {
      mdb_txn_abort(txn);
      throw;
    }
    if (flags_ == MDB_RDONLY) {
      mdb_txn_abort(txn);
    } else {
      check_mdb(mdb_txn_commit(txn), "mdb_txn_commit");
    }
  }

  MDB_env* env_ = nullptr;
  unsigned flags_ = 0;
};

// ---- The load: a deterministic stream of orders from one seller and one buyer ---------

// Sends one window of orders and waits until each is answered (its first execution report,
// or a reject). Reports about earlier orders (fills of resting ones) are skipped.
std::string trade_window(gateway::Client& client, bool seller, uint64_t& next_id,
                         const std::vector<MarketProduct>& products) {
  std::map<uint64_t, uint64_t> pending;  // client sequence -> client order id
  for (size_t i = 0; i < window_orders; ++i) {
    const uint64_t id = next_id++;
    const MarketProduct& market = products[id % products.size()];
    const int64_t offset = static_cast<int64_t>(id * 7 % (2 * spread_ticks + 1)) - spread_ticks;
    const gateway::NewOrderFields fields{.client_order_id = id,
                                         .symbol = market.symbol,
                                         .side = seller ? wire::Side::Sell : wire::Side::Buy,
                                         .time_in_force = wire::TimeInForce::GoodTillGateClosure,
                                         .price = market.mid_price + offset * market.tick,
                                         .quantity = 1 + static_cast<int64_t>(id % lots_max)};
    if (client.send(gateway::make_new_order(fields)) != gateway::ClientStatus::ok) {
      return "send: " + client.last_error();
    }
    pending[client.last_sent_sequence()] = id;
  }
  for (size_t frames = 0; !pending.empty() && frames < frames_per_window_max; ++frames) {
    const gateway::Received received = client.receive();
    if (received.status != gateway::ClientStatus::ok) {
      return "receive: " + std::string(gateway::to_string(received.status));
    }
    const wire::Message& message = received.message();
    if (const auto* reject = message.body_as_Reject()) pending.erase(reject->ref_sequence());
    if (const auto* report = message.body_as_ExecutionReport()) {
      std::erase_if(pending, [&](const auto& p) { return p.second == report->client_order_id(); });
    }
  }
  return pending.empty() ? "" : "a window was not answered";
}

// Orders from a seller and a buyer in turn, a window at a time; "" or what went wrong.
std::string put_orders_through(uint16_t port, const std::string& data,
                               const std::vector<MarketProduct>& products) {
  std::string error;
  const auto seller = connect_as(seller_names[0], port, data, client_timeout_ms, error);
  if (!seller) return error;
  const auto buyer = connect_as(buyer_names[0], port, data, client_timeout_ms, error);
  if (!buyer) return error;
  uint64_t seller_id = 1, buyer_id = 1;
  for (uint64_t window = 0; window < windows_per_side && error.empty(); ++window) {
    error = trade_window(*seller, true, seller_id, products);
    if (error.empty()) error = trade_window(*buyer, false, buyer_id, products);
  }
  seller->close();
  buyer->close();
  return error;
}

// ---- The test ----------------------------------------------------------------------------

class JournalDamage : public ::testing::Test {
 protected:
  // A journal of a few thousand commands, written by a real ghxd that is then killed (all its
  // orders were answered, so all of them are committed).
  void SetUp() override {
    GhxdProcess ghxd(GHXD_PATH, data_, (root_.path() / "ghxd.log").string());
    const auto port = ghxd.start(ready_timeout);
    ASSERT_TRUE(port) << "ghxd did not start; see " << root_.path() / "ghxd.log";
    std::string error;
    const std::vector<MarketProduct> products = set_up_market(*port, data_, products_traded, error);
    ASSERT_FALSE(products.empty()) << "market set-up: " << error;
    ASSERT_EQ(put_orders_through(*port, data_, products), "");
    ghxd.kill();
    original_ = JournalFile(ledger_dir(), false).digest();
    const std::vector<gateway::SnapshotFile> snapshots =
        gateway::SnapshotStore(data_ + "/snapshots").list();
    newest_snapshot_ = snapshots.empty() ? 0 : snapshots.front().sequence;
    ASSERT_EQ(original_.first_sequence, 1u);
    ASSERT_EQ(original_.last_sequence, original_.entries) << "the undamaged journal has a gap";
    ASSERT_GE(original_.last_sequence, newest_snapshot_ + 2 * entries_after_snapshot_min)
        << "too few entries after the newest snapshot " << newest_snapshot_;
    damaged_ = newest_snapshot_ + (original_.last_sequence - newest_snapshot_) / 2;
    state_before_ = state_hash();
    ASSERT_NE(state_before_, "");
  }

  void TearDown() override {
    if (HasFailure()) {
      root_.keep();
      std::printf("journal damage: data and logs kept in %s\n", root_.path().c_str());
    }
  }

  std::string ledger_dir() const { return data_ + "/ledger"; }

  // The "ghxd: state hash ..." line of a recovery, or "" when it failed.
  std::string state_hash() {
    const Exited run = run_captured({GHXD_PATH, "--data", data_, "--print-state-hash"},
                                    root_.path(), "state-hash");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.exit_code == 0 ? run.out : "";
  }

  // Starts ghxd as an operator would and expects a refusal naming `expected` on stderr.
  void expect_refusal(const std::vector<std::string>& extra_args, const std::string& expected) {
    std::vector<std::string> argv = {GHXD_PATH, "--data", data_, "--port", "0"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    const Exited run = run_captured(argv, root_.path(), "refused", "listening");
    std::printf("journal damage: ghxd%s exited %d in %lld ms; stderr:\n%s",
                extra_args.empty() ? "" : (" " + extra_args[0] + " " + extra_args[1]).c_str(),
                run.exit_code, static_cast<long long>(run.elapsed.count()), run.err.c_str());
    std::fflush(stdout);
    EXPECT_EQ(run.exit_code, 1) << "ghxd did not refuse (-1: killed, listening or hung)";
    EXPECT_EQ(run.out.find("listening"), std::string::npos) << run.out;
    EXPECT_NE(refusal_line(run.err).find(expected), std::string::npos) << "stderr: " << run.err;
  }

  // The line of ghxd's stderr that says it refuses to start: one line says why, too.
  static std::string refusal_line(const std::string& err) {
    const size_t at = err.find("ghxd: refusing to start");
    return at == std::string::npos ? "" : err.substr(at, err.find('\n', at) - at);
  }

  // Refused by both recoveries, from the newest snapshot (the default) and from sequence 1,
  // and neither touched the ledger's data file.
  void expect_refusals(const std::string& expected) {
    const std::string data_file = read_whole(ledger_dir() + "/data.mdb");
    expect_refusal({}, expected);
    expect_refusal({"--snapshot-interval", "0"}, expected);
    EXPECT_TRUE(read_whole(ledger_dir() + "/data.mdb") == data_file) << "a refused start wrote";
  }

  Exited ledger_check() {
    return run_captured({GHX_PATH, "ledger", "check", "--data", data_}, root_.path(),
                        "ledger-check");
  }

  TempRoot root_{"ghx-damage"};
  std::string data_ = (root_.path() / "data").string();
  JournalDigest original_;
  uint64_t newest_snapshot_ = 0;
  uint64_t damaged_ = 0;
  std::string state_before_;
};

TEST_F(JournalDamage, UndecodableEntryInTheMiddleMakesGhxdRefuseToStart) {
  const std::string original_entry = JournalFile(ledger_dir(), false).entry(damaged_);
  const std::string garbage(original_entry.size(), '\xa5');  // no command version is 0xa5
  JournalFile(ledger_dir(), true).put(damaged_, garbage);
  const JournalDigest damaged = JournalFile(ledger_dir(), false).digest();
  ASSERT_EQ(damaged.entries, original_.entries);
  ASSERT_NE(damaged.hash, original_.hash);

  expect_refusals("journal entry " + std::to_string(damaged_) + " does not decode");
  EXPECT_EQ(JournalFile(ledger_dir(), false).digest(), damaged) << "the refused start wrote";
  // Asked only for the state hash, ghxd says it has none, and why; it starts nothing.
  const Exited hash_run = run_captured({GHXD_PATH, "--data", data_, "--print-state-hash"},
                                       root_.path(), "state-hash-damaged");
  EXPECT_EQ(hash_run.exit_code, 1) << hash_run.out << hash_run.err;
  EXPECT_NE(hash_run.err.find("ghxd: no state hash: cannot recover the ledger"),
            std::string::npos)
      << hash_run.err;
  EXPECT_NE(hash_run.err.find("journal entry " + std::to_string(damaged_) + " does not decode"),
            std::string::npos)
      << hash_run.err;
  EXPECT_EQ(hash_run.err.find("refusing to start"), std::string::npos) << hash_run.err;
  // `ghx ledger check` decodes every entry with ghxd's codec, so it finds this one too.
  const Exited check = ledger_check();
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.err.find("journal entry " + std::to_string(damaged_) + " does not decode"),
            std::string::npos)
      << check.err;

  JournalFile(ledger_dir(), true).put(damaged_, original_entry);
  EXPECT_EQ(JournalFile(ledger_dir(), false).digest(), original_);
  EXPECT_EQ(state_hash(), state_before_) << "the entry put back, recovery is what it was";
}

TEST_F(JournalDamage, MissingEntryInTheMiddleMakesGhxdRefuseToStart) {
  const std::string original_entry = JournalFile(ledger_dir(), false).entry(damaged_);
  JournalFile(ledger_dir(), true).erase(damaged_);
  const JournalDigest damaged = JournalFile(ledger_dir(), false).digest();
  ASSERT_EQ(damaged.entries, original_.entries - 1);
  ASSERT_EQ(damaged.last_sequence, original_.last_sequence);

  expect_refusals("journal entry " + std::to_string(damaged_) + " is missing (" +
                  std::to_string(damaged_ - 1) + " is followed by " +
                  std::to_string(damaged_ + 1) + ")");
  EXPECT_EQ(JournalFile(ledger_dir(), false).digest(), damaged) << "the refused start wrote";

  const Exited check = ledger_check();
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.err.find("journal gap: sequence " + std::to_string(damaged_ + 1) + " follows " +
                           std::to_string(damaged_ - 1)),
            std::string::npos)
      << check.err;

  JournalFile(ledger_dir(), true).put(damaged_, original_entry);
  EXPECT_EQ(JournalFile(ledger_dir(), false).digest(), original_);
  EXPECT_EQ(state_hash(), state_before_) << "the entry put back, recovery is what it was";
}

}  // namespace
}  // namespace ghx::recovery
