// `ghx ledger check`: passes on a sound ledger, names the problem on a damaged one.
#include <lmdb.h>

#include <functional>
#include <optional>
#include <vector>

#include "gateway/exchange_command.h"
#include "ledger/codec.h"
#include "tests/ledger/ledger_fixture.h"
#include "tools/ghx/ledger_commands.h"

namespace ghx::ledger::testing {
namespace {

int ghx_ledger_check(const std::string& dir) {
  std::string args[] = {"ledger", "check", "--data", dir};
  char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data()};
  return cli::run_ledger_command(4, argv);
}

// A journal entry as ghxd writes it (a clock tick), so that `ghx ledger check` can decode it.
std::vector<uint8_t> journaled_tick(uint64_t sequence) {
  gateway::ExchangeCommand command;
  command.engine.type = matching::CommandType::tick;
  command.engine.sequence = {sequence};
  std::vector<uint8_t> bytes;
  gateway::encode(command, bytes);
  return bytes;
}

// Changes LMDB straight, bypassing the ledger, as a bug or a bad restore might.
void change_raw(const std::string& dir, const char* db,
                const std::function<int(MDB_txn*, MDB_dbi)>& change) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 16);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0640), 0);
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  ASSERT_EQ(mdb_dbi_open(txn, db, 0, &dbi), 0);
  ASSERT_EQ(change(txn, dbi), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

void poke(const std::string& dir, const char* db, std::span<const uint8_t> key,
          std::span<const uint8_t> value) {
  change_raw(dir, db, [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_val k = val(key);
    MDB_val v = val(value);
    return mdb_put(txn, dbi, &k, &v, 0);
  });
}

void erase(const std::string& dir, const char* db, std::span<const uint8_t> key) {
  change_raw(dir, db, [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_val k = val(key);
    return mdb_del(txn, dbi, &k, nullptr);
  });
}

class LedgerCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    Ledger ledger(dir_);
    add_market(ledger);
    Batch b;
    ASSERT_EQ(b.journal(SequenceNumber{1}, journaled_tick(1)), Result::ok);
    ASSERT_EQ(b.deposit(buyer_a, Cash{5'000}, t0), Result::ok);
    ASSERT_EQ(b.hold_cash(buyer_a, Cash{5'000}, t0), Result::ok);
    ASSERT_EQ(b.journal(SequenceNumber{2}, journaled_tick(2)), Result::ok);
    ASSERT_EQ(b.register_capacity(seller_x, h100, Lots{2}, t0), Result::ok);
    ASSERT_EQ(b.hold_capacity(seller_x, h100, Lots{2}, t0), Result::ok);
    ASSERT_EQ(b.settle_fill(make_fill(1, h100, buyer_a, seller_x, 100, 2)), Result::ok);
    ASSERT_EQ(ledger.commit(b), Result::ok);
  }
  std::vector<std::string> problems() {
    Ledger ledger(dir_, Options{.read_only = true});
    return check_ledger(ledger.snapshot()).problems;
  }
  TempDir tmp_;
  std::string dir_ = tmp_.sub("l");
};

TEST_F(LedgerCheck, SoundLedgerPassesAndExitsZero) {
  EXPECT_TRUE(problems().empty());
  EXPECT_EQ(ghx_ledger_check(dir_), 0);
}

TEST_F(LedgerCheck, BalanceThatDoesNotSumToZeroIsNamed) {
  uint8_t value[8];
  codec::Writer(value).i64(4'000);
  poke(dir_, "balances", codec::account_key(cash_account(buyer_a, AccountKind::held)), value);
  const auto found = problems();
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found.back().find("cash sums to"), std::string::npos) << found.back();
  EXPECT_EQ(ghx_ledger_check(dir_), 1);
}

TEST_F(LedgerCheck, NegativeParticipantBalanceIsNamed) {
  uint8_t value[8];
  codec::Writer(value).i64(-1);
  poke(dir_, "balances", codec::account_key(cash_account(buyer_b, AccountKind::available)), value);
  bool named = false;
  for (const auto& p : problems()) named |= p.find("participant 2 available") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST_F(LedgerCheck, JournalGapIsNamed) {
  poke(dir_, "journal", codec::u64_key(4), journaled_tick(4));
  bool named = false;
  for (const auto& p : problems()) named |= p.find("journal gap: sequence 4 follows 2") == 0;
  EXPECT_TRUE(named);
  EXPECT_EQ(ghx_ledger_check(dir_), 1);
}

// The journal is never pruned: ghxd's recovery replays it from sequence 1, so a journal that
// starts later has lost commands, though what is left has no gap.
TEST_F(LedgerCheck, JournalNotStartingAtOneIsNamed) {
  erase(dir_, "journal", codec::u64_key(1));
  bool named = false;
  for (const auto& p : problems()) {
    named |= p.find("journal starts at sequence 2, not 1") == 0;
  }
  EXPECT_TRUE(named);
  EXPECT_EQ(ghx_ledger_check(dir_), 1);
}

// An operator's request keeps a digest of what it asked; one recorded before digests (10
// bytes) is still found, without one; a record of any other size is damage, not "unknown".
TEST_F(LedgerCheck, RequestRecordsReadBackWithTheirDigestAndOldOnesWithout) {
  {
    Ledger ledger(dir_);
    Batch b;
    b.record_request(buyer_a, 5, SequenceNumber{2}, true, 7, 0x0123456789abcdefULL);
    ASSERT_EQ(ledger.commit(b), Result::ok);
  }
  const std::vector<uint8_t> old_record = {0, 0, 0, 0, 0, 0, 0, 1, 0, 9};  // #1, refused, 9
  poke(dir_, "requests", codec::kept_key(buyer_a, 6), old_record);
  poke(dir_, "requests", codec::kept_key(buyer_a, 7), std::vector<uint8_t>(11, 0));
  Ledger ledger(dir_, Options{.read_only = true});
  const Snapshot snapshot = ledger.snapshot();
  std::optional<Snapshot::RequestRecord> found;
  ASSERT_EQ(snapshot.find_request(buyer_a, 5, found), Result::ok);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->sequence.value, 2u);
  EXPECT_TRUE(found->done);
  EXPECT_EQ(found->what, 7);
  EXPECT_EQ(found->digest, 0x0123456789abcdefULL);
  ASSERT_EQ(snapshot.find_request(buyer_a, 6, found), Result::ok);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->sequence.value, 1u);
  EXPECT_FALSE(found->done);
  EXPECT_EQ(found->what, 9);
  EXPECT_EQ(found->digest, 0u);
  EXPECT_EQ(snapshot.find_request(buyer_a, 7, found), Result::storage_error);
  ASSERT_EQ(snapshot.find_request(buyer_a, 8, found), Result::ok);
  EXPECT_FALSE(found.has_value());
}

// The ledger keeps commands as opaque bytes; the CLI decodes each as ghxd's recovery would.
TEST_F(LedgerCheck, JournalEntryThatDoesNotDecodeFailsTheCliCheck) {
  const std::vector<uint8_t> garbage(12, 0xa5);
  poke(dir_, "journal", codec::u64_key(2), garbage);
  EXPECT_TRUE(problems().empty());  // balances and sequences are still sound
  EXPECT_EQ(ghx_ledger_check(dir_), 1);
}

TEST_F(LedgerCheck, TradeWithoutSettlementIsNamed) {
  TradeRecord ghost{make_fill(9, h100, buyer_a, seller_x, 100, 1), TradeState::delivered, t0};
  poke(dir_, "trades", codec::u64_key(9), codec::encode(ghost));
  bool named = false;
  for (const auto& p : problems()) named |= p.find("trade 9 is settled 0 times") == 0;
  EXPECT_TRUE(named);
}

TEST_F(LedgerCheck, FailedLotsThatDisagreeWithTheTransfersAreNamed) {
  TradeRecord trade{make_fill(1, h100, buyer_a, seller_x, 100, 2), TradeState::open, {}, Lots{1}};
  poke(dir_, "trades", codec::u64_key(1), codec::encode(trade));
  bool named = false;
  for (const auto& p : problems()) {
    named |= p.find("trade 1 is open with 1 lots failed but its delivery transfers") == 0;
  }
  EXPECT_TRUE(named);
}

TEST_F(LedgerCheck, EscrowThatOpenTradesDoNotOweIsNamed) {
  // 100 moved from held to escrow behind the ledger's back: cash still sums to zero, but the
  // open trade puts only its notional, 1'600, in escrow.
  uint8_t escrow[8];
  uint8_t held[8];
  codec::Writer(escrow).i64(1'700);
  codec::Writer(held).i64(5'000 - 1'600 - 1 - 100);
  poke(dir_, "balances", codec::account_key(cash_account(buyer_a, AccountKind::escrow)), escrow);
  poke(dir_, "balances", codec::account_key(cash_account(buyer_a, AccountKind::held)), held);
  bool named = false;
  for (const auto& p : problems()) {
    named |=
        p.find("participant 1 escrow account (cash) holds 1700 but its open trades owe 1600") == 0;
  }
  EXPECT_TRUE(named);
}

// A data directory written before partial failures stores trades without failed_lots: they
// still check, and fail lot by lot from then on (rewritten in the current layout).
TEST_F(LedgerCheck, TradesOfTheOlderLayoutCheckAndFailPartly) {
  const TradeRecord open{make_fill(1, h100, buyer_a, seller_x, 100, 2), TradeState::open, {}, {}};
  const codec::TradeBytes bytes = codec::encode(open);
  poke(dir_, "trades", codec::u64_key(1),
       std::span<const uint8_t>(bytes).first(codec::trade_value_size_without_failed_lots));
  EXPECT_TRUE(problems().empty());
  {
    Ledger ledger(dir_);
    Batch b;
    ASSERT_EQ(b.delivery_failure(TradeId{1}, Lots{1}, Lots{1}, t0), Result::ok);
    ASSERT_EQ(ledger.commit(b), Result::ok);
    EXPECT_EQ(b.result(0), Result::ok);
    EXPECT_EQ(ledger.snapshot().trade(TradeId{1})->failed_lots, Lots{1});
  }
  EXPECT_TRUE(problems().empty());
}

TEST_F(LedgerCheck, MissingLedgerExitsWithAClearError) {
  EXPECT_THROW(ghx_ledger_check(tmp_.sub("absent")), OpenError);
}

}  // namespace
}  // namespace ghx::ledger::testing
