// Replays change nothing: the same trade, the same command batch, after a restart too.
#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

// Everything a replay could change, read from LMDB.
struct State {
  uint64_t transfers = 0;
  SequenceNumber last;
  std::vector<std::pair<std::string, int64_t>> balances;
  bool operator==(const State&) const = default;
};

State state_of(const Ledger& ledger) {
  State s;
  Snapshot snap = ledger.snapshot();
  s.transfers = snap.transfer_count();
  s.last = snap.last_applied_sequence();
  snap.for_each_balance([&](const AccountKey& k, int64_t v) {
    s.balances.emplace_back(describe(k), v);
    return true;
  });
  return s;
}

class LedgerIdempotency : public ::testing::Test {
 protected:
  void SetUp() override {
    add_market(ledger_);
    ASSERT_EQ(fill_commands(batch_, 1), Result::ok);
    ASSERT_EQ(ledger_.commit(batch_), Result::ok);
  }
  // Three commands: a deposit, holds, and the fill they lead to.
  static Result fill_commands(Batch& b, uint64_t first) {
    const uint8_t command[] = {1, 2, 3};
    EXPECT_EQ(b.journal(SequenceNumber{first}, command), Result::ok);
    EXPECT_EQ(b.deposit(buyer_a, Cash{100'000}, t0), Result::ok);
    EXPECT_EQ(b.register_capacity(seller_x, h100, Lots{4}, t0), Result::ok);
    EXPECT_EQ(b.journal(SequenceNumber{first + 1}, command), Result::ok);
    EXPECT_EQ(b.hold_cash(buyer_a, Cash{20'000}, t0), Result::ok);
    EXPECT_EQ(b.hold_capacity(seller_x, h100, Lots{2}, t0), Result::ok);
    EXPECT_EQ(b.journal(SequenceNumber{first + 2}, command), Result::ok);
    return b.settle_fill(make_fill(first, h100, buyer_a, seller_x, 1000, 2));
  }
  TempDir tmp_;
  Ledger ledger_{tmp_.sub("l")};
  Batch batch_;
};

TEST_F(LedgerIdempotency, SettlingTheSameTradeAgainChangesNothing) {
  const State before = state_of(ledger_);
  Batch again;
  ASSERT_EQ(again.settle_fill(make_fill(1, h100, buyer_a, seller_x, 1000, 2)), Result::ok);
  ASSERT_EQ(ledger_.commit(again), Result::ok);
  EXPECT_EQ(again.result(0), Result::trade_already_settled);
  EXPECT_EQ(state_of(ledger_), before);
  expect_check_passes(ledger_);
}

TEST_F(LedgerIdempotency, TheSameTradeTwiceInOneBatchSettlesOnce) {
  Batch b;
  ASSERT_EQ(b.deposit(buyer_b, Cash{50'000}, t0), Result::ok);
  ASSERT_EQ(b.hold_cash(buyer_b, Cash{50'000}, t0), Result::ok);
  ASSERT_EQ(b.hold_capacity(seller_x, h100, Lots{2}, t0), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(7, h100, buyer_b, seller_x, 10, 1)), Result::ok);
  ASSERT_EQ(b.settle_fill(make_fill(7, h100, buyer_b, seller_x, 10, 1)), Result::ok);
  ASSERT_EQ(ledger_.commit(b), Result::ok);
  EXPECT_EQ(b.result(3), Result::ok);
  EXPECT_EQ(b.result(4), Result::trade_already_settled);
  expect_check_passes(ledger_);
}

TEST_F(LedgerIdempotency, ReplayingACommittedCommandBatchIsSkippedWhole) {
  const State before = state_of(ledger_);
  EXPECT_EQ(ledger_.commit(batch_), Result::already_applied);
  EXPECT_EQ(state_of(ledger_), before);
}

TEST(LedgerReplay, ReplayAfterRestartIsSkippedToo) {
  TempDir tmp;
  Batch b;
  ASSERT_EQ(b.journal(SequenceNumber{1}, {}), Result::ok);
  ASSERT_EQ(b.upsert_participant(buyer_a, "alpha-ai", role_buyer), Result::ok);
  ASSERT_EQ(b.deposit(buyer_a, Cash{10}, t0), Result::ok);
  {
    Ledger ledger(tmp.sub("l"));
    ASSERT_EQ(ledger.commit(b), Result::ok);
  }
  Ledger ledger(tmp.sub("l"));
  const State before = state_of(ledger);
  EXPECT_EQ(ledger.commit(b), Result::already_applied);
  EXPECT_EQ(state_of(ledger), before);
  EXPECT_EQ(cash(ledger, buyer_a, AccountKind::available), 10);
}

TEST_F(LedgerIdempotency, BatchThatSkipsSequencesIsRefusedAndWritesNothing) {
  const State before = state_of(ledger_);
  Batch gap;
  ASSERT_EQ(fill_commands(gap, 5), Result::ok);
  EXPECT_EQ(ledger_.commit(gap), Result::sequence_gap);
  Batch holes;
  ASSERT_EQ(holes.journal(SequenceNumber{4}, {}), Result::ok);
  ASSERT_EQ(holes.journal(SequenceNumber{6}, {}), Result::ok);
  EXPECT_EQ(ledger_.commit(holes), Result::sequence_not_contiguous);
  EXPECT_EQ(state_of(ledger_), before);
}

// A batch from inside the committed sequences to past them is no replay: skipping it whole as
// one would lose what lies past them, so it is refused and writes nothing.
TEST_F(LedgerIdempotency, BatchThatOverlapsTheCommittedSequencesIsRefusedAndWritesNothing) {
  const State before = state_of(ledger_);
  Batch overlapping;
  ASSERT_EQ(fill_commands(overlapping, 2), Result::ok);  // 2..4, with 1..3 committed
  EXPECT_EQ(ledger_.commit(overlapping), Result::sequence_overlap);
  EXPECT_EQ(state_of(ledger_), before);
  EXPECT_EQ(ledger_.last_applied_sequence().value, 3u);
  Batch next;
  ASSERT_EQ(fill_commands(next, 4), Result::ok);
  EXPECT_EQ(ledger_.commit(next), Result::ok);
}

TEST_F(LedgerIdempotency, JournalReadsBackFromAnySequenceInOrder) {
  Batch next;
  ASSERT_EQ(fill_commands(next, 4), Result::ok);
  ASSERT_EQ(ledger_.commit(next), Result::ok);
  std::vector<uint64_t> seen;
  ASSERT_EQ(ledger_.read_journal(SequenceNumber{3}, [&](SequenceNumber s, auto bytes) {
    EXPECT_EQ(bytes.size(), 3u);
    seen.push_back(s.value);
    return true;
  }), Result::ok);
  EXPECT_EQ(seen, (std::vector<uint64_t>{3, 4, 5, 6}));
  EXPECT_EQ(ledger_.last_applied_sequence().value, 6u);
}

}  // namespace
}  // namespace ghx::ledger::testing
