// The gateway's sessions over real TLS on loopback: ephemeral ports, 127.0.0.1 only, every
// wait bounded.
#include "gateway/wire_requests.h"
#include "tests/gateway/gateway_fixture.h"

namespace ghx::gateway::test {
namespace {

TEST_F(GatewayServer, LogonIsAcknowledgedWithTheCertificateParticipant) {
  start();
  auto alice = connected(test_pki().alice);
  const LogonResult result = alice->logon({.cancel_on_disconnect = false,
                                           .last_report_sequence = 17});
  ASSERT_EQ(result.status, ClientStatus::ok) << result.text;
  EXPECT_GT(result.session_id, 0u);
  EXPECT_EQ(alice->last_received_sequence(), 1u);  // LogonAck is the first server message
  const auto logons = handler_.logons();
  ASSERT_EQ(logons.size(), 2u);  // the witness, then alice
  EXPECT_EQ(logons[1].participant, "alice");
  EXPECT_FALSE(logons[1].cancel_on_disconnect);
  EXPECT_EQ(logons[1].last_report_sequence, std::optional<uint64_t>(17));
  EXPECT_FALSE(logons[0].last_report_sequence.has_value());  // absent: no resend asked
  EXPECT_EQ(counters().logons_accepted.load(), 2u);
}

TEST_F(GatewayServer, OrdersReachTheHandlerAndRepliesAreSequenced) {
  start();
  auto alice = logged_on(test_pki().alice);
  expect_order_round_trip(*alice, 1);
  EXPECT_EQ(alice->last_received_sequence(), 2u);
  expect_order_round_trip(*alice, 2);
  EXPECT_EQ(alice->last_received_sequence(), 3u);
  EXPECT_EQ(handler_.messages(), 2);
}

TEST_F(GatewayServer, SendFromAnotherThreadReachesTheSession) {
  start();
  auto alice = logged_on(test_pki().alice);
  const uint64_t session = handler_.logons().back().id.value;
  std::thread other([&] { server_->send(SessionId{session}, TestHandler::accepted(99)); });
  other.join();
  const Received report = alice->receive_until(wire::Body::ExecutionReport);
  ASSERT_EQ(report.status, ClientStatus::ok);
  EXPECT_EQ(report.message().body_as_ExecutionReport()->client_order_id(), 99u);
}

TEST_F(GatewayServer, HeartbeatTestRequestIsAnswered) {
  start();
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(make_heartbeat(4242)), ClientStatus::ok);
  const Received beat = alice->receive_until(wire::Body::Heartbeat);
  ASSERT_EQ(beat.status, ClientStatus::ok);
  EXPECT_EQ(beat.message().body_as_Heartbeat()->test_request_id(), 4242u);
}

TEST_F(GatewayServer, IdleSessionGetsHeartbeatsThenIsClosed) {
  start([](ServerConfig& config) {
    config.heartbeat_interval_ms = 50;
    config.idle_timeout_ms = 400;
  });
  auto alice = logged_on(test_pki().alice);
  EXPECT_EQ(alice->receive_until(wire::Body::Heartbeat).status, ClientStatus::ok);
  EXPECT_TRUE(closes(*alice));
  EXPECT_TRUE(eventually([&] { return counters().timeouts.load() >= 1; }));
  EXPECT_TRUE(eventually([&] { return !handler_.disconnects().empty(); }));
  EXPECT_GE(counters().heartbeats_sent.load(), 1u);
}

TEST_F(GatewayServer, ClientHeartbeatsKeepASessionAlive) {
  start([](ServerConfig& config) {
    config.heartbeat_interval_ms = 50;
    config.idle_timeout_ms = 400;
  });
  witness_.reset();  // the witness would time out: it does not heartbeat
  auto alice = logged_on(test_pki().alice);
  for (int i = 0; i < 20; ++i) {  // one second of 50 ms heartbeats
    ASSERT_EQ(alice->send(make_heartbeat()), ClientStatus::ok);
    (void)alice->receive(50);
  }
  ASSERT_TRUE(alice->is_open());
  expect_order_round_trip(*alice, 1);
}

TEST_F(GatewayServer, LogonRefusedByTheHandlerIsRejected) {
  handler_.refused.insert("alice");
  start();
  auto alice = connected(test_pki().alice);
  const LogonResult result = alice->logon();
  EXPECT_EQ(result.status, ClientStatus::rejected);
  EXPECT_EQ(result.text, "participant suspended");
  EXPECT_EQ(counters().logons_refused.load(), 1u);
  handler_.refused.clear();  // the network thread reads it only at logon
}

TEST_F(GatewayServer, SecondLogonIsRejectedButSessionContinues) {
  start();
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(make_logon({})), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::AlreadyLoggedOn);
  expect_order_round_trip(*alice, 1);
}

TEST_F(GatewayServer, LogoutEndsTheSessionAndTellsTheHandler) {
  start();
  auto alice = logged_on(test_pki().alice);
  alice->close();
  EXPECT_FALSE(alice->is_open());
  EXPECT_TRUE(eventually([&] { return handler_.disconnects().size() == 1; }));
  EXPECT_EQ(handler_.disconnects()[0].participant, "alice");
  expect_service_unharmed();
}

// One command can make more for a session than its queue limit, all in one hand-over (a mass
// cancel's thousands of book changes reach every book subscriber at once): a reader that keeps
// up gets all of it and is not closed as a slow consumer. Here 9,000 reports, more than the
// 8,192 frames that used to close it, and 720 KB, far past a 64 KiB outbound_bytes_max.
TEST_F(GatewayServer, AReaderKeepingUpGetsAHandOverLargerThanTheQueueLimit) {
  constexpr uint64_t reports = 9'000;
  handler_.reports_per_mass_cancel = reports;
  start([](ServerConfig& config) { config.outbound_bytes_max = 64 * 1024; });
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(make_mass_cancel("")), ClientStatus::ok);
  for (uint64_t id = 1; id <= reports; ++id) {
    const Received report = alice->receive_until(wire::Body::ExecutionReport);
    ASSERT_EQ(report.status, ClientStatus::ok) << "report " << id;
    ASSERT_EQ(report.message().body_as_ExecutionReport()->client_order_id(), id);
  }
  expect_order_round_trip(*alice, reports + 1);
  EXPECT_EQ(counters().send_queue_overflows.load(), 0u);
}

// Memory stays bounded however large a hand-over: past outbound_bytes_hard_max the session is
// closed at once, without waiting to see whether it reads.
TEST_F(GatewayServer, AHandOverPastTheHardQueueLimitClosesTheSessionAtOnce) {
  expect_a_large_hand_over_closes_at_once(
      [](ServerConfig& config) { config.outbound_bytes_hard_max = 256 * 1024; });
}

// All sessions' queues together are bounded too: past outbound_bytes_total_max a session over
// its own soft limit is closed at once, though under its hard limit and within its grace.
TEST_F(GatewayServer, PastTheServersTotalQueueLimitASessionOverItsOwnIsClosedAtOnce) {
  expect_a_large_hand_over_closes_at_once([](ServerConfig& config) {
    config.outbound_bytes_hard_max = 4 << 20;  // not reached
    config.outbound_bytes_total_max = 256 * 1024;
  });
}

// An orderly stop tells each logged-on session why before closing it, so that its client can
// tell a stop from a crash.
TEST_F(GatewayServer, StopSendsEachLoggedOnSessionALogoutSayingSo) {
  start();
  auto alice = logged_on(test_pki().alice);
  server_->stop();
  const Received logout = alice->receive_until(wire::Body::Logout);
  ASSERT_EQ(logout.status, ClientStatus::ok) << to_string(logout.status);
  EXPECT_EQ(logout.message().body_as_Logout()->text()->str(), "server stopping");
  EXPECT_TRUE(closes(*alice));
  EXPECT_EQ(handler_.disconnects().size(), 2u);
}

TEST_F(GatewayServer, StopDisconnectsEveryLoggedOnSession) {
  start();
  auto alice = logged_on(test_pki().alice);
  server_->stop();
  EXPECT_EQ(handler_.disconnects().size(), 2u);
  EXPECT_EQ(counters().sessions_active.load(), 0u);
  EXPECT_TRUE(closes(*alice));
}
}  // namespace
}  // namespace ghx::gateway::test
