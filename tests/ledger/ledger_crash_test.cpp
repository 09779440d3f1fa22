// Crash safety: a child process commits batches and reports each one through a pipe only after
// commit() returned; the parent kills it with SIGKILL at random points. After every kill the
// ledger must open, pass the check, and hold every batch that was reported.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

constexpr int kills_min = 50;
constexpr int fills_per_batch = 20;

bool setup_market(Ledger& ledger) {
  if (ledger.snapshot().participant(seller_x)) return true;
  Batch b;
  bool ok = b.upsert_participant(buyer_a, "alpha-ai", role_buyer) == Result::ok &&
            b.upsert_participant(seller_x, "xdc-east", role_seller) == Result::ok &&
            b.list_product(h100, "H100", lot_size_gpus, hours, t0, t0) == Result::ok;
  return ok && ledger.commit(b) == Result::ok;
}

// The child: never returns, never touches gtest.
[[noreturn]] void write_until_killed(const std::string& dir, int report_fd) {
  try {
    Ledger ledger(dir);
    if (!setup_market(ledger)) _exit(3);
    uint64_t sequence = ledger.last_applied_sequence().value;
    Batch b;
    for (;;) {
      b.clear();
      for (int i = 0; i < fills_per_batch; ++i) {
        ++sequence;
        const uint8_t command[8] = {static_cast<uint8_t>(sequence), 1, 2, 3, 4, 5, 6, 7};
        bool ok = b.journal(SequenceNumber{sequence}, command) == Result::ok &&
                  b.deposit(buyer_a, Cash{1'000}, t0) == Result::ok &&
                  b.hold_cash(buyer_a, Cash{1'000}, t0) == Result::ok &&
                  b.register_capacity(seller_x, h100, Lots{1}, t0) == Result::ok &&
                  b.hold_capacity(seller_x, h100, Lots{1}, t0) == Result::ok &&
                  b.settle_fill(make_fill(sequence, h100, buyer_a, seller_x, 100, 1)) ==
                      Result::ok;
        if (!ok) _exit(4);
      }
      if (ledger.commit(b) != Result::ok) _exit(5);
      if (write(report_fd, &sequence, sizeof sequence) != sizeof sequence) _exit(6);
    }
  } catch (...) {
    _exit(7);
  }
}

// Reads reported sequences until `deadline` (or EOF when the deadline is in the past).
uint64_t collect_reports(int fd, std::chrono::steady_clock::time_point deadline, uint64_t last) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, std::max<int64_t>(0, left.count())) <= 0) return last;
    uint64_t sequence = 0;
    const ssize_t n = read(fd, &sequence, sizeof sequence);
    if (n == 0) return last;  // EOF: the child is gone
    EXPECT_EQ(n, static_cast<ssize_t>(sizeof sequence));
    last = sequence;
  }
}

void expect_reported_batches_present(const std::string& dir, uint64_t reported) {
  Ledger ledger(dir);
  const CheckReport report = check_ledger(ledger.snapshot());
  ASSERT_TRUE(report.ok()) << report.problems.front();
  ASSERT_GE(ledger.last_applied_sequence().value, reported);
  uint64_t present = 0;
  ledger.read_journal(SequenceNumber{1}, [&](SequenceNumber s, auto) {
    present += s.value <= reported;
    return s.value < reported;
  });
  EXPECT_EQ(present, reported);
  if (reported > 0) {
    EXPECT_TRUE(ledger.snapshot().trade(TradeId{reported}).has_value());
  }
}

TEST(LedgerCrash, EveryReportedBatchSurvivesSigkillAtRandomPoints) {
  TempDir tmp;
  const std::string dir = tmp.sub("l");
  std::mt19937 rng(20261201);
  uint64_t reported = 0;
  for (int kill_index = 0; kill_index < kills_min; ++kill_index) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      write_until_killed(dir, fds[1]);
    }
    close(fds[1]);
    // Every third run first waits for one more committed batch, so that progress is certain
    // even on a slow disk; then all runs die at a random point, often inside a commit.
    if (kill_index % 3 == 0) {
      const uint64_t before = reported;
      const auto patience = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (reported == before && std::chrono::steady_clock::now() < patience) {
        reported = collect_reports(fds[0], std::chrono::steady_clock::now() +
                                               std::chrono::milliseconds(5), reported);
      }
    }
    const auto run_for =
        std::chrono::microseconds(std::uniform_int_distribution<>(500, 40'000)(rng));
    reported = collect_reports(fds[0], std::chrono::steady_clock::now() + run_for, reported);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    reported = collect_reports(fds[0], std::chrono::steady_clock::now(), reported);
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself with " << WEXITSTATUS(status);
    expect_reported_batches_present(dir, reported);
  }
  EXPECT_GT(reported, 0u);
}

// A reader killed inside its read transaction (a `ghx report` interrupted) leaves its slot in
// the lock file, pinning the oldest snapshot: no page freed after it could be reused, and the
// file would grow with every commit. The writer frees such slots as it commits.
TEST(LedgerStaleReader, ADeadReadersSlotIsFreedByTheNextCommit) {
  TempDir tmp;
  const std::string dir = tmp.sub("l");
  Ledger ledger(dir, Options{.stale_reader_check_interval_ms = 0});
  ASSERT_TRUE(setup_market(ledger));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    try {
      const Ledger reader(dir, Options{.read_only = true});
      const Snapshot reading = reader.snapshot();
      const char ready = 'r';
      if (write(fds[1], &ready, 1) == 1) pause();
    } catch (...) {
    }
    _exit(1);
  }
  close(fds[1]);
  char ready = 0;
  ASSERT_EQ(read(fds[0], &ready, 1), 1);
  close(fds[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(ledger.stale_readers_cleared(), 0u);

  Batch b;
  ASSERT_EQ(b.upsert_participant(buyer_b, "beta-labs", role_buyer), Result::ok);
  ASSERT_EQ(ledger.commit(b), Result::ok);
  EXPECT_EQ(ledger.stale_readers_cleared(), 1u);
}

}  // namespace
}  // namespace ghx::ledger::testing
