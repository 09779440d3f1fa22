#pragma once
// The whole exchange in one process for end-to-end tests: the ExchangeCore (engine + LMDB ledger
// in a temp directory), the ExchangeService and the TLS server, with real clients holding their
// own certificates. Ephemeral ports, 127.0.0.1 only, every wait bounded.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "gateway/certs.h"
#include "gateway/client.h"
#include "gateway/exchange_core.h"
#include "gateway/exchange_service.h"
#include "gateway/server.h"
#include "gateway/wire_requests.h"
#include "ledger/check.h"
#include "tests/gateway/eventually.h"
#include "tests/gateway/test_product.h"
#include "tests/gateway/test_pki.h"

namespace ghx::gateway::test {

using namespace std::chrono_literals;

class Exchange : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_temp_dir("exchange");
    certs_ = dir_ / "certs";
    ca_ = ensure_ca(certs_).files;
    server_tls_ = {ca_.cert.string(), ensure_server_certificate(certs_, ca_).files.cert.string(),
                   (certs_ / "server.key").string()};
    for (const char* name : {"ops", "dc-a", "lab-a", "lab-b", "stranger"}) {
      ASSERT_TRUE(ensure_participant_certificate(certs_, ca_, name).ok);
    }
    start();
    add_participant(1, "ops", ledger::role_operator);
    add_participant(2, "dc-a", ledger::role_seller);
    add_participant(3, "lab-a", ledger::role_buyer);
    add_participant(4, "lab-b", ledger::role_buyer);
    ExchangeCommand listing;
    listing.engine.type = matching::CommandType::list_product;
    listing.engine.spec = test_spec();
    ASSERT_TRUE(service_->submit_internal(listing));
    symbol_ = matching::format_symbol(test_spec());
    ASSERT_TRUE(eventually([&] { return service_->has_product(symbol_); }));
    ASSERT_TRUE(eventually([&] { return service_->participant("lab-b").has_value(); }));
  }

  void TearDown() override { stop(); }

  void start() {
    ExchangeCoreConfig config;
    config.data_directory = (dir_ / "ledger").string();
    config.tick_interval_ms = tick_interval_ms_;
    config.snapshot_interval_commands = snapshot_interval_commands_;
    config.batch_ops_reserved = batch_ops_reserved_;
    config.engine.limits.participants_max = participants_max_;
    config.clock_ns = [this] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             clock_ahead_ns_.load();
    };
    std::filesystem::create_directories(config.data_directory);
    core_ = std::make_unique<ExchangeCore>(config);
    service_ = std::make_unique<ExchangeService>(*core_, service_config_);
    ServerConfig server_config = server_config_;
    server_config.tls = server_tls_;
    server_ = std::make_unique<Server>(server_config, *service_);
    service_->attach(*server_);
    service_->start_core();
    port_ = server_->start();
  }

  void stop() {
    if (server_) server_->stop();
    if (core_) core_->stop();
  }

  // Stops everything and starts again on the same data directory (clients must reconnect).
  void restart() {
    stop();
    server_.reset();
    service_.reset();
    core_.reset();
    start();
  }

  void add_participant(uint32_t id, const char* name, uint8_t roles) {
    ExchangeCommand command;
    command.kind = ExchangeCommandKind::add_participant;
    command.engine.participant = {id};
    command.name = name;
    command.roles = roles;
    ASSERT_TRUE(service_->submit_internal(command));
  }

  std::unique_ptr<Client> logon(const std::string& name, bool cancel_on_disconnect = false) {
    return logon_with(name, {.cancel_on_disconnect = cancel_on_disconnect});
  }

  std::unique_ptr<Client> logon_with(const std::string& name, const LogonFields& fields) {
    ClientConfig config;
    config.port = port_;
    config.tls = {ca_.cert.string(), (certs_ / (name + ".pem")).string(),
                  (certs_ / (name + ".key")).string()};
    auto client = std::make_unique<Client>(config);
    EXPECT_EQ(client->connect(), ClientStatus::ok);
    const LogonResult result = client->logon(fields);
    EXPECT_EQ(result.status, ClientStatus::ok) << name << ": " << result.text;
    return client;
  }

  // Connects with `name`'s certificate and tries to log on; the session ends with the result.
  LogonResult try_logon(const std::string& name) {
    ClientConfig config;
    config.port = port_;
    config.tls = {ca_.cert.string(), (certs_ / (name + ".pem")).string(),
                  (certs_ / (name + ".key")).string()};
    Client client(config);
    EXPECT_EQ(client.connect(), ClientStatus::ok);
    return client.logon({});
  }

  // Sends an operator request and returns its OperatorAck.
  void operator_request(Frame frame) {
    auto ops = logon("ops");
    ASSERT_EQ(ops->send(std::move(frame)), ClientStatus::ok);
    const Received ack = ops->receive_until(wire::Body::OperatorAck);
    ASSERT_EQ(ack.status, ClientStatus::ok);
    ASSERT_TRUE(ack.message().body_as_OperatorAck()->ok())
        << ack.message().body_as_OperatorAck()->text()->str();
  }

  // The ledger refused nothing the engine decided, and it balances (ledger::check_ledger).
  void expect_books_balance() {
    EXPECT_EQ(core_->stats().ledger_op_errors.load(), 0u);
    const ledger::CheckReport check = ledger::check_ledger(core_->ledger().snapshot());
    EXPECT_TRUE(check.ok()) << check.problems.front();
  }

  void fund_market() {
    operator_request(make_deposit(1, "lab-a", 1'000'000'000));
    operator_request(make_deposit(2, "lab-b", 1'000'000'000));
    operator_request(make_register_capacity(3, "dc-a", symbol_, 100));
  }

  Frame order(uint64_t client_id, wire::Side side, int64_t price, int64_t lots) {
    return make_new_order({.client_order_id = client_id, .symbol = symbol_, .side = side,
                           .price = price, .quantity = lots});
  }

  // The next ExecutionReport of the client.
  static const wire::ExecutionReport* report(Client& client, Received& holder) {
    holder = client.receive_until(wire::Body::ExecutionReport);
    EXPECT_EQ(holder.status, ClientStatus::ok);
    if (holder.status != ClientStatus::ok) return nullptr;
    return holder.message().body_as_ExecutionReport();
  }

  // Sends an order and returns its first execution report's exec type and reject reason.
  static std::pair<wire::ExecType, wire::OrderRejectReason> send_order(Client& client,
                                                                       Frame frame) {
    EXPECT_EQ(client.send(std::move(frame)), ClientStatus::ok);
    Received holder;
    const wire::ExecutionReport* first = report(client, holder);
    if (first == nullptr) return {wire::ExecType::Status, wire::OrderRejectReason::None};
    return {first->exec_type(), first->reject_reason()};
  }

  // An OperatorAck's ok, reject reason and text.
  struct Ack {
    bool ok = false;
    wire::OrderRejectReason reason = wire::OrderRejectReason::None;
    std::string text;
  };
  // Sends an operator request on `ops`; returns its OperatorAck.
  static Ack operator_ack(Client& ops, Frame frame) {
    EXPECT_EQ(ops.send(std::move(frame)), ClientStatus::ok);
    const Received received = ops.receive_until(wire::Body::OperatorAck);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return {};
    const wire::OperatorAck& ack = *received.message().body_as_OperatorAck();
    return {ack.ok(), ack.reject_reason(), ack.text() != nullptr ? ack.text()->str() : ""};
  }

  // The frame as a ProductStatus of product 0, named `symbol`, with its time (checked); null
  // when it is something else.
  static const wire::ProductStatus* product_status_of(const Received& received,
                                                      const std::string& symbol) {
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return nullptr;
    const auto* status = received.message().body_as_ProductStatus();
    EXPECT_NE(status, nullptr) << wire::EnumNameBody(received.message().body_type());
    if (status == nullptr) return nullptr;
    EXPECT_EQ(status->product_id(), 0u);
    EXPECT_EQ(status->symbol()->str(), symbol);
    EXPECT_GT(status->transact_time_ns(), 0);
    return status;
  }

  // The client's next frame other than a heartbeat.
  static Received next_frame(Client& client) {
    Received received = client.receive();
    while (received.status == ClientStatus::ok &&
           received.message().body_type() == wire::Body::Heartbeat) {
      received = client.receive();
    }
    return received;
  }

  std::filesystem::path dir_, certs_;
  CertFiles ca_;
  TlsFiles server_tls_;
  std::unique_ptr<ExchangeCore> core_;
  ServiceConfig service_config_;
  ServerConfig server_config_;  // tls is filled in by start()
  std::unique_ptr<ExchangeService> service_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::string symbol_;
  // How far the sequencer's clock runs ahead of the real one: a test moves it to reach a
  // product's gate closure or delivery end (the idle ticks carry the new time to the engine).
  std::atomic<int64_t> clock_ahead_ns_{0};
  // The sequencer's idle ticks (set before start()): a test that needs time to reach the
  // engine with a command of its own, not a tick, makes them rare.
  int64_t tick_interval_ms_ = 100;
  // Engine snapshots every this many commands (set before start()): a test of a restart from a
  // snapshot rather than the whole journal takes them often.
  uint64_t snapshot_interval_commands_ = ExchangeCoreConfig{}.snapshot_interval_commands;
  // Ledger operations each batch reserves (set before start()): a test of a command larger
  // than a batch makes it small.
  size_t batch_ops_reserved_ = ExchangeCoreConfig{}.batch_ops_reserved;
  // The engine's participant table (set before start()).
  uint32_t participants_max_ = matching::EngineLimits{}.participants_max;
};

}  // namespace ghx::gateway::test
