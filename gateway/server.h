#pragma once
// The gateway's TLS server: accepts participant connections, runs one Session per connection on
// a network thread of its own, and hands verified messages of logged-on sessions to a
// MessageHandler (session_handler.h).
//
// Threads: start() launches the network thread; all handler calls happen there. send() and
// disconnect() may be called from any thread (they post onto the network thread). counters()
// may be read from any thread.
//
// Errors: start() throws (std::system_error, std::runtime_error) when the TLS files cannot be
// loaded or the address cannot be bound (naming ADDRESS:PORT); it is a start-up edge. Nothing
// else throws.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/counters.h"
#include "gateway/framing.h"
#include "gateway/server_config.h"
#include "gateway/session_handler.h"

namespace ghx::gateway {

class Session;
struct SessionContext;

class Server {
 public:
  Server(ServerConfig config, MessageHandler& handler);
  ~Server();  // stops the server if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the network thread. Returns the bound port.
  uint16_t start();

  // Closes the listener and every session (handlers see on_disconnect), then joins the thread.
  // Logged-on sessions are sent a Logout ("server stopping") and given close_timeout_ms to flush
  // it. Idempotent.
  void stop();

  uint16_t port() const { return port_; }

  // Queues a frame (made with finish_frame or wire_build.h) for a session; the session stamps
  // its next outbound sequence number. Frames to unknown or closed sessions are dropped.
  // The bytes are copied: the caller may reuse its buffer at once. Frames queued from other
  // threads reach the network thread together, in one hand-over, in the order queued.
  void send(SessionId session, std::span<const uint8_t> frame);
  void send(SessionId session, const Frame& frame) { send(session, std::span(frame)); }

  // Ends a session (e.g. the core refused it after logon).
  void disconnect(SessionId session);

  // Network thread only (in a handler call or a posted task): the bytes queued for the session
  // and not yet written to its socket, or nullopt when the session has ended. With post(), it
  // lets a long resend go at the pace the client reads rather than overflow its queue.
  std::optional<size_t> unsent_bytes(SessionId session) const;
  // Runs `task` on the network thread after `delay` (not at all once the server stops).
  void post(std::chrono::milliseconds delay, std::function<void()> task);

  const GatewayCounters& counters() const { return counters_; }

 private:
  // Opens the acceptor on config_'s address and port; throws std::runtime_error naming them.
  void listen();

  // Frames waiting for the network thread; each starts at an 8-byte aligned offset so that it
  // can be stamped in place. Bounded by what the network thread has not taken yet: it takes
  // everything in one go (deliver_outbound), and each session caps its own queue.
  struct OutboundFrames {
    struct Entry {
      uint64_t session = 0;
      uint32_t offset = 0;
      uint32_t bytes = 0;
    };
    std::vector<uint8_t> bytes;
    std::vector<Entry> entries;
  };

  // Why a new connection is refused: the counter it counts in and the limit it hit.
  struct Refusal {
    GatewayCounters::Counter* counter = nullptr;
    std::string_view limit;
  };

  asio::awaitable<void> accept_loop();
  std::optional<Refusal> refusal_of(const asio::ip::address& address);
  void log_refusal(std::string_view limit, const asio::ip::address& address);
  void admit(asio::ip::tcp::socket socket, const asio::ip::address& address);
  void end_logon_phase(const asio::ip::address& address);
  void close_all();
  void deliver_outbound();

  ServerConfig config_;
  MessageHandler& handler_;
  GatewayCounters counters_;
  asio::io_context io_;
  asio::ssl::context tls_;
  asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<SessionContext> session_context_;
  std::unordered_map<uint64_t, std::shared_ptr<Session>> sessions_;  // network thread only
  // Connections not logged on yet, by the address they are counted under (network thread only).
  // At most connections_not_logged_on_max entries: an address leaves at its last connection.
  std::unordered_map<asio::ip::address, uint32_t> not_logged_on_by_address_;
  // Refused connections are logged at most once a second (network thread only).
  std::chrono::steady_clock::time_point next_refusal_log_{};
  uint64_t refusals_not_logged_ = 0;
  std::mutex outbound_mutex_;
  OutboundFrames outbound_;          // guarded by outbound_mutex_
  bool outbound_posted_ = false;     // guarded: a deliver_outbound is on its way
  OutboundFrames delivering_;        // network thread only
  uint64_t next_session_id_ = 1;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace ghx::gateway
