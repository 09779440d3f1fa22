// Execution reports across disconnects and restarts: a session that logs on with the last
// report_sequence it saw gets every later report of its participant again, in order, then live
// ones, with no gap and no duplicate, even while reports are being produced. Real TLS, a real
// LMDB ledger, real restarts on the same data directory.

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

struct Seen {
  uint64_t sequence = 0;
  wire::ExecType exec_type = wire::ExecType::Accepted;
  uint64_t client_order_id = 0;
  uint64_t trade_id = 0;
  bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Seen& seen) {
  return out << "#" << seen.sequence << " " << wire::EnumNameExecType(seen.exec_type)
             << " client " << seen.client_order_id << " trade " << seen.trade_id;
}

class ReportResend : public Exchange {
 protected:
  // The next `count` execution reports of `client`.
  static std::vector<Seen> next_reports(Client& client, size_t count) {
    std::vector<Seen> seen;
    Received holder;
    while (seen.size() < count) {
      const wire::ExecutionReport* r = report(client, holder);
      if (r == nullptr) break;
      seen.push_back({r->report_sequence(), r->exec_type(), r->client_order_id(), r->trade_id()});
    }
    return seen;
  }

  // Nothing more arrives for a while (no report sent twice, none out of nowhere).
  static void expect_quiet(Client& client) {
    const Received more = client.receive_until(wire::Body::ExecutionReport, 300);
    EXPECT_EQ(more.status, ClientStatus::timeout);
  }

  // dc-a rests three asks (its reports 1-3), then lab-a, while dc-a is away, takes two of them:
  // dc-a's reports 4 and 5 are fills it has not seen. Returns lab-a's two trade ids.
  std::vector<uint64_t> asks_taken_while_away() {
    fund_market();
    {
      auto seller = logon_with("dc-a", {.cancel_on_disconnect = false});
      for (uint64_t id = 1; id <= 3; ++id) {
        EXPECT_EQ(seller->send(order(id, wire::Side::Sell, 1850 + 10 * int64_t(id), 1)),
                  ClientStatus::ok);
      }
      const std::vector<Seen> accepted = next_reports(*seller, 3);
      EXPECT_EQ(accepted, (std::vector<Seen>{{1, wire::ExecType::Accepted, 1, 0},
                                             {2, wire::ExecType::Accepted, 2, 0},
                                             {3, wire::ExecType::Accepted, 3, 0}}));
    }
    auto buyer = logon("lab-a");
    EXPECT_EQ(buyer->send(order(9, wire::Side::Buy, 1870, 2)), ClientStatus::ok);
    const std::vector<Seen> own = next_reports(*buyer, 3);  // accepted, two fills
    EXPECT_EQ(own.size(), 3u);
    std::vector<uint64_t> trades;
    for (const Seen& seen : own) {
      if (seen.trade_id != 0) trades.push_back(seen.trade_id);
    }
    EXPECT_EQ(trades.size(), 2u);
    return trades;
  }
};

TEST_F(ReportResend, ReportsMissedWhileDisconnectedComeFirstInOrderThenLiveOnes) {
  const std::vector<uint64_t> trades = asks_taken_while_away();
  ASSERT_EQ(trades.size(), 2u);
  auto seller = logon_with("dc-a", {.cancel_on_disconnect = false, .last_report_sequence = 3});
  auto drop_copy = logon("dc-a");  // no resend asked: live reports only
  EXPECT_EQ(next_reports(*seller, 2),
            (std::vector<Seen>{{4, wire::ExecType::Filled, 1, trades[0]},
                               {5, wire::ExecType::Filled, 2, trades[1]}}));
  ASSERT_EQ(seller->send(order(4, wire::Side::Sell, 1900, 1)), ClientStatus::ok);
  const Seen live{6, wire::ExecType::Accepted, 4, 0};
  EXPECT_EQ(next_reports(*seller, 1), std::vector<Seen>{live});
  EXPECT_EQ(next_reports(*drop_copy, 1), std::vector<Seen>{live});
  expect_quiet(*seller);
  EXPECT_EQ(service_->counters().reports_resent.load(), 2u);
}

TEST_F(ReportResend, ReportsAreResentAfterARestartAndNumberingGoesOn) {
  const std::vector<uint64_t> trades = asks_taken_while_away();
  ASSERT_EQ(trades.size(), 2u);
  restart();
  auto seller = logon_with("dc-a", {.cancel_on_disconnect = false, .last_report_sequence = 1});
  EXPECT_EQ(next_reports(*seller, 4),
            (std::vector<Seen>{{2, wire::ExecType::Accepted, 2, 0},
                               {3, wire::ExecType::Accepted, 3, 0},
                               {4, wire::ExecType::Filled, 1, trades[0]},
                               {5, wire::ExecType::Filled, 2, trades[1]}}));
  ASSERT_EQ(seller->send(order(4, wire::Side::Sell, 1900, 1)), ClientStatus::ok);
  EXPECT_EQ(next_reports(*seller, 1),
            (std::vector<Seen>{{6, wire::ExecType::Accepted, 4, 0}}));
  expect_quiet(*seller);
}

TEST_F(ReportResend, ResentReportsCarryWhatTheLiveOnesCarried) {
  fund_market();
  auto buyer = logon("lab-a");
  ASSERT_EQ(buyer->send(order(1, wire::Side::Buy, 1800, 2)), ClientStatus::ok);
  Received live_holder;
  const wire::ExecutionReport* live = report(*buyer, live_holder);
  ASSERT_NE(live, nullptr);
  auto again = logon_with("lab-a", {.last_report_sequence = 0});
  Received resent_holder;
  const wire::ExecutionReport* resent = report(*again, resent_holder);
  ASSERT_NE(resent, nullptr);
  // Every field but the session's own message sequence and sending time.
  EXPECT_EQ(resent->report_sequence(), live->report_sequence());
  EXPECT_EQ(resent->exec_type(), live->exec_type());
  EXPECT_EQ(resent->order_id(), live->order_id());
  EXPECT_EQ(resent->client_order_id(), live->client_order_id());
  EXPECT_EQ(resent->symbol()->str(), live->symbol()->str());
  EXPECT_EQ(resent->product_id(), live->product_id());
  EXPECT_EQ(resent->side(), live->side());
  EXPECT_EQ(resent->order_type(), live->order_type());
  EXPECT_EQ(resent->time_in_force(), live->time_in_force());
  EXPECT_EQ(resent->price(), live->price());
  EXPECT_EQ(resent->quantity(), live->quantity());
  EXPECT_EQ(resent->remaining(), live->remaining());
  EXPECT_EQ(resent->order_status(), live->order_status());
  EXPECT_EQ(resent->engine_sequence(), live->engine_sequence());
  EXPECT_EQ(resent->transact_time_ns(), live->transact_time_ns());
}

TEST_F(ReportResend, ResendWhileReportsFlowHasNoGapAndNoDuplicate) {
  fund_market();
  constexpr uint64_t orders = 1200;
  constexpr uint64_t burst = 20;
  std::atomic<uint64_t> sent{0};
  std::thread trader([&] {
    auto buyer = logon("lab-a");
    for (uint64_t id = 1; id <= orders; id += burst) {
      for (uint64_t i = id; i < id + burst; ++i) {
        if (buyer->send(order(i, wire::Side::Buy, 1000 + int64_t(i % 50), 1)) !=
            ClientStatus::ok) {
          return;
        }
      }
      if (next_reports(*buyer, burst).size() != burst) return;
      sent = id + burst - 1;
    }
  });
  ASSERT_TRUE(eventually([&] { return sent.load() >= orders / 4; }));
  auto late = logon_with("lab-a", {.last_report_sequence = 0});
  const std::vector<Seen> seen = next_reports(*late, orders);
  trader.join();
  ASSERT_EQ(seen.size(), orders);
  for (uint64_t i = 0; i < orders; ++i) {
    ASSERT_EQ(seen[i].sequence, i + 1) << "at " << i;
    ASSERT_EQ(seen[i].client_order_id, i + 1) << "at " << i;
  }
  expect_quiet(*late);
  EXPECT_GT(service_->counters().reports_resent.load(), 0u);
}

// A backlog of about 8 MB, more than the socket buffers hold (about 4 MB here) plus a
// session's queue (4 MiB, past which for 5 s a slow consumer is cut off), for a client that
// does not read at first: the resend goes at the pace the client reads, and the session stays.
TEST_F(ReportResend, ABacklogLargerThanTheSessionQueueIsResentAtTheClientsPace) {
  // A fast machine sends the 30,000 orders in under half a second, beyond the default limit of
  // 50,000 a second after a burst of 5,000; the limit is not what this test is about.
  server_config_.rate_messages_per_second = 1'000'000;
  server_config_.rate_burst_messages = 100'000;
  restart();
  fund_market();
  constexpr uint64_t orders = 30'000;
  constexpr uint64_t burst = 1'000;
  {
    auto buyer = logon("lab-a");
    for (uint64_t id = 1; id <= orders; id += burst) {
      for (uint64_t i = id; i < id + burst; ++i) {
        ASSERT_EQ(buyer->send(order(i, wire::Side::Buy, 1000 + int64_t(i % 50), 1)),
                  ClientStatus::ok);
      }
      ASSERT_EQ(next_reports(*buyer, burst).size(), burst);
    }
  }
  auto late = logon_with("lab-a", {.last_report_sequence = 0});
  std::this_thread::sleep_for(1s);  // a client busy elsewhere: nothing read for a while
  const std::vector<Seen> seen = next_reports(*late, orders);
  ASSERT_EQ(seen.size(), orders);
  for (uint64_t i = 0; i < orders; ++i) ASSERT_EQ(seen[i].sequence, i + 1) << "at " << i;
  expect_quiet(*late);
  EXPECT_TRUE(late->is_open());
  EXPECT_EQ(service_->counters().reports_resent.load(), orders);
  ASSERT_EQ(late->send(order(orders + 1, wire::Side::Buy, 1000, 1)), ClientStatus::ok);
  EXPECT_EQ(next_reports(*late, 1),
            (std::vector<Seen>{{orders + 1, wire::ExecType::Accepted, orders + 1, 0}}));
}

TEST_F(ReportResend, OnlyTheNewestReportsAreKept) {
  service_config_.reports_kept_per_participant = 5;
  restart();
  fund_market();
  auto buyer = logon("lab-a");
  for (uint64_t id = 1; id <= 8; ++id) {
    ASSERT_EQ(buyer->send(order(id, wire::Side::Buy, 1800, 1)), ClientStatus::ok);
    ASSERT_EQ(next_reports(*buyer, 1).size(), 1u);
  }
  auto again = logon_with("lab-a", {.last_report_sequence = 0});
  // At least the newest 5 are kept, dropped in whole chunks (here one report each).
  std::vector<Seen> seen;
  Received holder;
  while (const wire::ExecutionReport* r = report(*again, holder)) {
    seen.push_back({r->report_sequence(), r->exec_type(), r->client_order_id(), 0});
    if (r->report_sequence() == 8) break;
  }
  ASSERT_GE(seen.size(), 5u);
  EXPECT_GT(seen.front().sequence, 1u);  // the oldest are gone
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i].sequence, seen[i - 1].sequence + 1);
  EXPECT_EQ(seen.back().sequence, 8u);
  expect_quiet(*again);
}

TEST_F(ReportResend, ALastSequenceBeyondTheNewestResendsNothing) {
  fund_market();
  auto buyer = logon("lab-a");
  ASSERT_EQ(buyer->send(order(1, wire::Side::Buy, 1800, 1)), ClientStatus::ok);
  ASSERT_EQ(next_reports(*buyer, 1).size(), 1u);
  auto ahead = logon_with("lab-a", {.last_report_sequence = 1'000});
  expect_quiet(*ahead);
  ASSERT_EQ(buyer->send(order(2, wire::Side::Buy, 1800, 1)), ClientStatus::ok);
  // Live reports reach it all the same: the resend only decides what comes before them.
  EXPECT_EQ(next_reports(*ahead, 1),
            (std::vector<Seen>{{2, wire::ExecType::Accepted, 2, 0}}));
}

}  // namespace
}  // namespace ghx::gateway::test
