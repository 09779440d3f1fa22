#include "tools/sim/opening_auction.h"

#include <algorithm>
#include <cassert>
#include <thread>

namespace ghx::sim {
namespace {

// Market data is read in slices this long, so that the caller's deadline is kept.
constexpr uint32_t receive_slice_ms = 100;

}  // namespace

std::vector<std::string> OpeningAuctions::start(std::span<const size_t> indexes,
                                                int64_t uncross_time_ns) {
  assert(auctions_.empty() && !listening_);
  std::vector<std::string> notes;
  if (indexes.empty()) return notes;
  std::string error;
  if (!ops_.open(error)) return {"no opening auction: " + error};
  std::vector<std::string> symbols;
  for (const size_t index : indexes) {
    assert(index < products_.size());
    const std::string& symbol = products_[index].row.symbol;
    if (!ops_.start_auction(symbol, uncross_time_ns, error)) {
      notes.push_back("no opening auction of " + symbol + ": " + error);
      continue;
    }
    auctions_.push_back({.product = index, .uncross_time_ns = uncross_time_ns});
    symbols.push_back(symbol);
  }
  // Trades only (no book): ops listens for the ProductStatus of each uncross.
  if (!symbols.empty() && !ops_.subscribe_trades(symbols, error_)) {
    notes.push_back("ops will not hear the uncross: " + error_);
  }
  listening_ = error_.empty() && !symbols.empty();
  if (!listening_) ops_.close();
  return notes;
}

bool OpeningAuctions::waiting() const {
  return listening_ && std::any_of(auctions_.begin(), auctions_.end(), [](const auto& auction) {
           return auction.outcome == OpeningAuction::Outcome::calling;
         });
}

std::vector<size_t> OpeningAuctions::watch_until(Clock::time_point until) {
  std::vector<size_t> changed;
  while (waiting() && Clock::now() < until) {  // bounded by `until`: each slice ends on time
    const auto left_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    const auto slice_ms = static_cast<uint32_t>(std::clamp<int64_t>(left_ms, 1, receive_slice_ms));
    gateway::Received received = ops_.receive(slice_ms);
    if (received.status == gateway::ClientStatus::ok) {
      const wire::ProductStatus* status = received.message().body_as_ProductStatus();
      if (status != nullptr) on_status(*status, changed);
    } else if (received.status != gateway::ClientStatus::timeout) {
      error_ = "ops stopped listening: " + ops_.last_error();
      listening_ = false;
    }
  }
  if (listening_ && !waiting()) {  // every auction is over: no more trades to read
    ops_.close();
    listening_ = false;
  }
  std::this_thread::sleep_until(until);
  return changed;
}

void OpeningAuctions::on_status(const wire::ProductStatus& status, std::vector<size_t>& changed) {
  for (size_t i = 0; i < auctions_.size(); ++i) {
    OpeningAuction& auction = auctions_[i];
    if (auction.outcome != OpeningAuction::Outcome::calling ||
        products_[auction.product].row.product_id != status.product_id()) {
      continue;
    }
    auction.state = status.state();
    if (status.state() == wire::ProductState::Auction) continue;
    // Back to trading from the call phase is the uncross; a halt or a gate closure ends it
    // without one.
    const bool uncrossed = status.state() == wire::ProductState::Trading;
    auction.outcome =
        uncrossed ? OpeningAuction::Outcome::uncrossed : OpeningAuction::Outcome::ended;
    auction.price = uncrossed ? status.uncross_price() : 0;
    auction.lots = uncrossed ? status.uncross_lots() : 0;
    changed.push_back(i);
  }
}

}  // namespace ghx::sim
