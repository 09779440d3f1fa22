#include "gateway/session.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "gateway/certs.h"
#include "gateway/log.h"
#include "gateway/tls.h"
#include "gateway/wire_build.h"

namespace ghx::gateway {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

int64_t system_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Bytes a read may take beyond a partial frame: a TLS record's worth.
constexpr size_t read_chunk_bytes = 16 * 1024;

// Framing errors leave the stream unusable (or the peer untrustworthy): the session ends.
bool is_fatal(wire::ErrorCode code) {
  return code == wire::ErrorCode::MalformedFrame || code == wire::ErrorCode::FrameTooLarge ||
         code == wire::ErrorCode::VerificationFailed;
}

template <typename Subscription>
uint32_t products_named(const Subscription& request) {
  return (request.symbols() != nullptr ? request.symbols()->size() : 0) +
         (request.product_ids() != nullptr ? request.product_ids()->size() : 0);
}

// What a message costs of the session's rate limit, in messages (ServerConfig says why).
uint32_t rate_cost_messages(const wire::Message& message, const ServerConfig& config) {
  switch (message.body_type()) {
    case wire::Body::Subscribe:
      return std::max(1u, products_named(*message.body_as_Subscribe()));
    case wire::Body::Unsubscribe:
      return std::max(1u, products_named(*message.body_as_Unsubscribe()));
    case wire::Body::ListProducts:
      return std::max(1u, config.rate_list_products_cost_messages);
    default:
      return 1;
  }
}

std::string remote_text(const asio::ip::tcp::socket& socket) {
  std::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("?") : endpoint.address().to_string() + ":" +
                                     std::to_string(endpoint.port());
}

}  // namespace

Session::Session(SessionContext& context, SessionId id, asio::ip::tcp::socket socket,
                 asio::ssl::context& tls, asio::ip::address counted_address)
    : context_(context),
      stream_(std::move(socket), tls),
      remote_(remote_text(stream_.next_layer())),
      counted_address_(counted_address),
      bucket_(context.config.rate_messages_per_second, context.config.rate_burst_messages),
      watchdog_timer_(stream_.get_executor()),
      writer_wake_(stream_.get_executor(), Clock::time_point::max()),
      writer_done_signal_(stream_.get_executor(), Clock::time_point::max()) {
  info_.id = id;
}

void Session::start() {
  asio::co_spawn(stream_.get_executor(), [self = shared_from_this()] { return self->run(); },
                 asio::detached);
}

bool Session::send(std::span<uint8_t> frame) {
  return send(frame, system_now_ns(), Clock::now());
}

bool Session::send(std::span<uint8_t> frame, int64_t sending_time_ns, Clock::time_point now) {
  if (draining_ || stopping_ || ended_ || !stream_.lowest_layer().is_open()) return false;
  const ServerConfig& config = context_.config;
  const size_t unsent = unsent_bytes() + frame.size();
  if (unsent > config.outbound_bytes_hard_max) {
    close_slow_consumer("outbound_bytes_hard_max reached");
    return false;
  }
  // All sessions together are bounded as well: when they hold outbound_bytes_total_max, one
  // past its own soft limit gets no grace, so that sessions stalled on purpose cannot take
  // more memory than the soft limits of a full server would.
  if (unsent > config.outbound_bytes_max &&
      context_.outbound_bytes_total + frame.size() > config.outbound_bytes_total_max) {
    close_slow_consumer("outbound_bytes_total_max reached");
    return false;
  }
  // Past the soft limit the backlog may stay only so long (the watchdog enforces it).
  if (unsent > config.outbound_bytes_max && backlog_deadline_ == Clock::time_point::max()) {
    arm(backlog_deadline_, now + milliseconds(config.outbound_backlog_timeout_ms));
  }
  if (!stamp_frame(frame, sequence_ + 1, sending_time_ns)) {
    assert(false && "frames sent by the gateway are made by finish_frame");
    return false;
  }
  ++sequence_;
  if (frame_message(frame).body_type() == wire::Body::Heartbeat) ++outbound_heartbeats_;
  outbound_.insert(outbound_.end(), frame.begin(), frame.end());
  ++outbound_frames_;
  recount_unsent();
  arm(heartbeat_due_, now + milliseconds(context_.config.heartbeat_interval_ms));
  writer_wake_.cancel();
  return true;
}

void Session::close() { close_socket(); }

void Session::close_with_logout(std::string_view reason) {
  if (draining_ || stopping_ || ended_) return;  // closing already, within its close deadline
  if (!logged_on_ || !send(make_logout(reason))) {
    close_socket();
    return;
  }
  // Nothing is sent after the Logout. The read loop ends (its read is cancelled, or it sees
  // stopping_ before the next), and run() goes on to the orderly close (shut_down), which
  // flushes the Logout within close_timeout_ms.
  stopping_ = true;
  read_cancel_.emit(asio::cancellation_type::terminal);
}

asio::awaitable<void> Session::run() {
  arm_read(context_.config.handshake_timeout_ms, "handshake");
  asio::co_spawn(stream_.get_executor(), [self = shared_from_this()] { return self->watchdog(); },
                 asio::detached);
  if (co_await handshake()) {
    asio::co_spawn(stream_.get_executor(),
                   [self = shared_from_this()] { return self->writer(); }, asio::detached);
    try {
      co_await read_loop();
    } catch (const std::exception& e) {
      // The peer went away, a deadline closed the socket, or the server is stopping.
      log(LogLevel::info, stopping_ ? describe() + ": logging out, the server is stopping"
                                    : describe() + ": connection ended in phase " +
                                          std::string(phase_) + ": " + e.what());
    }
    co_await shut_down();
  }
  end();
}

asio::awaitable<bool> Session::handshake() {
  try {
    co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
  } catch (const std::exception& e) {
    context_.counters.handshakes_failed++;
    log(LogLevel::warn, describe() + ": TLS handshake failed: " + e.what());
    close_socket();
    co_return false;
  }
  // OpenSSL has verified the chain to our CA; the subject CN names the participant.
  info_.participant = peer_common_name(stream_.native_handle());
  if (!is_valid_participant_name(info_.participant)) {
    context_.counters.certificates_refused++;
    log(LogLevel::warn, describe() + ": certificate CN is not a valid participant name");
    close_socket();
    co_return false;
  }
  // Room for a whole frame of the largest size plus a read's worth beyond a partial one.
  read_buffer_.resize(frame_prefix_bytes + context_.config.frame.frame_bytes_max +
                      read_chunk_bytes);
  co_return true;
}

asio::awaitable<void> Session::read_loop() {
  const ServerConfig& config = context_.config;
  // Bounded by the read deadlines: every iteration either reads in time or throws. Each read
  // takes whatever has arrived (often many frames), and every complete frame is handled before
  // the next read.
  while (stream_.lowest_layer().is_open() && !stopping_) {
    bool stop = false;
    const bool progressed = handle_buffered(stop);
    if (stop) co_return;
    if (read_bytes_ == 0) {
      in_frame_ = false;
      arm_read(logged_on_ ? config.idle_timeout_ms : config.logon_timeout_ms,
               logged_on_ ? "idle" : "logon");
    } else if (logged_on_ && (progressed || !in_frame_)) {
      // A frame has begun: its last byte must arrive within frame_timeout_ms from now. (Before
      // Logon the logon deadline stays the bound: a frame's first bytes must not push it out.)
      in_frame_ = true;
      arm_read(config.frame_timeout_ms, "frame");
    }
    const size_t bytes = co_await stream_.async_read_some(
        asio::buffer(read_buffer_.data() + read_bytes_, read_buffer_.size() - read_bytes_),
        asio::bind_cancellation_slot(read_cancel_.slot(), asio::use_awaitable));
    read_bytes_ += bytes;
    read_time_ns_ = steady_now_ns();  // once per read, for every frame it brought
  }
}

// Handles every complete frame in the read buffer and keeps the partial rest. Returns whether
// any frame was consumed; sets `stop` when the session must end.
bool Session::handle_buffered(bool& stop) {
  const ServerConfig& config = context_.config;
  size_t offset = 0;
  while (read_bytes_ - offset >= frame_prefix_bytes) {
    const uint32_t body_bytes = read_length_prefix(
        std::span<const uint8_t, frame_prefix_bytes>(read_buffer_.data() + offset,
                                                     frame_prefix_bytes));
    if (Check length = check_length(body_bytes, config.frame); !length.ok()) {
      bad_frame(length, nullptr);
      stop = true;  // the stream cannot be resynchronised
      return true;
    }
    const size_t frame_bytes = frame_prefix_bytes + body_bytes;
    if (read_bytes_ - offset < frame_bytes) break;
    std::span<const uint8_t> frame(read_buffer_.data() + offset, frame_bytes);
    offset += frame_bytes;
    if (reinterpret_cast<uintptr_t>(frame.data()) % alignof(uint64_t) != 0) {
      aligned_frame_.assign(frame.begin(), frame.end());  // the Verifier checks alignment
      frame = aligned_frame_;
    }
    const Decoded decoded = decode_frame(frame, config.frame, Direction::to_server);
    if (!decoded.check.ok()) {
      bad_frame(decoded.check, decoded.message);
      if (is_fatal(decoded.check.code) || !logged_on_) stop = true;
    } else if (!handle(*decoded.message, frame)) {
      stop = true;
    }
    if (stop) return true;
  }
  if (offset > 0) {
    std::memmove(read_buffer_.data(), read_buffer_.data() + offset, read_bytes_ - offset);
    read_bytes_ -= offset;
  }
  return offset > 0;
}

bool Session::handle(const wire::Message& message, std::span<const uint8_t> frame) {
  context_.counters.frames_received++;
  if (!logged_on_) return handle_logon(message);
  const uint32_t cost = rate_cost_messages(message, context_.config);
  if (cost > bucket_.burst()) {  // waiting would not help: say so rather than drop it each time
    context_.counters.rate_limited++;
    reject(wire::ErrorCode::RateLimited,
           "message dropped: it costs " + std::to_string(cost) +
               " messages of the rate limit, more than its whole burst of " +
               std::to_string(bucket_.burst()) +
               " (a Subscribe or Unsubscribe costs one per product it names)",
           message.sequence());
    return true;
  }
  if (!bucket_.try_take(read_time_ns_, cost)) {
    context_.counters.rate_limited++;
    reject(wire::ErrorCode::RateLimited, "rate limit exceeded: message dropped",
           message.sequence());
    return true;
  }
  switch (message.body_type()) {
    case wire::Body::Logon:
      reject(wire::ErrorCode::AlreadyLoggedOn, "already logged on", message.sequence());
      return true;
    case wire::Body::Heartbeat: {
      context_.counters.heartbeats_received++;
      const uint64_t request = message.body_as_Heartbeat()->test_request_id();
      if (request != 0) send(make_heartbeat(request));  // a test request is answered at once
      return true;
    }
    case wire::Body::Logout:
      log(LogLevel::info, describe() + ": logout");
      send(make_logout("goodbye"));
      return false;
    default:
      context_.handler.on_message(info_, message, frame);
      return true;
  }
}

bool Session::handle_logon(const wire::Message& message) {
  if (message.body_type() != wire::Body::Logon) {
    context_.counters.messages_before_logon++;
    reject(wire::ErrorCode::NotLoggedOn, "the first message must be Logon; closing",
           message.sequence());
    return false;
  }
  const wire::Logon& logon = *message.body_as_Logon();
  if (logon.participant() != nullptr && logon.participant()->size() > 0 &&
      logon.participant()->string_view() != info_.participant) {
    context_.counters.logons_refused++;
    reject(wire::ErrorCode::LogonRefused, "Logon.participant differs from the certificate",
           message.sequence());
    return false;
  }
  info_.cancel_on_disconnect = logon.cancel_on_disconnect();
  const flatbuffers::Optional<uint64_t> last_report = logon.last_report_sequence();
  if (last_report.has_value()) info_.last_report_sequence = *last_report;
  const LogonDecision decision = context_.handler.on_logon(info_);
  if (!decision.accept) {
    context_.counters.logons_refused++;
    reject(wire::ErrorCode::LogonRefused, decision.text, message.sequence());
    return false;
  }
  logged_on_ = true;
  end_logon_phase();
  context_.counters.logons_accepted++;
  log(LogLevel::info, describe() + ": logged on");
  send(make_logon_ack({.session_id = info_.id.value,
                       .participant = info_.participant,
                       .cancel_on_disconnect = info_.cancel_on_disconnect,
                       .heartbeat_interval_ms = context_.config.heartbeat_interval_ms,
                       .idle_timeout_ms = context_.config.idle_timeout_ms}));
  context_.handler.on_logged_on(info_);
  return true;
}

void Session::bad_frame(const Check& check, const wire::Message* message) {
  GatewayCounters& counters = context_.counters;
  switch (check.code) {
    case wire::ErrorCode::FrameTooLarge: counters.frames_too_large++; break;
    case wire::ErrorCode::MalformedFrame: counters.frames_malformed++; break;
    case wire::ErrorCode::VerificationFailed: counters.frames_verification_failed++; break;
    default: counters.messages_invalid++; break;
  }
  reject(check.code, check.detail, message ? message->sequence() : 0);
}

void Session::reject(wire::ErrorCode code, std::string_view detail, uint64_t ref_sequence) {
  context_.counters.rejects_sent++;
  // A client sending bad or excess messages as fast as it can must not fill the disk, or hold
  // the network thread on a slow stderr: the first rejects of a session are logged, the rest
  // only counted (GatewayCounters), and the session's total is logged when it closes.
  ++rejects_;
  if (rejects_ <= rejects_logged_max) {
    log(LogLevel::warn, describe() + ": reject " + wire::EnumNameErrorCode(code) + ": " +
                            std::string(detail) +
                            (rejects_ == rejects_logged_max
                                 ? " (further rejects of this session are counted, not logged)"
                                 : ""));
  }
  send(make_reject(code, detail, ref_sequence));
}

asio::awaitable<void> Session::writer() {
  try {
    // Bounded by the session's life: ends when draining with nothing left, or on any error.
    while (stream_.lowest_layer().is_open()) {
      if (outbound_.empty()) {
        if (draining_) break;
        std::error_code ignored;
        co_await writer_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        continue;
      }
      // Everything queued goes out in one write.
      writing_.swap(outbound_);
      const uint32_t frames = std::exchange(outbound_frames_, 0);
      const uint32_t heartbeats = std::exchange(outbound_heartbeats_, 0);
      arm(write_deadline_, Clock::now() + milliseconds(context_.config.write_timeout_ms));
      co_await asio::async_write(stream_, asio::buffer(writing_), asio::use_awaitable);
      write_deadline_ = Clock::time_point::max();
      writing_.clear();
      recount_unsent();
      if (unsent_bytes() <= context_.config.outbound_bytes_max) {
        backlog_deadline_ = Clock::time_point::max();  // the reader caught up
      }
      context_.counters.frames_sent += frames;
      context_.counters.heartbeats_sent += heartbeats;
    }
  } catch (const std::exception& e) {
    log(LogLevel::debug, describe() + ": write failed: " + e.what());
    close_socket();
  }
  writer_done_ = true;
  writer_done_signal_.cancel();
}

asio::awaitable<void> Session::watchdog() {
  std::error_code ignored;
  while (!ended_) {  // each wait ends at the nearest deadline, or earlier when one moves closer
    const Clock::time_point now = Clock::now();
    if (backlog_deadline_ <= now) {
      close_slow_consumer("past outbound_bytes_max for outbound_backlog_timeout_ms");
      co_return;
    }
    if (read_deadline_ <= now || write_deadline_ <= now) {
      context_.counters.timeouts++;
      log(LogLevel::warn, describe() + ": deadline passed in phase " +
                              std::string(write_deadline_ <= now ? "write" : phase_));
      close_socket();
      co_return;
    }
    if (logged_on_ && !draining_ && heartbeat_due_ <= now) send(make_heartbeat());
    watchdog_timer_.expires_at(std::min({read_deadline_, write_deadline_, backlog_deadline_,
                                         logged_on_ ? heartbeat_due_ : Clock::time_point::max()}));
    co_await watchdog_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Session::shut_down() {
  // Flush what is queued (typically a final Reject or Logout), then close TLS politely; the
  // close deadline bounds both.
  draining_ = true;
  arm_read(context_.config.close_timeout_ms, "closing");
  writer_wake_.cancel();
  std::error_code ignored;
  if (!writer_done_) {
    co_await writer_done_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (stream_.lowest_layer().is_open()) {
    // A stop sends its close_notify but does not wait for the peer's: its client may not be
    // reading, and the server's stop would wait for each such session's close deadline.
    if (stopping_) SSL_set_shutdown(stream_.native_handle(), SSL_RECEIVED_SHUTDOWN);
    co_await stream_.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
  }
  close_socket();
}

void Session::end() {
  assert(!ended_);
  ended_ = true;
  close_socket();
  watchdog_timer_.cancel();
  outbound_.clear();  // never to be sent: the server's total no longer holds them
  writing_.clear();
  recount_unsent();
  context_.counters.sessions_closed++;
  context_.counters.sessions_active--;
  if (!logged_on_) end_logon_phase();
  if (logged_on_) context_.handler.on_disconnect(info_);
  log(LogLevel::info,
      describe() + ": closed" +
          (rejects_ > rejects_logged_max ? " (" + std::to_string(rejects_) + " rejects sent)"
                                         : std::string()));
  context_.on_closed(info_.id);
}

void Session::end_logon_phase() {
  context_.counters.sessions_not_logged_on--;
  context_.on_logon_phase_ended(counted_address_);
}

void Session::arm_read(uint32_t timeout_ms, std::string_view phase) {
  phase_ = phase;
  arm(read_deadline_, Clock::now() + milliseconds(timeout_ms));
}

void Session::arm(Clock::time_point& deadline, Clock::time_point value) {
  deadline = value;
  // Wake the watchdog when a deadline moves closer than the time it sleeps until.
  if (value < watchdog_timer_.expiry()) watchdog_timer_.cancel();
}

void Session::close_slow_consumer(std::string_view limit) {
  context_.counters.send_queue_overflows++;
  log(LogLevel::warn, describe() + ": slow consumer (" + std::string(limit) + ", " +
                          std::to_string(unsent_bytes()) + " bytes unsent), closing");
  close_socket();
}

void Session::recount_unsent() {
  context_.outbound_bytes_total -= unsent_counted_;
  unsent_counted_ = unsent_bytes();
  context_.outbound_bytes_total += unsent_counted_;
}

void Session::close_socket() {
  std::error_code ignored;
  stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
  writer_wake_.cancel();
}

std::string Session::describe() const {
  return "session " + std::to_string(info_.id.value) + " [" + remote_ +
         (info_.participant.empty() ? "" : " " + info_.participant) + "]";
}

}  // namespace ghx::gateway
