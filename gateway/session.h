#pragma once
// One participant connection: a TLS stream, its coroutines and its state. Internal to the
// server (Server owns sessions); everything here runs on the server's network thread.
//
// Coroutines of a session (all on one thread, so no locks):
// - run: handshake, then the read loop, top to bottom, then the orderly close;
// - writer: the only writer of the stream, drains the outbound queue;
// - watchdog: enforces the deadlines (handshake, logon, frame, idle, write, close) by closing
//   the socket, and sends heartbeats when the session has sent nothing for a while.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "gateway/counters.h"
#include "gateway/framing.h"
#include "gateway/server_config.h"
#include "gateway/session_handler.h"
#include "gateway/token_bucket.h"

namespace ghx::gateway {

// What a session needs from its server; outlives every session.
struct SessionContext {
  const ServerConfig& config;
  GatewayCounters& counters;
  MessageHandler& handler;
  std::function<void(SessionId)> on_closed;  // the session has ended; called once
  // The session no longer counts as not logged on (it logged on, or ended first): called once,
  // with the address the server counts it under.
  std::function<void(const asio::ip::address&)> on_logon_phase_ended;
  // Every session's unsent bytes together (network thread only): ServerConfig's
  // outbound_bytes_total_max bounds them.
  uint64_t outbound_bytes_total = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `counted_address`: the address the server counts the connection under until it logs on.
  Session(SessionContext& context, SessionId id, asio::ip::tcp::socket socket,
          asio::ssl::context& tls, asio::ip::address counted_address);

  void start();
  // Queues a frame, stamping its sequence number into `frame` (8-byte aligned) before copying
  // it; false when the session is closing.
  bool send(std::span<uint8_t> frame);
  bool send(Frame frame) { return send(std::span(frame)); }
  // The same with the clocks read once by the caller for many frames (clock reads are slow on
  // this VM): `sending_time_ns` is system time, `now` steady time.
  bool send(std::span<uint8_t> frame, int64_t sending_time_ns,
            std::chrono::steady_clock::time_point now);
  // Ends the session at once (operator action).
  void close();
  // Ends the session politely (the server's orderly stop): a logged-on session is sent a Logout
  // with `reason`, so that its client can tell a stop from a crash, and has close_timeout_ms to
  // flush it and close TLS; a session not logged on is closed at once.
  void close_with_logout(std::string_view reason);

  SessionId id() const { return info_.id; }
  // Bytes queued or being written, not yet sent (for pacing a long resend).
  size_t unsent_bytes() const { return outbound_.size() + writing_.size(); }

 private:
  using Clock = std::chrono::steady_clock;

  asio::awaitable<void> run();
  asio::awaitable<bool> handshake();
  asio::awaitable<void> read_loop();
  bool handle_buffered(bool& stop);
  asio::awaitable<void> writer();
  asio::awaitable<void> watchdog();
  asio::awaitable<void> shut_down();
  void end();
  void end_logon_phase();

  bool handle(const wire::Message& message, std::span<const uint8_t> frame);
  bool handle_logon(const wire::Message& message);
  void bad_frame(const Check& check, const wire::Message* message);
  void reject(wire::ErrorCode code, std::string_view detail, uint64_t ref_sequence);
  void arm_read(uint32_t timeout_ms, std::string_view phase);
  void arm(Clock::time_point& deadline, Clock::time_point value);
  void close_slow_consumer(std::string_view limit);
  // Brings the context's outbound_bytes_total up to date with this session's unsent bytes.
  void recount_unsent();
  void close_socket();
  std::string describe() const;

  SessionContext& context_;
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  std::string remote_;
  asio::ip::address counted_address_;
  SessionInfo info_;
  bool logged_on_ = false;
  bool draining_ = false;
  bool stopping_ = false;  // close_with_logout has queued the Logout: nothing may follow it
  bool writer_done_ = false;
  bool ended_ = false;
  uint64_t sequence_ = 0;  // last outbound sequence number
  TokenBucket bucket_;
  Frame read_buffer_;
  size_t read_bytes_ = 0;  // buffered in read_buffer_, not yet handled
  bool in_frame_ = false;  // the buffered bytes begin a frame whose deadline is armed
  int64_t read_time_ns_ = 0;  // steady time of the last read: the token bucket's clock
  Frame aligned_frame_;    // a copy of a frame that does not start 8-byte aligned
  // Outbound frames, stamped and back to back: the writer sends all of them in one write (few
  // large TLS records and system calls rather than one per frame).
  std::vector<uint8_t> outbound_;
  uint32_t outbound_frames_ = 0;
  uint32_t outbound_heartbeats_ = 0;
  static constexpr uint64_t rejects_logged_max = 20;  // per session; the rest are counted
  uint64_t rejects_ = 0;
  std::vector<uint8_t> writing_;  // the write in flight
  size_t unsent_counted_ = 0;     // this session's share of the context's outbound_bytes_total

  std::string_view phase_ = "handshake";  // what the read deadline guards, for the log
  Clock::time_point read_deadline_ = Clock::time_point::max();
  Clock::time_point write_deadline_ = Clock::time_point::max();
  // Set when the unsent bytes pass outbound_bytes_max, cleared when a write brings them below.
  Clock::time_point backlog_deadline_ = Clock::time_point::max();
  Clock::time_point heartbeat_due_ = Clock::time_point::max();
  asio::steady_timer watchdog_timer_;
  asio::cancellation_signal read_cancel_;  // ends the read loop's read (close_with_logout)
  asio::steady_timer writer_wake_;  // cancelled to wake the writer: a condition variable
  asio::steady_timer writer_done_signal_;
};

}  // namespace ghx::gateway
