#pragma once
// The operator `ops` over a blocking gateway Client: lists products, deposits cash, registers
// capacity and starts call auctions, each request answered by an OperatorAck (or a ProductList)
// that carries its request id; it may also subscribe to products' trades and read what follows.
// Every wait is bounded by the client's timeout. Shared by ghx-sim and ghx-load.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/client.h"

namespace ghx::sim {

struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 7700;
  std::string data_dir = "ghx-data";  // holds certs/
};

// The options both tools take to reach ghxd: true when `name` is --host, --port or --data, its
// value then parsed into `endpoint` (std::invalid_argument naming the option when bad).
bool parse_endpoint_option(const std::string& name, const std::string& value, Endpoint& endpoint);

// True when any argument is --help or -h: usage then goes to stdout and the tool exits 0,
// whatever else the command line holds.
bool asks_for_help(int argc, char** argv);

struct ProductRow {
  uint32_t product_id = 0;
  std::string symbol;
  std::string gpu;
  std::string zone;
  int64_t start_hour = 0;  // hours since the epoch, UTC
  wire::WindowLength length = wire::WindowLength::Hour1;
  int64_t lot_size_gpus = 8;
  int64_t tick_size = 1;
  wire::ProductState state = wire::ProductState::Trading;
};

// Connects `name` with its own certificate and logs on; nullptr (with `error`) on failure.
std::unique_ptr<gateway::Client> connect_participant(const Endpoint& endpoint,
                                                     std::string_view name, std::string& error,
                                                     bool cancel_on_disconnect = true);

class OperatorSession {
 public:
  explicit OperatorSession(const Endpoint& endpoint) : endpoint_(endpoint) {}

  bool open(std::string& error);
  std::optional<std::vector<ProductRow>> list_products(std::string& error);
  bool deposit(std::string_view participant, int64_t amount, std::string& error);
  bool register_capacity(std::string_view participant, std::string_view symbol,
                         int64_t quantity_lots, std::string& error);
  // Starts the call phase of `symbol`, uncrossed by the exchange at `uncross_time_ns` (wall
  // clock, ns since the epoch).
  bool start_auction(std::string_view symbol, int64_t uncross_time_ns, std::string& error);
  // Trades and ProductStatus of `symbols` follow; read them with receive().
  bool subscribe_trades(const std::vector<std::string>& symbols, std::string& error);
  // The next frame within `timeout_ms` (status timeout when none); sends a heartbeat when due.
  gateway::Received receive(uint32_t timeout_ms);
  const std::string& last_error() const;
  void close();

 private:
  // Sends an operator request and waits for its OperatorAck; `what` names it in errors.
  bool request(const gateway::Frame& frame, uint64_t request_id, std::string_view what,
               std::string& error);
  bool await_ack(uint64_t request_id, std::string& error);

  Endpoint endpoint_;
  std::unique_ptr<gateway::Client> client_;
  // Request ids are the operator's idempotency keys, which the exchange keeps across restarts
  // (a second demo on the same data): each session starts from the clock, in microseconds.
  uint64_t next_request_id_ =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
};

// Hourly trading products whose gate stays open for at least `open_for_s` more seconds,
// choosing GPU models in the order of `models` (absent ones skipped), `windows_per_model`
// consecutive windows each, zones alternating between models; at most `count_max`.
std::vector<ProductRow> choose_products(const std::vector<ProductRow>& listed,
                                        const std::vector<std::string>& models,
                                        size_t windows_per_model, size_t count_max,
                                        int64_t open_for_s);

}  // namespace ghx::sim
