// Bad input over real TLS on loopback: each case gets a clear reject or a closed connection,
// is counted, and leaves other sessions working.
#include "gateway/wire_requests.h"
#include "tests/gateway/gateway_fixture.h"

namespace ghx::gateway::test {
namespace {

TEST_F(GatewayServer, MessageBeforeLogonIsRejectedAndClosed) {
  start();
  auto alice = connected(test_pki().alice);
  ASSERT_EQ(alice->send(order(1)), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::NotLoggedOn);
  EXPECT_TRUE(closes(*alice));
  EXPECT_EQ(counters().messages_before_logon.load(), 1u);
  EXPECT_EQ(handler_.messages(), 0);
  expect_service_unharmed();
}

TEST_F(GatewayServer, LogonNamingAnotherParticipantIsRefused) {
  start();
  auto alice = connected(test_pki().alice);
  const LogonResult result = alice->logon({.participant = "bob"});
  EXPECT_EQ(result.status, ClientStatus::rejected);
  EXPECT_EQ(result.reject_code, ErrorCode::LogonRefused);
  EXPECT_TRUE(closes(*alice));
  expect_service_unharmed();
}

TEST_F(GatewayServer, OversizedLengthPrefixIsRejectedAndClosed) {
  start();
  auto alice = logged_on(test_pki().alice);
  const uint8_t prefix[] = {0x00, 0x00, 0x10, 0x00};  // 1 MiB
  ASSERT_EQ(alice->send_raw(prefix), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::FrameTooLarge);
  EXPECT_TRUE(closes(*alice));
  EXPECT_EQ(counters().frames_too_large.load(), 1u);
  expect_service_unharmed();
}

TEST_F(GatewayServer, RandomBytesCloseTheSession) {
  start();
  auto alice = logged_on(test_pki().alice);
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
  auto alice = logged_on(test_pki().alice);
  const Frame frame = order(5);
  ASSERT_EQ(alice->send_raw(std::span(frame).first(frame.size() - 3)), ClientStatus::ok);
  EXPECT_TRUE(closes(*alice));
  EXPECT_GE(counters().timeouts.load(), 1u);
  EXPECT_EQ(handler_.messages(), 0);
  expect_service_unharmed();
}

TEST_F(GatewayServer, FrameFailingVerificationIsRejectedAndClosed) {
  start();
  auto alice = logged_on(test_pki().alice);
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
  auto alice = logged_on(test_pki().alice);
  Frame frame = order(5);
  frame[frame_prefix_bytes + 4] = 'Z';
  ASSERT_EQ(alice->send_raw(frame), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::MalformedFrame);
  EXPECT_TRUE(closes(*alice));
  expect_service_unharmed();
}

TEST_F(GatewayServer, InvalidFieldIsRejectedAndSessionContinues) {
  start();
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(order(1, 0)), ClientStatus::ok);  // quantity 0
  const Received reject = alice->receive_until(wire::Body::Reject);
  ASSERT_EQ(reject.status, ClientStatus::ok);
  EXPECT_EQ(reject.message().body_as_Reject()->code(), ErrorCode::InvalidField);
  EXPECT_EQ(reject.message().body_as_Reject()->ref_sequence(), alice->last_sent_sequence());
  expect_order_round_trip(*alice, 2);
  EXPECT_EQ(counters().messages_invalid.load(), 1u);
}

// Post-only with a minimum quantity could never trade its minimum (it never trades on entry).
TEST_F(GatewayServer, PostOnlyWithAMinimumQuantityIsRejected) {
  start();
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(make_new_order({.client_order_id = 1,
                                        .symbol = "H100SXM.CN-EAST-1.2026-12-01T08.1H",
                                        .post_only = true,
                                        .price = 1850,
                                        .quantity = 4,
                                        .min_quantity = 2})),
            ClientStatus::ok);
  const Received reject = alice->receive_until(wire::Body::Reject);
  ASSERT_EQ(reject.status, ClientStatus::ok);
  EXPECT_EQ(reject.message().body_as_Reject()->code(), ErrorCode::InvalidField);
  EXPECT_NE(reject.message().body_as_Reject()->text()->str().find("min_quantity"),
            std::string::npos);
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
  Client anonymous(client_config(test_pki().client_tls_without_certificate()));
  expect_refused(anonymous);
  EXPECT_TRUE(eventually([&] { return counters().handshakes_failed.load() >= 1; }));
  EXPECT_EQ(handler_.logons().size(), 1u);  // the witness only
  expect_service_unharmed();
}

TEST_F(GatewayServer, CertificateFromAnotherCaIsRefused) {
  start();
  const auto& pki = test_pki();
  TlsFiles tls = pki.client_tls(pki.mallory);
  Client mallory(client_config(tls));
  expect_refused(mallory);
  EXPECT_TRUE(eventually([&] { return counters().handshakes_failed.load() >= 1; }));
  EXPECT_EQ(handler_.logons().size(), 1u);
  expect_service_unharmed();
}

// A raw Asio TLS client capped at TLS 1.2 (the gateway's own client cannot do that).
bool tls12_handshake_succeeds(uint16_t port) {
  const auto& pki = test_pki();
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
  // Each read waits 10 s at most: a server that never closes fails the test, not hangs it.
  const timeval read_timeout{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &read_timeout, sizeof read_timeout);
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

// Connections that never log on (here plain TCP that says nothing) take at most
// connections_not_logged_on_max slots: beyond it the server closes a new connection at once,
// logged-on sessions go on, and a participant logs on again once those connections are gone.
TEST_F(GatewayServer, ConnectionsNotLoggedOnBeyondTheirCapAreClosedAtAccept) {
  start([](ServerConfig& config) {
    config.connections_not_logged_on_max = 2;
    config.handshake_timeout_ms = 2'000;
  });
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> silent;
  for (int i = 0; i < 2; ++i) {
    std::error_code ec;
    silent.emplace_back(io).connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  ASSERT_TRUE(eventually([&] { return counters().sessions_not_logged_on.load() == 2; }));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(plain_tcp_is_closed(port_, {}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1'500))
      << "closed at accept, not at the handshake deadline";
  EXPECT_EQ(counters().connections_refused_unauthenticated.load(), 1u);
  expect_order_round_trip(*witness_, ++witness_orders_);

  silent.clear();  // their handshakes fail at once
  ASSERT_TRUE(eventually([&] { return counters().sessions_not_logged_on.load() == 0; }));
  expect_service_unharmed();
}

// A plain TCP connection to the gateway from `source`, another address of this host: all of
// 127/8 is loopback, so a client bound to 127.0.0.2 is a second host to the gateway.
asio::ip::tcp::socket connected_from(const char* source, uint16_t port, asio::io_context& io) {
  asio::ip::tcp::socket socket(io);
  std::error_code ec;
  socket.open(asio::ip::tcp::v4(), ec);
  if (!ec) socket.bind({asio::ip::make_address(source), 0}, ec);
  if (!ec) socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  EXPECT_FALSE(ec) << ec.message();
  return socket;
}

// One host opening connections that never log on holds at most
// connections_not_logged_on_per_address_max of the not-logged-on slots: the rest are closed at
// accept, so participants on other addresses still log on; its slots come back as its
// connections end.
TEST_F(GatewayServer, OneAddressHoldsAtMostItsShareOfTheConnectionsNotLoggedOn) {
  start([](ServerConfig& config) {
    config.connections_not_logged_on_max = 4;
    config.connections_not_logged_on_per_address_max = 2;
    config.handshake_timeout_ms = 60'000;  // the flood's connections would outlast the test
  });
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> flood;
  for (int i = 0; i < 10; ++i) flood.push_back(connected_from("127.0.0.2", port_, io));
  ASSERT_TRUE(
      eventually([&] { return counters().connections_refused_unauthenticated.load() == 8; }));
  EXPECT_EQ(counters().sessions_not_logged_on.load(), 2u);
  expect_service_unharmed();  // alice logs on from 127.0.0.1

  flood.clear();  // their handshakes fail at once
  ASSERT_TRUE(eventually([&] { return counters().sessions_not_logged_on.load() == 0; }));
  for (int i = 0; i < 2; ++i) flood.push_back(connected_from("127.0.0.2", port_, io));
  EXPECT_TRUE(eventually([&] { return counters().sessions_not_logged_on.load() == 2; }));
  EXPECT_EQ(counters().connections_refused_unauthenticated.load(), 8u);
}

// A flood of refused connections must not flood the log: the first refusal is logged, then at
// most a line a second, each saying how many were refused since the line before.
TEST_F(GatewayServer, RefusedConnectionsAreLoggedAtMostOnceASecond) {
  start([](ServerConfig& config) {
    config.connections_not_logged_on_max = 1;
    config.handshake_timeout_ms = 60'000;
  });
  std::mutex mutex;
  std::vector<std::string> lines;
  set_log_level(LogLevel::warn);  // the fixture logs errors only
  set_log_sink([&](LogLevel, std::string_view text) {
    std::lock_guard lock(mutex);
    if (text.find(" refused: ") != text.npos) lines.emplace_back(text);
  });
  struct RestoreLog {  // however the test ends: the sink writes into this test's locals
    ~RestoreLog() {
      set_log_sink({});
      set_log_level(LogLevel::error);
    }
  } restore_log;
  constexpr uint64_t connections = 40;
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> flood;
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < connections; ++i)
    flood.push_back(connected_from("127.0.0.2", port_, io));
  ASSERT_TRUE(eventually(
      [&] { return counters().connections_refused_unauthenticated.load() == connections - 1; }));
  const auto flood_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  std::this_thread::sleep_for(1'100ms);
  flood.push_back(connected_from("127.0.0.2", port_, io));  // its line counts the rest
  ASSERT_TRUE(eventually(
      [&] { return counters().connections_refused_unauthenticated.load() == connections; }));
  std::lock_guard lock(mutex);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.front().find("connection from 127.0.0.2 refused: "
                               "connections_not_logged_on_max reached"),
            std::string::npos)
      << lines.front();
  EXPECT_LE(lines.size(), static_cast<size_t>(flood_seconds + 2));
  uint64_t counted = 0;  // each line stands for itself and the refusals it counts
  for (const std::string& line : lines) {
    ++counted;
    if (const size_t at = line.find("(and "); at != std::string::npos) {
      counted += std::stoull(line.substr(at + 5));
    }
  }
  EXPECT_EQ(counted, connections);
}

// A Logon begun but not finished is still bound by the logon deadline: a frame deadline armed
// by its first bytes must not push it out, or bytes trickled in just before each deadline would
// hold a connection that never logs on for longer.
TEST_F(GatewayServer, APartialLogonDoesNotPostponeTheLogonDeadline) {
  start([](ServerConfig& config) {
    config.logon_timeout_ms = 300;
    config.frame_timeout_ms = 60'000;  // were it the bound, the session would outlast the test
  });
  auto alice = connected(test_pki().alice);
  const Frame logon = make_logon({});
  ASSERT_EQ(alice->send_raw(std::span(logon).first(logon.size() - 3)), ClientStatus::ok);
  EXPECT_TRUE(closes(*alice));
  EXPECT_GE(counters().timeouts.load(), 1u);
  EXPECT_TRUE(eventually([&] { return counters().sessions_not_logged_on.load() == 0; }));
  expect_service_unharmed();
}

TEST_F(GatewayServer, SilentSessionIsClosedAtTheLogonDeadline) {
  start([](ServerConfig& config) { config.logon_timeout_ms = 200; });
  auto alice = connected(test_pki().alice);
  EXPECT_TRUE(closes(*alice));
  EXPECT_GE(counters().timeouts.load(), 1u);
  expect_service_unharmed();
}

TEST_F(GatewayServer, RateLimitRejectsTheExcessAndKeepsTheSession) {
  start([](ServerConfig& config) {
    config.rate_messages_per_second = 5;
    config.rate_burst_messages = 3;
  });
  auto alice = logged_on(test_pki().alice);
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

std::vector<std::string> product_symbols(int count) {
  std::vector<std::string> symbols;
  for (int i = 1; i <= count; ++i) symbols.push_back("PRODUCT" + std::to_string(i));
  return symbols;
}

// A Subscribe asks the exchange for a book snapshot per product it names, each a request in its
// shared queue: it costs one message of the rate limit per product, so that naming many
// products at once is no way past the limit.
TEST_F(GatewayServer, ASubscribeCostsOneMessageOfTheRateLimitPerProductItNames) {
  start([](ServerConfig& config) {
    config.rate_messages_per_second = 1;  // nothing comes back within the test
    config.rate_burst_messages = 10;
  });
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(make_subscribe(product_symbols(10), true, true)), ClientStatus::ok);
  ASSERT_EQ(alice->send(order(1)), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::RateLimited);
  EXPECT_EQ(handler_.messages(), 1);  // the Subscribe
  EXPECT_EQ(counters().rate_limited.load(), 1u);
}

// A ListProducts reads the whole product list and may answer in many pages: it costs
// rate_list_products_cost_messages, a hundred by default.
TEST_F(GatewayServer, AListProductsCostsAHundredMessagesOfTheRateLimit) {
  start([](ServerConfig& config) {
    config.rate_messages_per_second = 1;
    config.rate_burst_messages = 100;
  });
  auto alice = logged_on(test_pki().alice);
  ASSERT_EQ(alice->send(make_list_products(1, "", "")), ClientStatus::ok);
  ASSERT_EQ(alice->send(order(1)), ClientStatus::ok);
  EXPECT_EQ(reject_code(*alice), ErrorCode::RateLimited);
  EXPECT_EQ(handler_.messages(), 1);  // the ListProducts
}

// A message costing more than the whole burst could never pass, however long the client
// waited: it is refused at once, saying why, and costs nothing, so the session goes on.
TEST_F(GatewayServer, AMessageCostingMoreThanTheBurstIsRefusedSayingWhy) {
  start([](ServerConfig& config) {
    config.rate_messages_per_second = 1;
    config.rate_burst_messages = 10;
  });
  auto alice = logged_on(test_pki().alice);
  const std::vector<std::string> symbols = product_symbols(11);
  for (Frame frame : {make_subscribe(symbols, true, true), make_unsubscribe(symbols)}) {
    ASSERT_EQ(alice->send(std::move(frame)), ClientStatus::ok);
    const Received reject = alice->receive_until(wire::Body::Reject);
    ASSERT_EQ(reject.status, ClientStatus::ok);
    EXPECT_EQ(reject.message().body_as_Reject()->code(), ErrorCode::RateLimited);
    const std::string text = reject.message().body_as_Reject()->text()->str();
    EXPECT_NE(text.find("costs 11 messages of the rate limit, more than its whole burst of 10"),
              std::string::npos)
        << text;
  }
  EXPECT_EQ(handler_.messages(), 0);
  expect_order_round_trip(*alice, 1);  // the bucket is still full
}

// A client that sends and never reads: once the kernel's buffers are full, the replies queue
// in the server, and once they have stayed past outbound_bytes_max (32 KiB here) for
// outbound_backlog_timeout_ms the session is closed as a slow consumer rather than hold ever
// more memory. Other sessions are unharmed.
TEST_F(GatewayServer, AClientThatNeverReadsIsClosedWhenItsBacklogPersists) {
  start([](ServerConfig& config) {
    config.outbound_bytes_max = 32 * 1024;
    config.outbound_backlog_timeout_ms = 200;
    config.rate_messages_per_second = 1'000'000;
    config.rate_burst_messages = 1'000'000;
  });
  auto alice = logged_on(test_pki().alice);
  uint64_t sent = 0;
  // Bounded: the server closes the session long before (a few MiB of replies at most).
  while (sent < 200'000 && alice->send(order(++sent)) == ClientStatus::ok &&
         counters().send_queue_overflows.load() == 0) {
  }
  EXPECT_TRUE(eventually([&] { return counters().send_queue_overflows.load() == 1; }))
      << sent << " orders sent";
  // What the kernel still held reaches the client, then the end of the connection.
  ClientStatus status = ClientStatus::ok;
  for (uint64_t i = 0; i <= sent && status == ClientStatus::ok; ++i) {
    status = alice->receive().status;
  }
  EXPECT_TRUE(status == ClientStatus::closed || status == ClientStatus::failed)
      << to_string(status);
  expect_service_unharmed();
}

// A client sending messages past its rate limit as fast as it can gets a Reject for each,
// but only a session's first 20 are logged: the log cannot be made to fill the disk.
TEST_F(GatewayServer, OnlyTheFirstRejectsOfASessionAreLogged) {
  start([](ServerConfig& config) {
    config.rate_messages_per_second = 1;
    config.rate_burst_messages = 1;
  });
  std::mutex mutex;
  std::vector<std::string> lines;
  set_log_level(LogLevel::info);  // the fixture logs errors only
  set_log_sink([&](LogLevel, std::string_view text) {
    std::lock_guard lock(mutex);
    lines.emplace_back(text);
  });
  // Restored however the test ends: the sink writes into this test's locals.
  struct RestoreLog {
    ~RestoreLog() {
      set_log_sink({});
      set_log_level(LogLevel::error);
    }
  } restore_log;
  auto alice = logged_on(test_pki().alice);
  constexpr int sent = 60;
  for (int i = 1; i <= sent; ++i) ASSERT_EQ(alice->send(order(i)), ClientStatus::ok);
  int limited = 0;
  for (int i = 0; i < sent; ++i) {  // bounded: each receive ends in a frame or an error
    const Received received = alice->receive();
    ASSERT_EQ(received.status, ClientStatus::ok);
    if (received.message().body_type() == wire::Body::Reject) ++limited;
  }
  alice->close();
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
      return line.find("rejects sent)") != line.npos;
    });
  }));
  EXPECT_GE(limited, sent - 2);
  std::lock_guard lock(mutex);
  const auto logged = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find(": reject RateLimited") != std::string::npos;
  });
  EXPECT_EQ(logged, 20);
  EXPECT_GE(counters().rate_limited.load(), static_cast<uint64_t>(limited));
}

TEST_F(GatewayServer, ConnectionsBeyondTheCapAreClosed) {
  start([](ServerConfig& config) { config.connections_max = 2; });
  auto alice = logged_on(test_pki().alice);  // with the witness: 2 sessions
  Client third(client_config(test_pki().client_tls(test_pki().alice)));
  expect_refused(third);
  EXPECT_GE(counters().connections_refused_cap.load(), 1u);
  expect_order_round_trip(*alice, 1);
  expect_order_round_trip(*witness_, 1);
  alice->close();
  EXPECT_TRUE(eventually([&] { return counters().sessions_active.load() == 1; }));
  auto again = logged_on(test_pki().alice);  // a freed slot is usable again
  expect_order_round_trip(*again, 2);
}
}  // namespace
}  // namespace ghx::gateway::test
