// The gateway over real TLS on loopback: ephemeral ports, 127.0.0.1 only, every wait bounded.
#include "gateway/server.h"

#include <gtest/gtest.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "gateway/client.h"
#include "gateway/log.h"
#include "gateway/wire_build.h"
#include "tests/gateway/test_pki.h"

namespace ghx::gateway {
namespace {

using namespace std::chrono_literals;
using wire::ErrorCode;

constexpr uint32_t wait_ms_max = 5'000;

// Records what the server hands over and answers each NewOrder with an Accepted report.
class TestHandler : public MessageHandler {
 public:
  Server* server = nullptr;
  std::set<std::string> refused;

  LogonDecision on_logon(const SessionInfo& session) override {
    std::lock_guard lock(mutex_);
    if (refused.contains(session.participant)) return {false, "participant suspended"};
    logons_.push_back(session);
    return {};
  }

  void on_message(const SessionInfo& session, const wire::Message& message,
                  std::span<const uint8_t>) override {
    std::lock_guard lock(mutex_);
    ++messages_;
    if (const auto* order = message.body_as_NewOrder()) {
      server->send(session.id, accepted(order->client_order_id()));
    }
  }

  void on_disconnect(const SessionInfo& session) override {
    std::lock_guard lock(mutex_);
    disconnects_.push_back(session);
  }

  static Frame accepted(uint64_t client_order_id) {
    flatbuffers::FlatBufferBuilder builder;
    wire::ExecutionReportBuilder report(builder);
    report.add_exec_type(wire::ExecType::Accepted);
    report.add_client_order_id(client_order_id);
    return finish_frame(builder, wire::Body::ExecutionReport, report.Finish().Union());
  }

  std::vector<SessionInfo> logons() {
    std::lock_guard lock(mutex_);
    return logons_;
  }
  std::vector<SessionInfo> disconnects() {
    std::lock_guard lock(mutex_);
    return disconnects_;
  }
  int messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  std::mutex mutex_;
  std::vector<SessionInfo> logons_;
  std::vector<SessionInfo> disconnects_;
  int messages_ = 0;
};

// Polls `condition` until it holds or wait_ms_max passes.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_max);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

Frame order(uint64_t client_order_id, int64_t quantity = 1) {
  return make_new_order({.client_order_id = client_order_id,
                         .symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H",
                         .price = 1850,
                         .quantity = quantity});
}

class GatewayServer : public ::testing::Test {
 protected:
  void SetUp() override { set_log_level(LogLevel::error); }
  void TearDown() override {
    if (server_) server_->stop();
    set_log_level(LogLevel::info);
  }

  void start(const std::function<void(ServerConfig&)>& tweak = {}) {
    ServerConfig config;
    config.tls = test::test_pki().server_tls();
    if (tweak) tweak(config);
    server_ = std::make_unique<Server>(config, handler_);
    handler_.server = server_.get();
    port_ = server_->start();
    // A session that is up before every bad input and must still work after it.
    witness_ = logged_on(test::test_pki().bob);
  }

  ClientConfig client_config(const TlsFiles& tls) const {
    return {.port = port_, .tls = tls, .timeout_ms = wait_ms_max};
  }

  std::unique_ptr<Client> connected(const CertFiles& who) {
    auto client = std::make_unique<Client>(client_config(test::test_pki().client_tls(who)));
    EXPECT_EQ(client->connect(), ClientStatus::ok) << client->last_error();
    return client;
  }

  std::unique_ptr<Client> logged_on(const CertFiles& who) {
    auto client = connected(who);
    const LogonResult result = client->logon();
    EXPECT_EQ(result.status, ClientStatus::ok) << result.text;
    return client;
  }

  // An order round trip on `client`.
  static void expect_order_round_trip(Client& client, uint64_t client_order_id) {
    ASSERT_EQ(client.send(order(client_order_id)), ClientStatus::ok);
    const Received report = client.receive_until(wire::Body::ExecutionReport);
    ASSERT_EQ(report.status, ClientStatus::ok) << to_string(report.status);
    EXPECT_EQ(report.message().body_as_ExecutionReport()->client_order_id(), client_order_id);
  }

  // The witness session and a brand-new session both still work.
  void expect_service_unharmed() {
    expect_order_round_trip(*witness_, ++witness_orders_);
    auto fresh = logged_on(test::test_pki().alice);
    expect_order_round_trip(*fresh, 1);
  }

  // Reads until a Reject arrives (returns its code) or the connection ends.
  static std::optional<ErrorCode> reject_code(Client& client) {
    const Received received = client.receive_until(wire::Body::Reject);
    if (received.status != ClientStatus::ok) return std::nullopt;
    return received.message().body_as_Reject()->code();
  }

  static bool closes(Client& client) {
    for (int i = 0; i < 100; ++i) {  // bounded: each receive waits at most wait_ms_max
      const Received received = client.receive();
      if (received.status == ClientStatus::closed || received.status == ClientStatus::failed) {
        return true;
      }
      if (received.status == ClientStatus::timeout) return false;
    }
    return false;
  }

  const GatewayCounters& counters() const { return server_->counters(); }

  TestHandler handler_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::unique_ptr<Client> witness_;
  uint64_t witness_orders_ = 0;
};

TEST_F(GatewayServer, LogonIsAcknowledgedWithTheCertificateParticipant) {
  start();
  auto alice = connected(test::test_pki().alice);
  const LogonResult result = alice->logon({.cancel_on_disconnect = false,
                                           .last_seen_sequence = 17});
  ASSERT_EQ(result.status, ClientStatus::ok) << result.text;
  EXPECT_GT(result.session_id, 0u);
  EXPECT_EQ(alice->last_received_sequence(), 1u);  // LogonAck is the first server message
  const auto logons = handler_.logons();
  ASSERT_EQ(logons.size(), 2u);  // the witness, then alice
  EXPECT_EQ(logons[1].participant, "alice");
  EXPECT_FALSE(logons[1].cancel_on_disconnect);
  EXPECT_EQ(logons[1].last_seen_sequence, 17u);
  EXPECT_EQ(counters().logons_accepted.load(), 2u);
}

TEST_F(GatewayServer, OrdersReachTheHandlerAndRepliesAreSequenced) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  expect_order_round_trip(*alice, 1);
  EXPECT_EQ(alice->last_received_sequence(), 2u);
  expect_order_round_trip(*alice, 2);
  EXPECT_EQ(alice->last_received_sequence(), 3u);
  EXPECT_EQ(handler_.messages(), 2);
}

TEST_F(GatewayServer, SendFromAnotherThreadReachesTheSession) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  const uint64_t session = handler_.logons().back().id.value;
  std::thread other([&] { server_->send(SessionId{session}, TestHandler::accepted(99)); });
  other.join();
  const Received report = alice->receive_until(wire::Body::ExecutionReport);
  ASSERT_EQ(report.status, ClientStatus::ok);
  EXPECT_EQ(report.message().body_as_ExecutionReport()->client_order_id(), 99u);
}

TEST_F(GatewayServer, HeartbeatTestRequestIsAnswered) {
  start();
  auto alice = logged_on(test::test_pki().alice);
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
  auto alice = logged_on(test::test_pki().alice);
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
  auto alice = logged_on(test::test_pki().alice);
  for (int i = 0; i < 20; ++i) {  // one second of 50 ms heartbeats
    ASSERT_EQ(alice->send(make_heartbeat()), ClientStatus::ok);
    (void)alice->receive(50);
  }
  ASSERT_TRUE(alice->is_open());
  expect_order_round_trip(*alice, 1);
}

TEST_F(GatewayServer, MessageBeforeLogonIsRejectedAndClosed) {
  start();
  auto alice = connected(test::test_pki().alice);
  ASSERT_EQ(alice->send(order(1)), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::NotLoggedOn);
  EXPECT_TRUE(closes(*alice));
  EXPECT_EQ(counters().messages_before_logon.load(), 1u);
  EXPECT_EQ(handler_.messages(), 0);
  expect_service_unharmed();
}

TEST_F(GatewayServer, LogonNamingAnotherParticipantIsRefused) {
  start();
  auto alice = connected(test::test_pki().alice);
  const LogonResult result = alice->logon({.participant = "bob"});
  EXPECT_EQ(result.status, ClientStatus::rejected);
  EXPECT_EQ(result.reject_code, ErrorCode::LogonRefused);
  EXPECT_TRUE(closes(*alice));
  expect_service_unharmed();
}

TEST_F(GatewayServer, LogonRefusedByTheHandlerIsRejected) {
  handler_.refused.insert("alice");
  start();
  auto alice = connected(test::test_pki().alice);
  const LogonResult result = alice->logon();
  EXPECT_EQ(result.status, ClientStatus::rejected);
  EXPECT_EQ(result.text, "participant suspended");
  EXPECT_EQ(counters().logons_refused.load(), 1u);
  handler_.refused.clear();  // the network thread reads it only at logon
}

TEST_F(GatewayServer, SecondLogonIsRejectedButSessionContinues) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  ASSERT_EQ(alice->send(make_logon({})), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::AlreadyLoggedOn);
  expect_order_round_trip(*alice, 1);
}

TEST_F(GatewayServer, OversizedLengthPrefixIsRejectedAndClosed) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  const uint8_t prefix[] = {0x00, 0x00, 0x10, 0x00};  // 1 MiB
  ASSERT_EQ(alice->send_raw(prefix), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::FrameTooLarge);
  EXPECT_TRUE(closes(*alice));
  EXPECT_EQ(counters().frames_too_large.load(), 1u);
  expect_service_unharmed();
}

TEST_F(GatewayServer, RandomBytesCloseTheSession) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  std::mt19937 random(2024);
  std::vector<uint8_t> garbage(256);
  for (auto& b : garbage) b = static_cast<uint8_t>(random());
  garbage[0] = static_cast<uint8_t>(garbage.size() - frame_prefix_bytes);  // an honest length,
  garbage[1] = garbage[2] = garbage[3] = 0;  // so the random body is read and verified
  ASSERT_EQ(alice->send_raw(garbage), ClientStatus::ok);
  const auto code = reject_code(*alice);
  ASSERT_TRUE(code.has_value());
  EXPECT_TRUE(*code == ErrorCode::MalformedFrame || *code == ErrorCode::VerificationFailed ||
              *code == ErrorCode::FrameTooLarge);
  EXPECT_TRUE(closes(*alice));
  expect_service_unharmed();
}

TEST_F(GatewayServer, TruncatedFrameIsClosedAtTheFrameDeadline) {
  start([](ServerConfig& config) { config.frame_timeout_ms = 200; });
  auto alice = logged_on(test::test_pki().alice);
  const Frame frame = order(5);
  ASSERT_EQ(alice->send_raw(std::span(frame).first(frame.size() - 3)), ClientStatus::ok);
  EXPECT_TRUE(closes(*alice));
  EXPECT_GE(counters().timeouts.load(), 1u);
  EXPECT_EQ(handler_.messages(), 0);
  expect_service_unharmed();
}

TEST_F(GatewayServer, FrameFailingVerificationIsRejectedAndClosed) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  Frame frame = order(5);
  frame[frame_prefix_bytes] = 0xF0;  // root offset points outside the buffer
  frame[frame_prefix_bytes + 1] = 0xFF;
  ASSERT_EQ(alice->send_raw(frame), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::VerificationFailed);
  EXPECT_TRUE(closes(*alice));
  EXPECT_EQ(counters().frames_verification_failed.load(), 1u);
  EXPECT_EQ(handler_.messages(), 0);
  expect_service_unharmed();
}

TEST_F(GatewayServer, WrongFileIdentifierIsRejectedAndClosed) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  Frame frame = order(5);
  frame[frame_prefix_bytes + 4] = 'Z';
  ASSERT_EQ(alice->send_raw(frame), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::MalformedFrame);
  EXPECT_TRUE(closes(*alice));
  expect_service_unharmed();
}

TEST_F(GatewayServer, InvalidFieldIsRejectedAndSessionContinues) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  ASSERT_EQ(alice->send(order(1, 0)), ClientStatus::ok);  // quantity 0
  const Received reject = alice->receive_until(wire::Body::Reject);
  ASSERT_EQ(reject.status, ClientStatus::ok);
  EXPECT_EQ(reject.message().body_as_Reject()->code(), ErrorCode::InvalidField);
  EXPECT_EQ(reject.message().body_as_Reject()->ref_sequence(), alice->last_sent_sequence());
  expect_order_round_trip(*alice, 2);
  EXPECT_EQ(counters().messages_invalid.load(), 1u);
}

// A client without a certificate, or with one from another CA, never gets a session. Under
// TLS 1.3 the client may finish its handshake before the server refuses the certificate, so
// the refusal shows up either at connect or at the first read.
void expect_refused(Client& client) {
  if (client.connect() != ClientStatus::ok) return;
  const LogonResult result = client.logon();
  EXPECT_NE(result.status, ClientStatus::ok);
}

TEST_F(GatewayServer, ClientWithoutCertificateIsRefused) {
  start();
  Client anonymous(client_config(test::test_pki().client_tls_without_certificate()));
  expect_refused(anonymous);
  EXPECT_TRUE(eventually([&] { return counters().handshakes_failed.load() >= 1; }));
  EXPECT_EQ(handler_.logons().size(), 1u);  // the witness only
  expect_service_unharmed();
}

TEST_F(GatewayServer, CertificateFromAnotherCaIsRefused) {
  start();
  const auto& pki = test::test_pki();
  TlsFiles tls = pki.client_tls(pki.mallory);
  Client mallory(client_config(tls));
  expect_refused(mallory);
  EXPECT_TRUE(eventually([&] { return counters().handshakes_failed.load() >= 1; }));
  EXPECT_EQ(handler_.logons().size(), 1u);
  expect_service_unharmed();
}

// A raw Asio TLS client capped at TLS 1.2 (the gateway's own client cannot do that).
bool tls12_handshake_succeeds(uint16_t port) {
  const auto& pki = test::test_pki();
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.load_verify_file(pki.ca.cert.string());
  context.use_certificate_chain_file(pki.alice.cert.string());
  context.use_private_key_file(pki.alice.key.string(), asio::ssl::context::pem);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, context);
  std::error_code ec;
  stream.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return false;
  stream.handshake(asio::ssl::stream_base::client, ec);  // the server answers with an alert
  return !ec;
}

TEST_F(GatewayServer, Tls12IsRefused) {
  start();
  EXPECT_FALSE(tls12_handshake_succeeds(port_));
  EXPECT_TRUE(eventually([&] { return counters().handshakes_failed.load() >= 1; }));
  expect_service_unharmed();
}

// Connects over plain TCP, writes `bytes`, and reports whether the server closed the
// connection within its handshake timeout.
bool plain_tcp_is_closed(uint16_t port, const std::vector<uint8_t>& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  std::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return true;
  if (!bytes.empty()) asio::write(socket, asio::buffer(bytes), ec);
  uint8_t sink[512];
  for (int i = 0; i < 64 && !ec; ++i) socket.read_some(asio::buffer(sink), ec);  // bounded
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

TEST_F(GatewayServer, PlainTcpGarbageFailsTheHandshake) {
  start();
  std::mt19937 random(99);
  std::vector<uint8_t> garbage(300);
  for (auto& b : garbage) b = static_cast<uint8_t>(random());
  EXPECT_TRUE(plain_tcp_is_closed(port_, garbage));
  EXPECT_TRUE(eventually([&] { return counters().handshakes_failed.load() >= 1; }));
  expect_service_unharmed();
}

TEST_F(GatewayServer, SilentConnectionIsClosedAtTheHandshakeDeadline) {
  start([](ServerConfig& config) { config.handshake_timeout_ms = 200; });
  EXPECT_TRUE(plain_tcp_is_closed(port_, {}));
  EXPECT_GE(counters().timeouts.load(), 1u);
  expect_service_unharmed();
}

TEST_F(GatewayServer, SilentSessionIsClosedAtTheLogonDeadline) {
  start([](ServerConfig& config) { config.logon_timeout_ms = 200; });
  auto alice = connected(test::test_pki().alice);
  EXPECT_TRUE(closes(*alice));
  EXPECT_GE(counters().timeouts.load(), 1u);
  expect_service_unharmed();
}

TEST_F(GatewayServer, RateLimitRejectsTheExcessAndKeepsTheSession) {
  start([](ServerConfig& config) {
    config.rate_messages_per_second = 5;
    config.rate_burst_messages = 3;
  });
  auto alice = logged_on(test::test_pki().alice);
  constexpr int sent = 10;
  for (int i = 1; i <= sent; ++i) ASSERT_EQ(alice->send(order(i)), ClientStatus::ok);
  int reports = 0;
  int limited = 0;
  while (reports + limited < sent) {  // bounded: each receive ends in a frame or an error
    const Received received = alice->receive();
    ASSERT_EQ(received.status, ClientStatus::ok);
    const wire::Message& message = received.message();
    if (message.body_type() == wire::Body::ExecutionReport) ++reports;
    if (const auto* reject = message.body_as_Reject()) {
      EXPECT_EQ(reject->code(), ErrorCode::RateLimited);
      ++limited;
    }
  }
  EXPECT_GE(reports, 3);
  EXPECT_GE(limited, 1);
  EXPECT_EQ(counters().rate_limited.load(), static_cast<uint64_t>(limited));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // 5 tokens come back
  expect_order_round_trip(*alice, 100);
}

TEST_F(GatewayServer, ConnectionsBeyondTheCapAreClosed) {
  start([](ServerConfig& config) { config.connections_max = 2; });
  auto alice = logged_on(test::test_pki().alice);  // with the witness: 2 sessions
  Client third(client_config(test::test_pki().client_tls(test::test_pki().alice)));
  expect_refused(third);
  EXPECT_GE(counters().connections_refused_cap.load(), 1u);
  expect_order_round_trip(*alice, 1);
  expect_order_round_trip(*witness_, 1);
  alice->close();
  EXPECT_TRUE(eventually([&] { return counters().sessions_active.load() == 1; }));
  auto again = logged_on(test::test_pki().alice);  // a freed slot is usable again
  expect_order_round_trip(*again, 2);
}

TEST_F(GatewayServer, LogoutEndsTheSessionAndTellsTheHandler) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  alice->close();
  EXPECT_FALSE(alice->is_open());
  EXPECT_TRUE(eventually([&] { return handler_.disconnects().size() == 1; }));
  EXPECT_EQ(handler_.disconnects()[0].participant, "alice");
  expect_service_unharmed();
}

TEST_F(GatewayServer, StopDisconnectsEveryLoggedOnSession) {
  start();
  auto alice = logged_on(test::test_pki().alice);
  server_->stop();
  EXPECT_EQ(handler_.disconnects().size(), 2u);
  EXPECT_EQ(counters().sessions_active.load(), 0u);
  EXPECT_TRUE(closes(*alice));
}

}  // namespace
}  // namespace ghx::gateway
