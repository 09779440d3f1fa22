// Opening a ledger: creation, reopening, and every way the directory can be wrong.
#include <lmdb.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

std::string open_error(const std::string& dir, Options options = {}) {
  try {
    Ledger ledger(dir, options);
  } catch (const OpenError& e) {
    return e.what();
  }
  return "";
}

TEST(LedgerOpen, CreatesTheDirectoryWhenMissing) {
  TempDir tmp;
  Ledger ledger(tmp.sub("ledger"));
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "ledger" / "data.mdb"));
  EXPECT_EQ(ledger.last_applied_sequence().value, 0u);
}

TEST(LedgerOpen, ReopeningKeepsCommittedData) {
  TempDir tmp;
  {
    Ledger ledger(tmp.sub("l"));
    add_market(ledger);
    Batch b;
    ASSERT_EQ(b.journal(SequenceNumber{1}, {}), Result::ok);
    ASSERT_EQ(b.deposit(buyer_a, Cash{500}, t0), Result::ok);
    ASSERT_EQ(ledger.commit(b), Result::ok);
  }
  Ledger ledger(tmp.sub("l"));
  EXPECT_EQ(ledger.last_applied_sequence().value, 1u);
  EXPECT_EQ(cash(ledger, buyer_a, AccountKind::available), 500);
  expect_check_passes(ledger);
}

TEST(LedgerOpen, MissingParentDirectoryIsAClearError) {
  TempDir tmp;
  EXPECT_NE(open_error(tmp.sub("no/such/parent")).find("parent directory does not exist"),
            std::string::npos);
}

TEST(LedgerOpen, PathThatIsAFileIsRejected) {
  TempDir tmp;
  std::ofstream(tmp.sub("file")) << "hello";
  EXPECT_NE(open_error(tmp.sub("file")).find("not a directory"), std::string::npos);
}

TEST(LedgerOpen, CorruptDataFileIsAClearError) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.sub("l"));
  std::ofstream out(tmp.sub("l/data.mdb"), std::ios::binary);
  for (int i = 0; i < 20000; ++i) out.put(static_cast<char>(i * 7919 % 251));
  out.close();
  EXPECT_NE(open_error(tmp.sub("l")).find("not an LMDB file or is corrupt"), std::string::npos);
}

TEST(LedgerOpen, ForeignLmdbEnvironmentIsNotMistakenForALedger) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.sub("l"));
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_open(env, tmp.sub("l").c_str(), 0, 0640), 0);
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
  MDB_val key{3, const_cast<char*>("abc")};
  MDB_val value{3, const_cast<char*>("xyz")};
  ASSERT_EQ(mdb_put(txn, dbi, &key, &value, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  EXPECT_NE(open_error(tmp.sub("l")).find("not a ghx ledger"), std::string::npos);
}

TEST(LedgerOpen, NonEmptyDirectoryWithoutLedgerIsRefused) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.sub("l"));
  std::ofstream(tmp.sub("l/notes.txt")) << "mine";
  EXPECT_NE(open_error(tmp.sub("l")).find("holds no ledger"), std::string::npos);
}

TEST(LedgerOpen, ReadOnlyOpenOfMissingLedgerFails) {
  TempDir tmp;
  Options options;
  options.read_only = true;
  EXPECT_NE(open_error(tmp.sub("none"), options).find("does not exist"), std::string::npos);
}

TEST(LedgerOpen, UnwritableDirectoryIsAClearError) {
  if (geteuid() == 0) GTEST_SKIP() << "root can write anywhere";
  TempDir tmp;
  std::filesystem::create_directory(tmp.sub("l"));
  chmod(tmp.sub("l").c_str(), 0500);
  EXPECT_NE(open_error(tmp.sub("l")).find("not writable"), std::string::npos);
  chmod(tmp.sub("l").c_str(), 0700);
}

TEST(LedgerOpen, ReadOnlyLedgerRefusesToCommitButReads) {
  TempDir tmp;
  {
    Ledger writer(tmp.sub("l"));
    add_market(writer);
  }
  Options options;
  options.read_only = true;
  Ledger reader(tmp.sub("l"), options);
  Batch b;
  ASSERT_EQ(b.deposit(buyer_a, Cash{1}, t0), Result::ok);
  EXPECT_EQ(reader.commit(b), Result::read_only);
  EXPECT_TRUE(reader.snapshot().participant(buyer_a).has_value());
}

// A report beside a running exchange: the exchange, another process, grows the ledger's map
// (from 1 MiB here) well past the reader's after the reader opened it; the reader's next
// snapshot still reads, and sees what the exchange wrote.
TEST(LedgerOpen, AReaderFollowsAWriterInAnotherProcessThatGrewTheMap) {
  TempDir tmp;
  const std::string dir = tmp.sub("ledger");
  constexpr uint64_t small_map = 1 << 20;
  {
    Ledger writer(dir, Options{.map_size_initial_bytes = small_map});
    add_market(writer);
  }
  Ledger reader(dir, Options{.read_only = true, .map_size_initial_bytes = small_map});
  ASSERT_EQ(reader.snapshot().status(), Result::ok);

  constexpr int rounds = 40, deposits = 1000;
  const pid_t exchange = fork();
  ASSERT_NE(exchange, -1);
  if (exchange == 0) {
    int code = 0;
    {
      Ledger writer(dir, Options{.map_size_initial_bytes = small_map});
      for (int round = 0; round < rounds && code == 0; ++round) {
        Batch batch;
        for (int i = 0; i < deposits; ++i) {
          if (batch.deposit(buyer_a, Cash{1}, t0) != Result::ok) code = 1;
        }
        if (writer.commit(batch) != Result::ok) code = 2;
      }
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(exchange, &status, 0), exchange);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_GT(std::filesystem::file_size(std::filesystem::path(dir) / "data.mdb"), 2 * small_map);

  const Snapshot after = reader.snapshot();
  ASSERT_EQ(after.status(), Result::ok);
  EXPECT_EQ(after.balance(cash_account(buyer_a, AccountKind::available)), rounds * deposits);
}

TEST(LedgerOpen, PenaltyOutsideZeroToTenThousandBpsIsRejected) {
  TempDir tmp;
  Options options;
  options.penalty_bps = 20'000;
  EXPECT_NE(open_error(tmp.sub("l"), options).find("penalty_bps"), std::string::npos);
}

TEST(LedgerOpen, ClosedStandardDescriptorsAreReopenedBeforeTheEnvironment) {
  TempDir tmp;
  const int saved = dup(0);
  close(0);
  {
    Ledger ledger(tmp.sub("l"));
    EXPECT_NE(fcntl(0, F_GETFD), -1);  // /dev/null, not data.mdb
    char link[256] = {};
    ASSERT_GT(readlink("/proc/self/fd/0", link, sizeof link - 1), 0);
    EXPECT_STREQ(link, "/dev/null");
  }
  dup2(saved, 0);
  close(saved);
}

}  // namespace
}  // namespace ghx::ledger::testing
