#include "tools/load/load_session.h"

#include <cassert>
#include <cstring>

#include "gateway/wire_build.h"

namespace ghx::load {
namespace {

constexpr int client_id_session_shift = 32;
constexpr int client_id_run_shift = 40;
constexpr uint64_t order_index_mask = (uint64_t{1} << client_id_session_shift) - 1;
constexpr uint64_t logon_sequence = 1;  // orders follow: order i has sequence i + 2
constexpr auto tick_interval = std::chrono::milliseconds(1);
constexpr size_t orders_per_pump_max = 4096;  // bounds one write's size (~0.5 MB)
constexpr size_t read_chunk_bytes = 256 * 1024;

int64_t system_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LoadSession::LoadSession(asio::io_context& io, asio::ssl::context& tls, SessionPlan plan)
    : io_(io),
      stream_(io, tls),
      timer_(io),
      plan_(std::move(plan)),
      inbound_(read_chunk_bytes + gateway::frame_prefix_bytes + gateway::frame_bytes_max_default),
      sent_at_(ring_size) {
  assert(plan_.inflight_max <= ring_size);
  assert(!plan_.symbols.empty() && plan_.symbols.size() == plan_.prices.size());
  pending_.reserve(1 << 20);
  writing_.reserve(1 << 20);
}

void LoadSession::fail(const std::string& what, const std::error_code& ec) {
  if (closed_) return;
  result_.failed = true;
  result_.error = plan_.participant + ": " + what + ": " + ec.message();
  finish();
}

void LoadSession::start(const asio::ip::tcp::endpoint& server) {
  stream_.lowest_layer().async_connect(server, [this](std::error_code ec) {
    if (ec) return fail("connect", ec);
    stream_.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ec);
    stream_.async_handshake(asio::ssl::stream_base::client, [this](std::error_code ec) {
      if (ec) return fail("TLS handshake", ec);
      // cancel-on-disconnect clears what rests when the run ends.
      gateway::Frame logon = gateway::make_logon({.participant = plan_.participant});
      gateway::stamp_frame(logon, ++sequence_, system_now_ns());
      assert(sequence_ == logon_sequence);
      write_frame(std::move(logon));
      read_more();
    });
  });
}

void LoadSession::read_more() {
  if (closed_) return;
  stream_.async_read_some(
      asio::buffer(inbound_.data() + inbound_bytes_, inbound_.size() - inbound_bytes_),
      [this](std::error_code ec, size_t bytes) {
        if (ec) {
          if (!closed_ && sending_) fail("read", ec);
          else finish();
          return;
        }
        on_read(bytes);
        // At full speed, refill the window once per read rather than per ack: fewer, larger
        // writes.
        if (sending_ && plan_.rate_per_s == 0 && !closed_) pump();
        read_more();
      });
}

void LoadSession::on_read(size_t bytes) {
  inbound_bytes_ += bytes;
  size_t offset = 0;
  const gateway::FrameLimits limits;
  while (inbound_bytes_ - offset >= gateway::frame_prefix_bytes) {
    const uint32_t body = gateway::read_length_prefix(
        std::span<const uint8_t, gateway::frame_prefix_bytes>(inbound_.data() + offset, 4));
    if (!gateway::check_length(body, limits).ok()) {
      return fail("bad frame length", std::make_error_code(std::errc::bad_message));
    }
    const size_t frame_bytes = gateway::frame_prefix_bytes + body;
    if (inbound_bytes_ - offset < frame_bytes) break;
    // The Verifier checks alignment relative to the frame start: copy unaligned frames.
    std::span<const uint8_t> frame(inbound_.data() + offset, frame_bytes);
    gateway::Frame aligned;
    if (offset % 8 != 0) {
      aligned.assign(frame.begin(), frame.end());
      frame = aligned;
    }
    const gateway::Decoded decoded =
        gateway::decode_frame(frame, limits, gateway::Direction::to_client);
    if (!decoded.check.ok()) {
      return fail("bad frame: " + std::string(decoded.check.detail),
                  std::make_error_code(std::errc::bad_message));
    }
    on_frame(*decoded.message);
    offset += frame_bytes;
  }
  std::memmove(inbound_.data(), inbound_.data() + offset, inbound_bytes_ - offset);
  inbound_bytes_ -= offset;
}

void LoadSession::on_frame(const wire::Message& message) {
  if (message.body_type() == wire::Body::LogonAck) {
    result_.logged_on = true;
    plan_.ready->fetch_add(1);
    return;
  }
  if (const auto* reject = message.body_as_Reject()) {
    if (!result_.logged_on) {
      result_.error = plan_.participant + ": logon refused";
      result_.failed = true;
      return finish();
    }
    if (reject->ref_sequence() > logon_sequence) on_ack(reject->ref_sequence() - 2, true);
    return;
  }
  const auto* report = message.body_as_ExecutionReport();
  if (report == nullptr) return;
  const uint64_t id = report->client_order_id();
  if ((id >> client_id_run_shift) != plan_.run_id ||
      ((id >> client_id_session_shift) & 0xff) != plan_.index) {
    return;  // another session's order (drop copy) or a previous run's
  }
  switch (report->exec_type()) {
    case wire::ExecType::Accepted: on_ack(id & order_index_mask, false); break;
    case wire::ExecType::Rejected: on_ack(id & order_index_mask, true); break;
    case wire::ExecType::PartiallyFilled:
    case wire::ExecType::Filled: ++result_.fills; break;
    default: break;
  }
}

void LoadSession::on_ack(uint64_t order_index, bool rejected) {
  if (order_index >= orders_sent_ || inflight_ == 0) return;
  const Clock::time_point now = Clock::now();
  const auto latency = now - sent_at_[order_index % ring_size];
  result_.latency.record(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count()));
  ++result_.acked;
  if (rejected) ++result_.rejects;
  result_.last_ack = now;
  --inflight_;
  if (!sending_ && inflight_ == 0 && now >= end_) finish();
}

void LoadSession::run_orders(Clock::time_point start, Clock::time_point end,
                             Clock::time_point drain_end) {
  start_ = start;
  end_ = end;
  drain_end_ = drain_end;
  sending_ = true;
  tick();
}

void LoadSession::tick() {
  if (closed_) return;
  const Clock::time_point now = Clock::now();
  if (sending_ && now >= end_) sending_ = false;
  if (!sending_ && (inflight_ == 0 || now >= drain_end_)) return finish();
  if (sending_ && now >= start_) pump();
  timer_.expires_after(tick_interval);
  timer_.async_wait([this](std::error_code ec) {
    if (!ec) tick();
  });
}

// Sends what the schedule (or, at full speed, the in-flight window) allows now.
void LoadSession::pump() {
  const Clock::time_point now = Clock::now();
  uint64_t due = UINT64_MAX;
  if (plan_.rate_per_s > 0) {
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    due = static_cast<uint64_t>(elapsed_s * plan_.rate_per_s);
  }
  size_t appended = 0;
  while (orders_sent_ < due && inflight_ < plan_.inflight_max &&
         appended < orders_per_pump_max) {
    append_order(orders_sent_, now);
    ++orders_sent_;
    ++inflight_;
    ++appended;
  }
  if (appended > 0) write_pending();
}

void LoadSession::append_order(uint64_t order_index, Clock::time_point now) {
  const size_t product = order_index % plan_.symbols.size();
  const uint64_t id = plan_.run_id << client_id_run_shift |
                      uint64_t{plan_.index} << client_id_session_shift | order_index;
  gateway::Frame frame = gateway::make_new_order({.client_order_id = id,
                                                  .symbol = plan_.symbols[product],
                                                  .side = plan_.side,
                                                  .price = plan_.prices[product],
                                                  .quantity = 1});
  gateway::stamp_frame(frame, ++sequence_, system_now_ns());
  assert(sequence_ == order_index + 2);
  pending_.insert(pending_.end(), frame.begin(), frame.end());
  sent_at_[order_index % ring_size] = now;
  if (result_.sent++ == 0) result_.first_send = now;
}

void LoadSession::write_frame(gateway::Frame frame) {
  pending_.insert(pending_.end(), frame.begin(), frame.end());
  write_pending();
}

void LoadSession::write_pending() {
  if (write_in_flight_ || pending_.empty() || closed_) return;
  writing_.swap(pending_);
  pending_.clear();
  write_in_flight_ = true;
  asio::async_write(stream_, asio::buffer(writing_), [this](std::error_code ec, size_t) {
    write_in_flight_ = false;
    writing_.clear();
    if (ec) return fail("write", ec);
    write_pending();
  });
}

void LoadSession::finish() {
  if (closed_) return;
  closed_ = true;
  if (!result_.logged_on) plan_.ready->fetch_add(1);  // main stops waiting for this one
  sending_ = false;
  timer_.cancel();
  std::error_code ignored;
  // Closing the socket ends the session; the server cancels its resting orders.
  stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
}

}  // namespace ghx::load
