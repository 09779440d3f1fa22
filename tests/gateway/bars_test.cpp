// One-minute bars: BarBook's arithmetic on its own, then over TLS: a subscriber gets each bar
// as its minute closes, BarsRequest answers the recent ones, and a restart keeps them.

#include "gateway/bars.h"

#include <gtest/gtest.h>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

constexpr int64_t minute = BarBook::interval_ns;
constexpr int64_t second = 1'000'000'000;
constexpr int64_t t0 = 29'600'000 * minute;  // a whole minute in 2026

TEST(BarBook, TradesOfAMinuteMakeOneBarThatALaterTradeCloses) {
  BarBook book;
  std::vector<Bar> closed;
  book.add_trade(7, t0 + 1 * second, 1850, 2, 29'600, closed);
  book.add_trade(7, t0 + 30 * second, 1900, 1, 15'200, closed);
  book.add_trade(7, t0 + 59 * second, 1800, 3, 43'200, closed);
  EXPECT_TRUE(closed.empty());
  bool more = true;
  const Bar running{.product = 7, .start_ns = t0, .open = 1850, .high = 1900, .low = 1800,
                    .close = 1800, .volume = 6, .trades = 3, .notional = 88'000};
  EXPECT_EQ(book.recent(7, 10, INT64_MAX, more), std::vector{running});
  EXPECT_FALSE(more);

  book.add_trade(7, t0 + minute + 2 * second, 1810, 1, 14'480, closed);  // the next minute
  Bar first = running;
  first.closed = true;
  ASSERT_EQ(closed, std::vector{first});
  const std::vector<Bar> both = book.recent(7, 10, INT64_MAX, more);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0], first);
  EXPECT_EQ(both[1].start_ns, t0 + minute);
  EXPECT_FALSE(both[1].closed);
  EXPECT_EQ(both[1].open, 1810);
  EXPECT_TRUE(book.recent(8, 10, INT64_MAX, more).empty());  // no trades, no bars
}

TEST(BarBook, TimeClosesABarAtTheEndOfItsMinuteAndNotBefore) {
  BarBook book;
  std::vector<Bar> closed;
  book.add_trade(1, t0 + 10 * second, 1850, 1, 14'800, closed);
  book.add_trade(2, t0 + minute + 10 * second, 900, 1, 7'200, closed);
  book.close_until(t0 + minute - 1, closed);
  EXPECT_TRUE(closed.empty());
  book.close_until(t0 + minute, closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].product, 1u);
  EXPECT_TRUE(closed[0].closed);
  book.close_until(t0 + 10 * minute, closed);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[1].product, 2u);
  book.close_until(t0 + 20 * minute, closed);  // nothing runs any more
  EXPECT_EQ(closed.size(), 2u);
}

TEST(BarBook, KeepsADayAndPagesBackThroughIt) {
  BarBook book;
  std::vector<Bar> closed;
  const int64_t minutes = BarBook::kept_max + 10;
  for (int64_t i = 0; i < minutes; ++i) {
    book.add_trade(3, t0 + i * minute, 1000 + i, 1, 8'000, closed);
  }
  book.close_until(t0 + minutes * minute, closed);
  EXPECT_EQ(closed.size(), static_cast<size_t>(minutes));
  bool more = false;
  const std::vector<Bar> newest = book.recent(3, 500, INT64_MAX, more);
  ASSERT_EQ(newest.size(), 500u);
  EXPECT_TRUE(more);
  EXPECT_EQ(newest.back().start_ns, t0 + (minutes - 1) * minute);
  EXPECT_EQ(newest.front().start_ns, t0 + (minutes - 500) * minute);
  // Paging back: those before the first one seen, until the oldest kept.
  const std::vector<Bar> older = book.recent(3, 2000, newest.front().start_ns, more);
  EXPECT_FALSE(more);
  ASSERT_EQ(older.size(), BarBook::kept_max - 500);
  EXPECT_EQ(older.front().start_ns, t0 + 10 * minute);  // the first ten fell out of the day
  EXPECT_EQ(older.back().start_ns + minute, newest.front().start_ns);
}

TEST(BarBook, AForgottenProductHasNoBarsAndNothingLeftToClose) {
  BarBook book;
  std::vector<Bar> closed;
  book.add_trade(4, t0, 1850, 1, 14'800, closed);
  book.add_trade(5, t0, 1850, 1, 14'800, closed);
  book.forget(4);
  book.close_until(t0 + minute, closed);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].product, 5u);
  bool more = false;
  EXPECT_TRUE(book.recent(4, 10, INT64_MAX, more).empty());
}

TEST(BarBook, RestoredBarsCloseInTurnAndTheLastRunsOn) {
  BarBook book;
  std::vector<Bar> closed;
  const Bar older{.product = 2,
                  .start_ns = t0,
                  .open = 10,
                  .high = 12,
                  .low = 9,
                  .close = 11,
                  .volume = 4,
                  .trades = 2,
                  .notional = 320,
                  .closed = true};
  Bar newer = older;
  newer.start_ns = t0 + 3 * minute;
  book.restore(older, closed);
  book.restore(newer, closed);
  ASSERT_EQ(closed, std::vector{older});
  bool more = false;
  std::vector<Bar> recent = book.recent(2, 10, INT64_MAX, more);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_FALSE(recent[1].closed);  // restored as the running one
  book.close_until(t0 + 4 * minute, closed);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[1], newer);
  EXPECT_EQ(BarBook::minute_start(t0 + 59 * second), t0);
  EXPECT_EQ(BarBook::minute_start(-1), -minute);
}

class Bars : public Exchange {
 protected:
  // A resting ask of dc-a taken in full by lab-a.
  void trade(Client& seller, Client& buyer, uint64_t client_id, int64_t price, int64_t lots) {
    Received r;
    ASSERT_EQ(seller.send(order(client_id, wire::Side::Sell, price, lots)), ClientStatus::ok);
    const auto* accepted = report(seller, r);
    ASSERT_NE(accepted, nullptr);
    ASSERT_EQ(accepted->exec_type(), wire::ExecType::Accepted);
    ASSERT_EQ(buyer.send(order(client_id, wire::Side::Buy, price, lots)), ClientStatus::ok);
    ASSERT_NE(report(buyer, r), nullptr);  // accepted
    const auto* fill = report(buyer, r);
    ASSERT_NE(fill, nullptr);
    ASSERT_EQ(fill->exec_type(), wire::ExecType::Filled);
    ASSERT_NE(report(seller, r), nullptr);  // the maker's fill
  }

  // The BarList answering a BarsRequest: its bars' (start, open, high, low, close, volume,
  // trades, notional, closed).
  using BarFacts = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, uint32_t,
                              int64_t, bool>;
  static BarFacts facts(const wire::Bar& bar) {
    return {bar.start_time_ns(), bar.open(),   bar.high(),     bar.low(),    bar.close(),
            bar.volume(),        bar.trades(), bar.notional(), bar.closed()};
  }
  std::vector<BarFacts> bar_list(Client& client, uint64_t request_id) {
    EXPECT_EQ(client.send(make_bars_request(request_id, symbol_, 60)), ClientStatus::ok);
    const Received received = client.receive_until(wire::Body::BarList);
    EXPECT_EQ(received.status, ClientStatus::ok);
    std::vector<BarFacts> out;
    if (received.status != ClientStatus::ok) return out;
    const wire::BarList& list = *received.message().body_as_BarList();
    EXPECT_EQ(list.request_id(), request_id);
    EXPECT_EQ(list.symbol()->str(), symbol_);
    EXPECT_FALSE(list.more());
    for (const wire::Bar* bar : *list.bars()) out.push_back(facts(*bar));
    return out;
  }
};

TEST_F(Bars, ASubscriberGetsTheBarWhenItsMinuteEndsAndARestartKeepsIt) {
  // The sequencer's clock 5 s into a minute, so that the trades below share it.
  const int64_t real_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const int64_t start = (real_ns / minute + 1) * minute;
  clock_ahead_ns_ = start + 5 * second - real_ns;
  fund_market();
  auto watcher = logon("lab-b");
  const std::vector<std::string> symbols = {symbol_};
  ASSERT_EQ(watcher->send(make_subscribe(symbols, false, false, true)), ClientStatus::ok);
  EXPECT_TRUE(bar_list(*watcher, 1).empty());  // also: the subscription is in place

  auto seller = logon("dc-a");
  auto buyer = logon("lab-a");
  trade(*seller, *buyer, 1, 1850, 2);
  trade(*seller, *buyer, 2, 1900, 1);
  trade(*seller, *buyer, 3, 1800, 3);
  const int64_t notional = (1850 * 2 + 1900 * 1 + 1800 * 3) * 8;  // 8 GPUs a lot, one hour
  const BarFacts running{start, 1850, 1900, 1800, 1800, 6, 3, notional, false};
  EXPECT_EQ(bar_list(*watcher, 2), std::vector{running});

  clock_ahead_ns_ += minute;  // the next idle tick ends the minute
  const Received received = watcher->receive_until(wire::Body::Bar);
  ASSERT_EQ(received.status, ClientStatus::ok);
  const wire::Bar& bar = *received.message().body_as_Bar();
  BarFacts closed = running;
  std::get<8>(closed) = true;
  EXPECT_EQ(facts(bar), closed);
  EXPECT_EQ(bar.symbol()->str(), symbol_);
  EXPECT_EQ(bar.product_id(), 0u);
  EXPECT_EQ(bar_list(*watcher, 3), std::vector{closed});

  watcher.reset();
  seller.reset();
  buyer.reset();
  restart();  // the bars come back from the ledger's trades
  auto again = logon("lab-b");
  EXPECT_EQ(bar_list(*again, 4), std::vector{closed});
}

TEST_F(Bars, ABadBarsRequestIsRefused) {
  auto client = logon("lab-a");
  ASSERT_EQ(client->send(make_bars_request(1, "H100SXM.CN-EAST-1.2020-01-01T00.1H", 10)),
            ClientStatus::ok);
  Received refused = client->receive_until(wire::Body::Reject);
  ASSERT_EQ(refused.status, ClientStatus::ok);
  EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::UnknownProduct);
  for (const uint32_t count : {0u, 501u}) {
    ASSERT_EQ(client->send(make_bars_request(2, symbol_, count)), ClientStatus::ok);
    refused = client->receive_until(wire::Body::Reject);
    ASSERT_EQ(refused.status, ClientStatus::ok);
    EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::InvalidField)
        << count;
  }
}

}  // namespace
}  // namespace ghx::gateway::test
