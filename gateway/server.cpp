#include "gateway/server.h"

#include <asio/experimental/as_tuple.hpp>
#include <cassert>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gateway/log.h"
#include "gateway/session.h"
#include "gateway/tls.h"

namespace ghx::gateway {
namespace {

// After an accept error such as EMFILE, pause rather than spin.
constexpr auto accept_error_pause = std::chrono::milliseconds(50);
// stop() waits this long beyond close_timeout_ms for sessions to finish their on_disconnect.
constexpr auto stop_grace = std::chrono::milliseconds(1000);
constexpr auto stop_poll = std::chrono::milliseconds(5);
// Frames are stamped in place; the Verifier's alignment rules want 8-byte aligned starts.
constexpr size_t frame_alignment = 8;
// A flood of connections must not flood the log: refusals get one line a second at most.
constexpr auto refusal_log_interval = std::chrono::seconds(1);

// The address a connection is counted under for connections_not_logged_on_per_address_max:
// IPv4 as it is (also when mapped into IPv6), IPv6 by its /64, as one host may use all of one.
asio::ip::address counted_address(const asio::ip::address& address) {
  if (address.is_v4()) return address;
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes);
}

}  // namespace

Server::Server(ServerConfig config, MessageHandler& handler)
    : config_(std::move(config)),
      handler_(handler),
      tls_(asio::ssl::context::tls_server),
      acceptor_(io_) {}

Server::~Server() { stop(); }

uint16_t Server::start() {
  tls_ = make_server_tls_context(config_.tls);
  session_context_ = std::make_unique<SessionContext>(SessionContext{
      config_, counters_, handler_, [this](SessionId id) { sessions_.erase(id.value); },
      [this](const asio::ip::address& address) { end_logon_phase(address); }});
  listen();
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
  log(LogLevel::info, "gateway listening on " + config_.listen_address + ":" +
                          std::to_string(port_));
  return port_;
}

void Server::listen() {
  // The operator fixes the address or the port, so the error names both: "Address already in
  // use" alone does not say which of several servers, or which of its ports.
  const std::string where = config_.listen_address + ":" + std::to_string(config_.port);
  asio::error_code error;
  const asio::ip::address address = asio::ip::make_address(config_.listen_address, error);
  if (error) {
    throw std::runtime_error("cannot listen on " + where + ": '" + config_.listen_address +
                             "' is not an IP address");
  }
  const asio::ip::tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw std::runtime_error("cannot listen on " + where + ": " + error.message());
}

void Server::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] { close_all(); });
  // Sessions end asynchronously (each calls on_disconnect); wait for them, but not forever.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(config_.close_timeout_ms) + stop_grace;
  while (counters_.sessions_active.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(stop_poll);
  }
  io_.stop();
  thread_.join();
  log(LogLevel::info, "gateway stopped");
}

void Server::send(SessionId session, std::span<const uint8_t> frame) {
  bool post = false;
  {
    std::lock_guard lock(outbound_mutex_);
    const size_t offset = (outbound_.bytes.size() + frame_alignment - 1) & ~(frame_alignment - 1);
    outbound_.bytes.resize(offset + frame.size());
    std::memcpy(outbound_.bytes.data() + offset, frame.data(), frame.size());
    outbound_.entries.push_back(
        {session.value, static_cast<uint32_t>(offset), static_cast<uint32_t>(frame.size())});
    post = !outbound_posted_;
    outbound_posted_ = true;
  }
  // One post per hand-over, not per frame: a post costs an allocation and, when the network
  // thread sleeps, a wake-up.
  if (post) asio::post(io_, [this] { deliver_outbound(); });
}

void Server::deliver_outbound() {
  {
    std::lock_guard lock(outbound_mutex_);
    std::swap(outbound_, delivering_);
    outbound_posted_ = false;
  }
  Session* session = nullptr;
  uint64_t session_id = 0;
  const int64_t sending_time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
  const auto now = std::chrono::steady_clock::now();
  for (const OutboundFrames::Entry& entry : delivering_.entries) {
    if (session == nullptr || entry.session != session_id) {
      const auto it = sessions_.find(entry.session);
      session = it == sessions_.end() ? nullptr : it->second.get();
      session_id = entry.session;
    }
    if (session != nullptr) {
      session->send(std::span(delivering_.bytes.data() + entry.offset, entry.bytes),
                    sending_time_ns, now);
    }
  }
  delivering_.bytes.clear();
  delivering_.entries.clear();
}

void Server::disconnect(SessionId session) {
  asio::post(io_, [this, session] {
    if (auto it = sessions_.find(session.value); it != sessions_.end()) it->second->close();
  });
}

std::optional<size_t> Server::unsent_bytes(SessionId session) const {
  const auto it = sessions_.find(session.value);
  if (it == sessions_.end()) return std::nullopt;
  return it->second->unsent_bytes();
}

void Server::post(std::chrono::milliseconds delay, std::function<void()> task) {
  auto timer = std::make_shared<asio::steady_timer>(io_, delay);
  timer->async_wait([timer, task = std::move(task)](std::error_code error) {
    if (!error) task();
  });
}

void Server::close_all() {
  std::error_code ignored;
  acceptor_.close(ignored);
  for (auto& [id, session] : sessions_) session->close_with_logout("server stopping");
}

asio::awaitable<void> Server::accept_loop() {
  using asio::experimental::as_tuple;
  asio::steady_timer pause(io_);
  while (acceptor_.is_open()) {  // one connection per iteration until the listener closes
    auto [ec, socket] = co_await acceptor_.async_accept(as_tuple(asio::use_awaitable));
    if (ec) {
      if (!acceptor_.is_open()) co_return;
      log(LogLevel::warn, "accept failed: " + ec.message());
      pause.expires_after(accept_error_pause);
      co_await pause.async_wait(as_tuple(asio::use_awaitable));
      continue;
    }
    std::error_code error;
    const asio::ip::tcp::endpoint remote = socket.remote_endpoint(error);
    if (error) {  // the peer is gone already
      socket.close(error);
      continue;
    }
    const asio::ip::address address = counted_address(remote.address());
    // Refused before the TLS handshake, so that a flood costs no crypto.
    if (const std::optional<Refusal> refusal = refusal_of(address)) {
      // Logged before it is counted: whoever sees the count sees the line (or its tally).
      log_refusal(refusal->limit, remote.address());
      ++*refusal->counter;
      socket.close(error);
      continue;
    }
    admit(std::move(socket), address);
  }
}

std::optional<Server::Refusal> Server::refusal_of(const asio::ip::address& address) {
  if (counters_.sessions_active.load() >= config_.connections_max) {
    return Refusal{&counters_.connections_refused_cap, "connections_max"};
  }
  if (counters_.sessions_not_logged_on.load() >= config_.connections_not_logged_on_max) {
    return Refusal{&counters_.connections_refused_unauthenticated, "connections_not_logged_on_max"};
  }
  const auto of_address = not_logged_on_by_address_.find(address);
  if (of_address != not_logged_on_by_address_.end() &&
      of_address->second >= config_.connections_not_logged_on_per_address_max) {
    return Refusal{&counters_.connections_refused_unauthenticated,
                   "connections_not_logged_on_per_address_max"};
  }
  return std::nullopt;
}

void Server::log_refusal(std::string_view limit, const asio::ip::address& address) {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_refusal_log_) {
    ++refusals_not_logged_;
    return;
  }
  std::string text =
      "connection from " + address.to_string() + " refused: " + std::string(limit) + " reached";
  if (refusals_not_logged_ > 0) {
    text +=
        " (and " + std::to_string(refusals_not_logged_) + " more refused since the last such line)";
  }
  log(LogLevel::warn, text);
  next_refusal_log_ = now + refusal_log_interval;
  refusals_not_logged_ = 0;
}

void Server::admit(asio::ip::tcp::socket socket, const asio::ip::address& address) {
  counters_.connections_accepted++;
  counters_.sessions_active++;
  counters_.sessions_not_logged_on++;
  ++not_logged_on_by_address_[address];
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  const SessionId id{next_session_id_++};
  auto session = std::make_shared<Session>(*session_context_, id, std::move(socket), tls_, address);
  sessions_.emplace(id.value, session);
  session->start();
}

void Server::end_logon_phase(const asio::ip::address& address) {
  const auto of_address = not_logged_on_by_address_.find(address);
  if (of_address == not_logged_on_by_address_.end() || of_address->second == 0) {
    assert(false && "a connection leaves its logon phase once, after it was counted");
    return;
  }
  if (--of_address->second == 0) not_logged_on_by_address_.erase(of_address);
}

}  // namespace ghx::gateway
