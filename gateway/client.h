#pragma once
// A blocking client of the ghx gateway, for the CLI, tools and tests: TLS 1.3 with a
// participant certificate, explicit logon, frames in and out. Every call is bounded by a
// timeout; nothing throws (errors are ClientStatus values with last_error() text).
//
// Not thread-safe: one thread uses a Client at a time. Heartbeats are not automatic: call
// heartbeat_if_due() between other calls when a session stays open long.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/framing.h"
#include "gateway/tls.h"
#include "gateway/wire_build.h"

namespace ghx::gateway {

struct ClientConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  TlsFiles tls;               // ca_file verifies the server; cert/key name the participant
  FrameLimits frame;
  uint32_t timeout_ms = 5'000;  // default bound of connect, logon, send and receive
};

enum class ClientStatus : uint8_t {
  ok,
  timeout,        // nothing arrived in time; the connection stays usable
  closed,         // the server closed the connection (or it was never open)
  failed,         // connect, TLS or I/O error; see last_error()
  bad_frame,      // the server sent a frame that failed decode_frame; the connection is closed
  rejected,       // logon answered by a Reject (see LogonResult::reject_code)
};

std::string_view to_string(ClientStatus status);

struct Received {
  ClientStatus status = ClientStatus::failed;
  Frame frame;  // whole frame, valid when status == ok
  const wire::Message& message() const { return frame_message(frame); }
};

struct LogonResult {
  ClientStatus status = ClientStatus::failed;
  uint64_t session_id = 0;
  uint32_t heartbeat_interval_ms = 0;
  wire::ErrorCode reject_code = wire::ErrorCode::None;
  std::string text;  // reject text or error
};

class Client {
 public:
  explicit Client(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // TCP connect and TLS handshake.
  ClientStatus connect();

  // Sends Logon and waits for LogonAck or Reject, skipping heartbeats.
  LogonResult logon(const LogonFields& fields = {});

  // Stamps the next client sequence number into `frame` and writes it.
  ClientStatus send(Frame frame);

  // Writes bytes as they are (for tests of bad input).
  ClientStatus send_raw(std::span<const uint8_t> bytes);

  // Waits for the next frame from the server.
  Received receive(std::optional<uint32_t> timeout_ms = std::nullopt);

  // Receives until a frame with body `type` arrives (others are dropped), or the timeout.
  Received receive_until(wire::Body type, std::optional<uint32_t> timeout_ms = std::nullopt);

  // Sends a Heartbeat when nothing was sent for the interval from LogonAck.
  ClientStatus heartbeat_if_due();

  // Sends Logout and closes (politely when possible).
  void close();

  bool is_open() const;
  uint64_t last_sent_sequence() const { return sequence_; }
  uint64_t last_received_sequence() const { return received_sequence_; }
  const std::string& last_error() const { return error_; }

 private:
  using Clock = std::chrono::steady_clock;
  // Runs one asynchronous operation to completion or until `timeout`. On timeout the operation
  // is cancelled (the connection stays usable) or, when close_on_timeout, the socket closed.
  template <typename Start>
  std::error_code run(Start start, std::chrono::milliseconds timeout, size_t& bytes,
                      bool close_on_timeout);
  std::optional<Received> take_buffered_frame();
  ClientStatus fail(ClientStatus status, std::string text);
  std::chrono::milliseconds timeout(std::optional<uint32_t> timeout_ms) const;

  ClientConfig config_;
  asio::io_context io_;
  std::optional<asio::ssl::context> tls_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> stream_;
  std::vector<uint8_t> inbound_;  // bytes received, not yet returned as frames
  size_t inbound_bytes_ = 0;
  uint64_t sequence_ = 0;
  uint64_t received_sequence_ = 0;
  uint32_t heartbeat_interval_ms_ = 0;
  Clock::time_point last_send_ = Clock::now();
  std::string error_;
};

}  // namespace ghx::gateway
