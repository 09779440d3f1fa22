// A full map grows and the batch is retried whole; at the configured maximum nothing is written.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

// A batch of deposits and holds that writes roughly 2 * count transfers.
void add_activity(Batch& b, uint64_t first_sequence, int count) {
  const std::vector<uint8_t> command(200, 0xab);
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(b.journal(SequenceNumber{first_sequence + i}, command), Result::ok);
    ASSERT_EQ(b.deposit(buyer_a, Cash{100}, t0), Result::ok);
    ASSERT_EQ(b.hold_cash(buyer_a, Cash{50}, t0), Result::ok);
  }
}

TEST(LedgerMap, FullMapGrowsAndTheBatchIsRetriedWhole) {
  TempDir tmp;
  Options options;
  options.map_size_initial_bytes = 256 * 1024;
  options.map_size_max_bytes = 64 << 20;
  Ledger ledger(tmp.sub("l"), options);
  add_market(ledger);
  Batch b(40'000, 16 << 20);
  add_activity(b, 1, 10'000);
  const uint64_t before = ledger.map_size_bytes();
  ASSERT_EQ(ledger.commit(b), Result::ok);
  EXPECT_GT(ledger.map_size_bytes(), before);
  EXPECT_EQ(cash(ledger, buyer_a, AccountKind::held), 500'000);
  EXPECT_EQ(ledger.snapshot().transfer_count(), 20'000u);
  expect_check_passes(ledger);
}

// Another thread reads a snapshot (as a resend does) while the writer must grow the map: the
// growth waits for the snapshot to end instead of remapping the pages it reads.
TEST(LedgerMap, GrowingWaitsForSnapshotsOfOtherThreads) {
  TempDir tmp;
  Options options;
  options.map_size_initial_bytes = 256 * 1024;
  options.map_size_max_bytes = 64 << 20;
  Ledger ledger(tmp.sub("l"), options);
  add_market(ledger);
  Batch kept;
  const std::vector<uint8_t> message(64, 0x5a);
  for (uint64_t seq = 1; seq <= 500; ++seq) kept.keep_message(buyer_a, seq, message);
  ASSERT_EQ(ledger.commit(kept), Result::ok);

  std::atomic<bool> reading{false};
  std::atomic<uint64_t> read{0};
  std::thread reader([&] {
    const Snapshot snapshot = ledger.snapshot();
    reading = true;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < until) {  // reads pages the growth would move
      snapshot.for_each_kept_message(buyer_a, 0, [&](uint64_t, std::span<const uint8_t> bytes) {
        read += bytes.size() == message.size() && bytes[63] == 0x5a;
        return true;
      });
    }
  });
  while (!reading) std::this_thread::yield();
  Batch b(40'000, 16 << 20);
  add_activity(b, 1, 10'000);
  const uint64_t before = ledger.map_size_bytes();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(ledger.commit(b), Result::ok);
  const auto waited = std::chrono::steady_clock::now() - started;
  reader.join();
  EXPECT_GT(ledger.map_size_bytes(), before);
  EXPECT_GE(waited, std::chrono::milliseconds(100));  // it waited for the reader's snapshot
  EXPECT_GT(read.load(), 0u);
  EXPECT_EQ(read.load() % 500, 0u);  // every pass read every message, intact
  expect_check_passes(ledger);
}

// ghxd's main thread asks how full the ledger is while the ledger thread commits: the question
// must not read the mapped file while a growth unmaps and maps it again (it crashed the reader).
TEST(LedgerMap, UsedBytesIsSafeWhileTheMapGrows) {
  TempDir tmp;
  Options options;
  options.map_size_initial_bytes = 256 * 1024;
  options.map_size_max_bytes = 256 << 20;
  Ledger ledger(tmp.sub("l"), options);
  add_market(ledger);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> largest{0};
  std::thread asker([&] {
    while (!done) largest = std::max(largest.load(), ledger.used_bytes());
  });
  uint64_t sequence = 1;
  for (int round = 0; round < 6; ++round) {
    Batch b(40'000, 16 << 20);
    add_activity(b, sequence, 10'000);
    sequence += 10'000;
    ASSERT_EQ(ledger.commit(b), Result::ok);
  }
  done = true;
  asker.join();
  EXPECT_GT(ledger.map_size_bytes(), options.map_size_initial_bytes * 8);  // it grew, thrice
  EXPECT_GT(largest.load(), options.map_size_initial_bytes);
  EXPECT_LE(ledger.used_bytes(), ledger.map_size_bytes());
}

TEST(LedgerMap, MapAtItsMaximumRefusesTheBatchAndWritesNothing) {
  TempDir tmp;
  Options options;
  options.map_size_initial_bytes = 1 << 20;
  options.map_size_max_bytes = 1 << 20;
  Ledger ledger(tmp.sub("l"), options);
  add_market(ledger);
  Batch small;
  add_activity(small, 1, 10);
  ASSERT_EQ(ledger.commit(small), Result::ok);

  Batch big(40'000, 16 << 20);
  add_activity(big, 11, 10'000);
  EXPECT_EQ(ledger.commit(big), Result::map_full);
  EXPECT_EQ(ledger.last_applied_sequence().value, 10u);
  EXPECT_EQ(cash(ledger, buyer_a, AccountKind::available), 500);  // the cache rolled back too
  EXPECT_EQ(ledger.snapshot().balance(cash_account(buyer_a, AccountKind::available)), 500);
  expect_check_passes(ledger);

  Batch next;
  add_activity(next, 11, 1);  // the ledger keeps working after the refusal
  EXPECT_EQ(ledger.commit(next), Result::ok);
  EXPECT_EQ(cash(ledger, buyer_a, AccountKind::available), 550);
  expect_check_passes(ledger);
}

}  // namespace
}  // namespace ghx::ledger::testing
