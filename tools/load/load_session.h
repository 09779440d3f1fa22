#pragma once
// One ghx-load session: an asynchronous TLS connection (Asio, on the io_context of one load
// thread, so that a session needs no locks) that logs on with a participant's certificate and
// then sends limit orders at a paced rate or as fast as its in-flight window allows, timing
// each order from the moment it is written to the arrival of its ExecutionReport Accepted or
// Rejected (or a session Reject such as RateLimited).
//
// Orders of one session carry client order ids (run << 40 | session << 32 | index), so that the
// session can tell its own reports from the copies the exchange sends to every session of the
// same participant, and so that ids stay unique per participant across runs.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/framing.h"
#include "tools/load/latency_histogram.h"

namespace ghx::load {

using Clock = std::chrono::steady_clock;

struct SessionPlan {
  uint32_t index = 0;           // session number, < 256
  uint64_t run_id = 0;          // < 2^23, unique per run
  std::string participant;
  wire::Side side = wire::Side::Buy;
  std::vector<std::string> symbols;  // orders go round-robin over these
  std::vector<int64_t> prices;       // one per symbol: buyers and sellers meet there
  double rate_per_s = 0;        // 0: as fast as the in-flight window allows
  uint32_t inflight_max = 512;  // orders sent and not yet acknowledged
  std::atomic<uint32_t>* ready = nullptr;  // counts sessions logged on (or failed): set by main
};

struct SessionResult {
  bool logged_on = false;
  bool failed = false;
  std::string error;
  uint64_t sent = 0;
  uint64_t acked = 0;     // Accepted or Rejected (or a session Reject) received
  uint64_t rejects = 0;
  uint64_t fills = 0;     // fill reports of this session's orders
  Clock::time_point first_send{};
  Clock::time_point last_ack{};
  LatencyHistogram latency;
};

class LoadSession {
 public:
  LoadSession(asio::io_context& io, asio::ssl::context& tls, SessionPlan plan);

  // Connects, handshakes and logs on; result().logged_on tells when that is done.
  void start(const asio::ip::tcp::endpoint& server);
  // Sends orders from `start` until `end`, then drains acks until `drain_end` and closes.
  // Must be called on the session's io_context thread (asio::post).
  void run_orders(Clock::time_point start, Clock::time_point end, Clock::time_point drain_end);

  const SessionResult& result() const { return result_; }

 private:
  static constexpr size_t ring_size = 1 << 16;  // send times, indexed by order index

  void fail(const std::string& what, const std::error_code& ec);
  void read_more();
  void on_read(size_t bytes);
  void on_frame(const wire::Message& message);
  void on_ack(uint64_t order_index, bool rejected);
  void pump();
  void append_order(uint64_t order_index, Clock::time_point now);
  void write_pending();
  void write_frame(gateway::Frame frame);
  void tick();
  void finish();

  asio::io_context& io_;
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  asio::steady_timer timer_;
  SessionPlan plan_;
  SessionResult result_;
  std::vector<uint8_t> inbound_;
  size_t inbound_bytes_ = 0;
  std::vector<uint8_t> pending_;  // frames waiting for the write in flight to finish
  std::vector<uint8_t> writing_;
  bool write_in_flight_ = false;
  uint64_t sequence_ = 0;         // last client sequence stamped
  uint64_t orders_sent_ = 0;
  uint64_t inflight_ = 0;
  bool sending_ = false;
  bool closed_ = false;
  Clock::time_point start_{}, end_{}, drain_end_{};
  std::vector<Clock::time_point> sent_at_;
};

}  // namespace ghx::load
