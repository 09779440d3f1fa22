#pragma once
// The demo market's opening auctions, as an exchange opens its trading day: before the traders
// start, ops opens the call phase of a few products, scheduled to uncross by itself some seconds
// later, so that their orders gather (crossed) in the book and then trade at one price. ops
// subscribes to those products' trades to hear each uncross: the ProductStatus that returns a
// product to trading tells the price and the lots. Used by the main thread only, between
// progress lines.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tools/sim/operator_session.h"
#include "tools/sim/trader.h"

namespace ghx::sim {

struct OpeningAuction {
  enum class Outcome : uint8_t {
    calling,    // in its call phase, as far as ops has heard
    uncrossed,  // traded again, after the uncross below
    ended,      // left the call phase without an uncross (halted, gate closed)
  };
  size_t product = 0;           // index into the market's products
  int64_t uncross_time_ns = 0;  // wall clock, ns since the epoch
  Outcome outcome = Outcome::calling;
  wire::ProductState state = wire::ProductState::Auction;  // the last state heard
  int64_t price = 0;  // uncrossed: minor units per GPU-hour (0 when nothing crossed)
  int64_t lots = 0;   // uncrossed: lots traded at the uncross
};

class OpeningAuctions {
 public:
  using Clock = std::chrono::steady_clock;

  OpeningAuctions(const Endpoint& endpoint, const std::vector<SimProduct>& products)
      : ops_(endpoint), products_(products) {}

  // Opens ops' session and the call phase of products[i] for each i of `indexes`, uncrossing
  // at `uncross_time_ns`. The demo goes on whatever happens: a product the exchange refuses
  // keeps trading, and the lines returned say why.
  std::vector<std::string> start(std::span<const size_t> indexes, int64_t uncross_time_ns);

  // Reads ops' market data until `until` (sleeps when there is nothing to wait for). Returns the
  // auctions (indexes into auctions()) that uncrossed or ended meanwhile.
  std::vector<size_t> watch_until(Clock::time_point until);

  const std::vector<OpeningAuction>& auctions() const { return auctions_; }
  // Why ops stopped listening before every auction was over; empty while it listens.
  const std::string& error() const { return error_; }
  void close() { ops_.close(); }

 private:
  bool waiting() const;
  void on_status(const wire::ProductStatus& status, std::vector<size_t>& changed);

  OperatorSession ops_;
  const std::vector<SimProduct>& products_;
  std::vector<OpeningAuction> auctions_;
  bool listening_ = false;
  std::string error_;
};

}  // namespace ghx::sim
