// Clearing reports of two consecutive days on a real ledger: trades executed on day 1 fail
// (partly and whole) and are delivered on day 2. A closed day's report must not change when
// later days happen, and every report must agree with itself.
#include <tuple>
#include <vector>

#include "ledger/report.h"
#include "ledger/trade_amounts.h"
#include "tests/ledger/ledger_fixture.h"
#include "tools/ghx/report_writers.h"

namespace ghx::ledger::testing {
namespace {

constexpr Timestamp day1{t0.ns - 8 * ns_per_hour};  // 2026-12-01T00:00:00Z
constexpr Timestamp day2{day1.ns + 24 * ns_per_hour};
constexpr Timestamp day3{day2.ns + 24 * ns_per_hour};
constexpr ProductId next_day{12};  // delivered 2026-12-02 10:00-11:00
constexpr int64_t price = 2'000;

Timestamp at(Timestamp day, int64_t hour) { return Timestamp{day.ns + hour * ns_per_hour}; }

Fill fill(uint64_t trade, int64_t lots, Timestamp when) {
  Fill f = make_fill(trade, next_day, buyer_a, seller_x, price, lots);
  f.timestamp_ns = when;
  return f;
}

// Every rendering of a report: two equal strings mean two equal reports.
std::string rendered(const Report& r) {
  const cli::CsvFiles csv = cli::render_csv(r);
  return cli::render_json(r) + csv.trades + csv.movements + csv.obligations + csv.balances +
         cli::render_html(r);
}

// The closing balances are the opening ones plus the period's movements; the totals are the
// sums over the lines; the buyer's escrow holds what its open obligations say it paid.
void expect_consistent(const Report& r) {
  CashBalances moved = r.opening;
  const auto add = [&](const std::string& account, int64_t amount) {
    if (account == "available") moved.available.value += amount;
    if (account == "held") moved.held.value += amount;
    if (account == "escrow") moved.escrow.value += amount;
  };
  for (const MovementLine& m : r.movements) {
    add(m.from, -m.amount.value);
    add(m.to, m.amount.value);
  }
  EXPECT_EQ(moved, r.closing);
  SideTotals bought, sold;
  for (const TradeLine& t : r.trades) {
    SideTotals& side = t.buy ? bought : sold;
    side.executed_lots.value += t.lots.value;
    side.executed_notional.value += t.notional.value;
    side.fees_charged.value += t.fee_at_fill.value;
  }
  for (const DeliveryLine& d : r.deliveries) {
    SideTotals& side = d.buy ? bought : sold;
    const bool failed = d.outcome == TradeState::failed;
    (failed ? side.failed_lots : side.delivered_lots).value += d.lots.value;
    (failed ? side.failed_notional : side.delivered_notional).value += d.notional.value;
    side.penalties.value += d.penalty.value;
    side.fees_charged.value += d.fee.value;
  }
  EXPECT_TRUE(r.bought == bought);
  EXPECT_TRUE(r.sold == sold);
  // The fees and proceeds are those the period's transfers moved.
  Cash fill_fees, proceeds;
  for (const MovementLine& m : r.movements) {
    if (m.kind == TransferKind::fill_fee) fill_fees.value += m.amount.value;
    const bool paid_to_it = m.to == "available";  // not a buyer's escrow paying a seller
    if (m.kind == TransferKind::delivery_payment && paid_to_it) proceeds.value += m.amount.value;
  }
  EXPECT_EQ(r.bought.fees_charged, fill_fees);
  EXPECT_EQ(r.sold_proceeds_received(), proceeds);
  int64_t escrow_paid = 0;
  for (const ObligationLine& o : r.obligations_at_period_end) escrow_paid += o.escrow_paid.value;
  EXPECT_EQ(r.closing.escrow.value, escrow_paid);
}

class ReportPeriods : public ::testing::Test {
 protected:
  // Day 1: the buyer buys 4, 2 and 3 lots of a window delivered on day 2.
  void SetUp() override {
    add_market(ledger_);
    Batch b;
    ASSERT_EQ(b.list_product(next_day, "H100SXM.CN-EAST-1.2026-12-02T10.1H", lot_size_gpus, hours,
                             at(day2, 10), at(day2, 11)),
              Result::ok);
    ASSERT_EQ(b.deposit(buyer_a, Cash{1'000'000}, at(day1, 7)), Result::ok);
    ASSERT_EQ(b.hold_cash(buyer_a, Cash{500'000}, at(day1, 7)), Result::ok);
    ASSERT_EQ(b.deposit(seller_x, Cash{50'000}, at(day1, 7)), Result::ok);
    ASSERT_EQ(b.register_capacity(seller_x, next_day, Lots{20}, at(day1, 7)), Result::ok);
    ASSERT_EQ(b.hold_capacity(seller_x, next_day, Lots{20}, at(day1, 7)), Result::ok);
    ASSERT_EQ(b.settle_fill(fill(1, 4, at(day1, 9))), Result::ok);
    ASSERT_EQ(b.settle_fill(fill(2, 2, at(day1, 10))), Result::ok);
    ASSERT_EQ(b.settle_fill(fill(3, 3, at(day1, 11))), Result::ok);
    commit(b);
  }

  // Day 2: a fourth trade; trade 1 fails 1 of its 4 lots, trade 3 all 3; the window is
  // delivered (trade 1's 3 lots left, trade 2 and trade 4).
  void run_day2() {
    Batch b;
    ASSERT_EQ(b.settle_fill(fill(4, 1, at(day2, 8))), Result::ok);
    ASSERT_EQ(b.delivery_failure(TradeId{1}, Lots{1}, Lots{3}, at(day2, 9)), Result::ok);
    ASSERT_EQ(b.delivery_failure(TradeId{3}, Lots{3}, Lots{0}, at(day2, 9)), Result::ok);
    ASSERT_EQ(b.deliver(next_day, at(day2, 11)), Result::ok);
    commit(b);
  }

  void commit(Batch& b) {
    ASSERT_EQ(ledger_.commit(b), Result::ok);
    for (size_t i = 0; i < b.size(); ++i) ASSERT_EQ(b.result(i), Result::ok) << "op " << i;
    expect_check_passes(ledger_);
  }

  Report report(ParticipantId p, Timestamp from, Timestamp to) {
    const Snapshot s = ledger_.snapshot();
    Report r;
    EXPECT_EQ(build_report(s, *s.participant(p), from, to, r), Result::ok);
    expect_consistent(r);
    return r;
  }

  TempDir tmp_;
  Ledger ledger_{tmp_.sub("l")};
};

TEST_F(ReportPeriods, AClosedDaysReportIsTheSameAfterItsTradesFailAndAreDelivered) {
  const std::string buyer_day1 = rendered(report(buyer_a, day1, day2));
  const std::string seller_day1 = rendered(report(seller_x, day1, day2));
  run_day2();
  EXPECT_EQ(rendered(report(buyer_a, day1, day2)), buyer_day1);
  EXPECT_EQ(rendered(report(seller_x, day1, day2)), seller_day1);
}

TEST_F(ReportPeriods, TradesShowTheirStateAndFailedLotsAtThePeriodsEnd) {
  run_day2();
  const Report day1_report = report(buyer_a, day1, day2);
  ASSERT_EQ(day1_report.trades.size(), 3u);
  for (const TradeLine& t : day1_report.trades) {
    EXPECT_EQ(t.state_at_period_end, TradeState::open) << t.trade.value;
    EXPECT_EQ(t.failed_lots_at_period_end, Lots{0}) << t.trade.value;
  }
  // Over both days, the same trades as they ended.
  const Report both = report(buyer_a, day1, day3);
  ASSERT_EQ(both.trades.size(), 4u);
  EXPECT_EQ(both.trades[0].state_at_period_end, TradeState::delivered);
  EXPECT_EQ(both.trades[0].failed_lots_at_period_end, Lots{1});
  EXPECT_EQ(both.trades[1].state_at_period_end, TradeState::delivered);
  EXPECT_EQ(both.trades[2].state_at_period_end, TradeState::failed);
  EXPECT_EQ(both.trades[2].failed_lots_at_period_end, Lots{3});
  EXPECT_EQ(both.trades[3].state_at_period_end, TradeState::delivered);
}

TEST_F(ReportPeriods, TheDayOfTheFailuresAndDeliveryShowsThemWithTheRefundsAndPenalties) {
  run_day2();
  const int64_t lot_notional = price * lot_size_gpus * hours;
  const int64_t penalty_bps = ledger_.options().penalty_bps;
  const Report buyer = report(buyer_a, day2, day3);
  const std::vector<std::tuple<uint64_t, TradeState, int64_t>> expected = {
      {1, TradeState::failed, 1},    {3, TradeState::failed, 3},    {1, TradeState::delivered, 3},
      {2, TradeState::delivered, 2}, {4, TradeState::delivered, 1},
  };
  ASSERT_EQ(buyer.deliveries.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [trade, outcome, lots] = expected[i];
    const DeliveryLine& d = buyer.deliveries[i];
    EXPECT_EQ(d.trade, TradeId{trade}) << i;
    EXPECT_EQ(d.outcome, outcome) << i;
    EXPECT_EQ(d.lots, Lots{lots}) << i;
    EXPECT_EQ(d.notional, Cash{lots * lot_notional}) << i;
    const int64_t penalty =
        outcome == TradeState::failed ? lots * lot_notional * penalty_bps / 10'000 : 0;
    EXPECT_EQ(d.penalty, Cash{penalty}) << i;
    EXPECT_TRUE(d.buy);
  }
  // Executed on day 2: trade 4 alone, gross; day 1's trades are counted on day 1.
  EXPECT_EQ(buyer.bought.executed_lots, Lots{1});
  EXPECT_EQ(buyer.bought.delivered_lots, Lots{6});
  EXPECT_EQ(buyer.bought.failed_lots, Lots{4});
  EXPECT_EQ(buyer.bought.failed_notional, Cash{4 * lot_notional});
  EXPECT_EQ(buyer.bought.penalties, Cash{4 * lot_notional * penalty_bps / 10'000});
  // The seller sees the same outcomes from its side.
  const Report seller = report(seller_x, day2, day3);
  ASSERT_EQ(seller.deliveries.size(), expected.size());
  EXPECT_FALSE(seller.deliveries[0].buy);
  EXPECT_EQ(seller.sold.failed_lots, Lots{4});
  EXPECT_EQ(seller.sold.penalties, buyer.bought.penalties);
  EXPECT_EQ(seller.sold.delivered_notional, buyer.bought.delivered_notional);
  EXPECT_TRUE(seller.bought == SideTotals{});
  // Nothing was delivered or failed on day 1.
  EXPECT_TRUE(report(buyer_a, day1, day2).deliveries.empty());
}

TEST_F(ReportPeriods, FeesAreCountedInThePeriodTheyAreCharged) {
  const Report seller_day1_before = report(seller_x, day1, day2);
  run_day2();
  // The buyer's fee is charged at the fill: day 1 for trades 1 to 3, day 2 for trade 4.
  const Report buyer_day1 = report(buyer_a, day1, day2);
  EXPECT_EQ(buyer_day1.fees_charged().value, fill(1, 4, {}).buyer_fee.value +
                                                 fill(2, 2, {}).buyer_fee.value +
                                                 fill(3, 3, {}).buyer_fee.value);
  EXPECT_EQ(report(buyer_a, day2, day3).fees_charged(), fill(4, 1, {}).buyer_fee);
  // The seller's at delivery: none on day 1, though it sold then (and trade 3 will fail)...
  const Report seller_day1 = report(seller_x, day1, day2);
  EXPECT_EQ(seller_day1.fees_charged(), Cash{0});
  EXPECT_EQ(seller_day1_before.fees_charged(), Cash{0});
  for (const TradeLine& t : seller_day1.trades) EXPECT_EQ(t.fee_at_fill, Cash{0});
  // ...and on day 2 the fee of the lots delivered: trade 1's 3 lots left of 4, trades 2 and 4;
  // trade 3 failed whole and pays none.
  const Fill first = fill(1, 4, {});
  const Cash expected{seller_fee_left(first, Lots{1}).value + fill(2, 2, {}).seller_fee.value +
                      fill(4, 1, {}).seller_fee.value};
  const Report seller_day2 = report(seller_x, day2, day3);
  EXPECT_EQ(seller_day2.fees_charged(), expected);
  EXPECT_EQ(seller_day2.sold_proceeds_received().value,
            6 * price * lot_size_gpus * hours - expected.value);
  // Over the two days the exchange's fee account took exactly the fees the reports charged.
  EXPECT_EQ(ledger_.balance(fee_account()), buyer_day1.fees_charged().value +
                                                report(buyer_a, day2, day3).fees_charged().value +
                                                seller_day2.fees_charged().value);
}

TEST_F(ReportPeriods, ObligationsAreThoseOpenAtThePeriodsEnd) {
  run_day2();
  const Report buyer_day1 = report(buyer_a, day1, day2);
  ASSERT_EQ(buyer_day1.obligations_at_period_end.size(), 1u);
  const ObligationLine& owed = buyer_day1.obligations_at_period_end[0];
  EXPECT_EQ(owed.gpu_hours_to_receive, 9 * lot_size_gpus * hours);
  EXPECT_EQ(owed.escrow_paid, Cash{9 * price * lot_size_gpus * hours});
  const Report seller_day1 = report(seller_x, day1, day2);
  ASSERT_EQ(seller_day1.obligations_at_period_end.size(), 1u);
  const int64_t seller_fees = fill(1, 4, {}).seller_fee.value + fill(2, 2, {}).seller_fee.value +
                              fill(3, 3, {}).seller_fee.value;
  EXPECT_EQ(seller_day1.obligations_at_period_end[0].gpu_hours_to_deliver,
            9 * lot_size_gpus * hours);
  EXPECT_EQ(seller_day1.obligations_at_period_end[0].proceeds_pending.value,
            9 * price * lot_size_gpus * hours - seller_fees);
  // Everything delivered or failed by the end of day 2: nothing owed then.
  EXPECT_TRUE(report(buyer_a, day2, day3).obligations_at_period_end.empty());
  EXPECT_TRUE(report(seller_x, day2, day3).obligations_at_period_end.empty());
}

TEST_F(ReportPeriods, OneDaysClosingBalancesAreTheNextDaysOpening) {
  run_day2();
  for (const ParticipantId p : {buyer_a, seller_x}) {
    const Report first = report(p, day1, day2);
    const Report second = report(p, day2, day3);
    EXPECT_EQ(first.closing, second.opening);
    EXPECT_EQ(second.closing.available.value, cash(ledger_, p, AccountKind::available));
    EXPECT_EQ(second.closing.escrow.value, cash(ledger_, p, AccountKind::escrow));
  }
}

}  // namespace
}  // namespace ghx::ledger::testing
