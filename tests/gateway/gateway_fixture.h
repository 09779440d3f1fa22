#pragma once
// A gateway server on an ephemeral loopback port with a recording handler, a witness session
// that must survive every bad input, and bounded helpers. Shared by the server test files.

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
#include "gateway/server.h"
#include "gateway/wire_build.h"
#include "tests/gateway/test_pki.h"

namespace ghx::gateway::test {

using namespace std::chrono_literals;
using wire::ErrorCode;

constexpr uint32_t wait_ms_max = 5'000;

// Records what the server hands over and answers each NewOrder with an Accepted report.
class TestHandler : public MessageHandler {
 public:
  Server* server = nullptr;
  std::set<std::string> refused;
  // A MassCancel is answered with this many Accepted reports (client order ids 1, 2, ...), all
  // queued from the network thread before the session's writer can run: one hand-over, as a
  // command that ends many orders makes. Set before start().
  uint32_t reports_per_mass_cancel = 0;

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
    if (message.body_type() == wire::Body::MassCancel) {
      for (uint64_t id = 1; id <= reports_per_mass_cancel; ++id) {
        server->send(session.id, accepted(id));
      }
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
inline bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_max);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

inline Frame order(uint64_t client_order_id, int64_t quantity = 1) {
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
    config.tls = test_pki().server_tls();
    if (tweak) tweak(config);
    server_ = std::make_unique<Server>(config, handler_);
    handler_.server = server_.get();
    port_ = server_->start();
    // A session that is up before every bad input and must still work after it.
    witness_ = logged_on(test_pki().bob);
  }

  ClientConfig client_config(const TlsFiles& tls) const {
    return {.port = port_, .tls = tls, .timeout_ms = wait_ms_max};
  }

  std::unique_ptr<Client> connected(const CertFiles& who) {
    auto client = std::make_unique<Client>(client_config(test_pki().client_tls(who)));
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
    auto fresh = logged_on(test_pki().alice);
    expect_order_round_trip(*fresh, 1);
  }

  // A hand-over of 720 KB to a session whose soft limit is 64 KiB and whose grace would outlast
  // the test (`limit` sets the bound under test): the session is closed at once, as a slow
  // consumer, and the server goes on.
  void expect_a_large_hand_over_closes_at_once(const std::function<void(ServerConfig&)>& limit) {
    handler_.reports_per_mass_cancel = 9'000;  // 720 KB
    start([&](ServerConfig& config) {
      config.outbound_bytes_max = 64 * 1024;
      config.outbound_backlog_timeout_ms = 60'000;  // were it the bound, the test would time out
      limit(config);
    });
    auto alice = logged_on(test_pki().alice);
    ASSERT_EQ(alice->send(make_mass_cancel("")), ClientStatus::ok);
    EXPECT_TRUE(closes(*alice));
    EXPECT_EQ(counters().send_queue_overflows.load(), 1u);
    EXPECT_TRUE(eventually([&] { return handler_.disconnects().size() == 1; }));
    expect_service_unharmed();
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

}  // namespace ghx::gateway::test
