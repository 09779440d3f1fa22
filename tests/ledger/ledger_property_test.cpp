// Random deposits, withdrawals, holds, releases, fills, deliveries and failures: after every
// commit the invariants hold and the balances agree with a simple model of open trades.
#include <map>
#include <random>

#include "tests/ledger/ledger_fixture.h"

namespace ghx::ledger::testing {
namespace {

constexpr ParticipantId participants[] = {buyer_a, buyer_b, seller_x, seller_y};
constexpr ProductId products[] = {h100, l40s};

class RandomMarket {
 public:
  explicit RandomMarket(uint32_t seed) : rng_(seed) {}

  void add_ops(Batch& b, const Ledger& ledger, int count) {
    for (int i = 0; i < count; ++i) add_op(b, ledger);
  }
  uint64_t next_trade = 1;

 private:
  int64_t pick(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  ParticipantId who() { return participants[pick(0, 3)]; }
  ProductId what() { return products[pick(0, 1)]; }
  Timestamp now() { return Timestamp{t0.ns + pick(0, 6 * ns_per_hour)}; }

  void add_op(Batch& b, const Ledger& ledger) {
    Result r = Result::ok;
    switch (pick(0, 10)) {
      case 0: r = b.deposit(who(), Cash{pick(1, 100'000)}, now()); break;
      case 1: r = b.withdraw(who(), Cash{pick(1, 50'000)}, now()); break;
      case 2: r = b.hold_cash(who(), Cash{pick(1, 80'000)}, now()); break;
      case 3: r = b.release_cash(who(), Cash{pick(1, 20'000)}, now()); break;
      case 4: r = b.register_capacity(seller_x, what(), Lots{pick(1, 10)}, now()); break;
      case 5: r = b.hold_capacity(who(), what(), Lots{pick(1, 5)}, now()); break;
      case 6: r = b.release_capacity(who(), what(), Lots{pick(1, 3)}, now()); break;
      case 7:
      case 8: {
        const ParticipantId buyer = pick(0, 1) ? buyer_a : seller_y;
        const uint64_t id = pick(0, 5) == 0 && next_trade > 1 ? pick(1, next_trade - 1)
                                                              : next_trade++;  // some replays
        r = b.settle_fill(make_fill(id, what(), buyer, pick(0, 1) ? seller_x : seller_y,
                                    pick(1, 500), pick(1, 4), pick(0, 300)));
        break;
      }
      case 9: r = b.deliver(what(), Timestamp{t0.ns + pick(2, 6) * ns_per_hour}); break;
      default:
        if (pick(0, 1)) r = b.delivery_failure(TradeId{static_cast<uint64_t>(pick(1, next_trade))}, now());
        else r = b.delivery_failure(what(), seller_x, now());
    }
    (void)ledger;
    ASSERT_EQ(r, Result::ok);
  }
  std::mt19937 rng_;
};

bool expected_outcome(Result r) {
  return r != Result::storage_error && r != Result::invalid_argument &&
         r != Result::missing_role && r != Result::unknown_participant &&
         r != Result::unknown_product && r != Result::notional_mismatch;
}

// Escrow and received capacity are exactly what open trades say they are.
void expect_matches_open_trades(const Ledger& ledger) {
  std::map<uint32_t, int64_t> escrow;
  std::map<std::pair<uint32_t, uint32_t>, int64_t> received;
  Snapshot snap = ledger.snapshot();
  snap.for_each_trade([&](const TradeRecord& t) {
    if (t.state != TradeState::open) return true;
    escrow[t.fill.buyer.value] += t.fill.notional.value;
    received[{t.fill.buyer.value, t.fill.product.value}] += t.fill.lots.value;
    return true;
  });
  for (const ParticipantId p : participants) {
    EXPECT_EQ(cash(ledger, p, AccountKind::escrow), escrow[p.value]) << "participant " << p.value;
    EXPECT_EQ(snap.balance(cash_account(p, AccountKind::available)),
              cash(ledger, p, AccountKind::available));
    for (const ProductId product : products) {
      EXPECT_EQ(capacity(ledger, p, product, AccountKind::received),
                (received[{p.value, product.value}]));
    }
  }
}

TEST(LedgerProperty, InvariantsHoldAfterEveryCommitOfRandomActivity) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    TempDir tmp;
    Ledger ledger(tmp.sub("l"));
    add_market(ledger);
    RandomMarket market(seed);
    uint64_t sequence = 0;
    for (int commit = 0; commit < 60; ++commit) {
      Batch b;
      const uint8_t command[] = {static_cast<uint8_t>(commit)};
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(b.journal(SequenceNumber{++sequence}, command), Result::ok);
        market.add_ops(b, ledger, 8);
      }
      ASSERT_EQ(ledger.commit(b), Result::ok) << "seed " << seed << " commit " << commit;
      for (size_t i = 0; i < b.size(); ++i) {
        EXPECT_TRUE(expected_outcome(b.result(i))) << to_string(b.result(i));
      }
      if (commit % 7 == 0) {
        EXPECT_EQ(ledger.commit(b), Result::already_applied);
      }
      const CheckReport report = check_ledger(ledger.snapshot());
      ASSERT_TRUE(report.ok()) << "seed " << seed << ": " << report.problems.front();
      expect_matches_open_trades(ledger);
    }
  }
}

}  // namespace
}  // namespace ghx::ledger::testing
