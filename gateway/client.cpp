#include "gateway/client.h"

#include <cstring>

namespace ghx::gateway {
namespace {

using std::chrono::milliseconds;

// A polite close waits at most this long for the server's Logout and close_notify.
constexpr uint32_t close_wait_ms_max = 1'000;

int64_t system_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_closed_by_peer(const std::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor;
}

}  // namespace

std::string_view to_string(ClientStatus status) {
  switch (status) {
    case ClientStatus::ok: return "ok";
    case ClientStatus::timeout: return "timeout";
    case ClientStatus::closed: return "closed";
    case ClientStatus::failed: return "failed";
    case ClientStatus::bad_frame: return "bad_frame";
    case ClientStatus::rejected: return "rejected";
  }
  return "?";
}

Client::Client(ClientConfig config) : config_(std::move(config)) {
  try {
    tls_.emplace(make_client_tls_context(config_.tls));
  } catch (const std::exception& e) {
    error_ = std::string("cannot load TLS files: ") + e.what();
  }
  inbound_.resize(2 * (frame_prefix_bytes + config_.frame.frame_bytes_max));
}

Client::~Client() {
  if (stream_) {
    std::error_code ignored;
    stream_->lowest_layer().close(ignored);
  }
}

template <typename Start>
std::error_code Client::run(Start start, milliseconds timeout, size_t& bytes,
                            bool close_on_timeout) {
  std::optional<std::error_code> result;
  start([&](std::error_code ec, size_t n) {
    result = ec;
    bytes = n;
  });
  io_.restart();
  io_.run_for(timeout);
  if (result) return *result;
  std::error_code ignored;
  if (close_on_timeout) {
    stream_->lowest_layer().close(ignored);
  } else {
    stream_->lowest_layer().cancel(ignored);
  }
  io_.restart();
  io_.run();  // the cancelled operation completes at once; nothing else is pending
  return asio::error::timed_out;
}

ClientStatus Client::fail(ClientStatus status, std::string text) {
  error_ = std::move(text);
  if (stream_) {
    std::error_code ignored;
    stream_->lowest_layer().close(ignored);
  }
  return status;
}

milliseconds Client::timeout(std::optional<uint32_t> timeout_ms) const {
  return milliseconds(timeout_ms.value_or(config_.timeout_ms));
}

bool Client::is_open() const { return stream_ && stream_->lowest_layer().is_open(); }

ClientStatus Client::connect() {
  if (!tls_) return ClientStatus::failed;
  asio::ip::tcp::resolver resolver(io_);
  std::error_code ec;
  const auto endpoints = resolver.resolve(config_.host, std::to_string(config_.port), ec);
  if (ec) return fail(ClientStatus::failed, "cannot resolve " + config_.host + ": " + ec.message());
  stream_.emplace(io_, *tls_);
  stream_->set_verify_callback(asio::ssl::host_name_verification(config_.host));
  inbound_bytes_ = 0;
  size_t bytes = 0;
  ec = run([&](auto done) {
    asio::async_connect(stream_->lowest_layer(), endpoints,
                        [done](std::error_code e, const auto&) { done(e, 0); });
  }, timeout(std::nullopt), bytes, true);
  if (ec) return fail(ClientStatus::failed, "cannot connect: " + ec.message());
  stream_->lowest_layer().set_option(asio::ip::tcp::no_delay(true), ec);
  ec = run([&](auto done) {
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [done](std::error_code e) { done(e, 0); });
  }, timeout(std::nullopt), bytes, true);
  if (ec) return fail(ClientStatus::failed, "TLS handshake failed: " + ec.message());
  last_send_ = Clock::now();
  return ClientStatus::ok;
}

LogonResult Client::logon(const LogonFields& fields) {
  if (ClientStatus sent = send(make_logon(fields)); sent != ClientStatus::ok) {
    return {.status = sent, .text = error_};
  }
  const auto deadline = Clock::now() + timeout(std::nullopt);
  while (Clock::now() < deadline) {  // skips heartbeats until the answer or the deadline
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    Received reply = receive(static_cast<uint32_t>(std::max<int64_t>(1, left.count())));
    if (reply.status != ClientStatus::ok) return {.status = reply.status, .text = error_};
    const wire::Message& message = reply.message();
    if (const auto* ack = message.body_as_LogonAck()) {
      heartbeat_interval_ms_ = ack->heartbeat_interval_ms();
      return {.status = ClientStatus::ok,
              .session_id = ack->session_id(),
              .heartbeat_interval_ms = ack->heartbeat_interval_ms()};
    }
    if (const auto* reject = message.body_as_Reject()) {
      return {.status = ClientStatus::rejected,
              .reject_code = reject->code(),
              .text = reject->text() ? reject->text()->str() : std::string()};
    }
  }
  return {.status = ClientStatus::timeout, .text = "no LogonAck in time"};
}

ClientStatus Client::send(Frame frame) {
  if (!stamp_frame(frame, sequence_ + 1, system_now_ns())) {
    error_ = "frame was not made by finish_frame";
    return ClientStatus::failed;
  }
  ++sequence_;
  return send_raw(frame);
}

ClientStatus Client::send_raw(std::span<const uint8_t> bytes) {
  if (!is_open()) return ClientStatus::closed;
  size_t written = 0;
  const std::error_code ec = run([&](auto done) {
    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()), done);
  }, timeout(std::nullopt), written, true);
  if (ec) {
    return fail(is_closed_by_peer(ec) ? ClientStatus::closed : ClientStatus::failed,
                "write failed: " + ec.message());
  }
  last_send_ = Clock::now();
  return ClientStatus::ok;
}

std::optional<Received> Client::take_buffered_frame() {
  if (inbound_bytes_ < frame_prefix_bytes) return std::nullopt;
  const uint32_t body_bytes = read_length_prefix(
      std::span<const uint8_t, frame_prefix_bytes>(inbound_.data(), frame_prefix_bytes));
  if (Check length = check_length(body_bytes, config_.frame); !length.ok()) {
    fail(ClientStatus::bad_frame, std::string(length.detail));
    return Received{ClientStatus::bad_frame};
  }
  const size_t frame_bytes = frame_prefix_bytes + body_bytes;
  if (inbound_bytes_ < frame_bytes) return std::nullopt;
  Frame frame(inbound_.begin(), inbound_.begin() + static_cast<std::ptrdiff_t>(frame_bytes));
  std::memmove(inbound_.data(), inbound_.data() + frame_bytes, inbound_bytes_ - frame_bytes);
  inbound_bytes_ -= frame_bytes;
  const Decoded decoded = decode_frame(frame, config_.frame, Direction::to_client);
  if (!decoded.check.ok()) {
    fail(ClientStatus::bad_frame, std::string(decoded.check.detail));
    return Received{ClientStatus::bad_frame};
  }
  received_sequence_ = decoded.message->sequence();
  return Received{ClientStatus::ok, std::move(frame)};
}

Received Client::receive(std::optional<uint32_t> timeout_ms) {
  const auto deadline = Clock::now() + timeout(timeout_ms);
  // Bounded by the deadline: each read either brings bytes, times out or fails.
  for (;;) {
    if (auto frame = take_buffered_frame()) return std::move(*frame);
    if (!is_open()) return {ClientStatus::closed};
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return {ClientStatus::timeout};
    size_t bytes = 0;
    const std::error_code ec = run([&](auto done) {
      stream_->async_read_some(
          asio::buffer(inbound_.data() + inbound_bytes_, inbound_.size() - inbound_bytes_), done);
    }, left, bytes, false);
    inbound_bytes_ += bytes;
    if (ec == asio::error::timed_out) continue;  // the deadline check above ends the loop
    if (ec) {
      const ClientStatus status =
          is_closed_by_peer(ec) ? ClientStatus::closed : ClientStatus::failed;
      fail(status, "read failed: " + ec.message());
      if (auto frame = take_buffered_frame()) return std::move(*frame);
      return {status};
    }
  }
}

Received Client::receive_until(wire::Body type, std::optional<uint32_t> timeout_ms) {
  const auto deadline = Clock::now() + timeout(timeout_ms);
  for (;;) {  // bounded by the deadline
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return {ClientStatus::timeout};
    Received received = receive(static_cast<uint32_t>(left.count()));
    if (received.status != ClientStatus::ok) return received;
    if (received.message().body_type() == type) return received;
  }
}

ClientStatus Client::heartbeat_if_due() {
  if (heartbeat_interval_ms_ == 0) return ClientStatus::ok;
  if (Clock::now() - last_send_ < milliseconds(heartbeat_interval_ms_)) return ClientStatus::ok;
  return send(make_heartbeat());
}

void Client::close() {
  if (!is_open()) return;
  const uint32_t wait_ms = std::min(config_.timeout_ms, close_wait_ms_max);
  if (send(make_logout("bye")) == ClientStatus::ok) {
    receive_until(wire::Body::Logout, wait_ms);
  }
  if (is_open()) {
    size_t bytes = 0;
    run([&](auto done) {
      stream_->async_shutdown([done](std::error_code e) { done(e, 0); });
    }, milliseconds(wait_ms), bytes, true);
  }
  std::error_code ignored;
  if (stream_) stream_->lowest_layer().close(ignored);
}

}  // namespace ghx::gateway
