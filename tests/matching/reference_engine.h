#pragma once
// A small, obviously correct reference for the matching engine, for the differential test.
//
// Same rules, none of the speed: std::map books of std::list queues, linear scans, no pools.
// Where the engine's rules need explaining, the comments here say them in plain words. It
// shares only the public types and the notional, fee and penalty formulas' definitions
// (re-derived in reference_engine.cpp).

#include <array>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <queue>
#include <set>
#include <tuple>
#include <vector>

#include "matching/engine.h"

namespace ghx::matching::testing {

class ReferenceEngine {
 public:
  explicit ReferenceEngine(const EngineConfig& config) : config_(config) {}
  void process(const Command& command, std::vector<Event>& events);

  // For the test's coverage figures: the self-trades met in uncrosses, by the taker's mode.
  uint64_t uncross_self_trades(SelfTradePrevention mode) const {
    return uncross_self_trades_[static_cast<size_t>(mode)];
  }

 private:
  struct Order {
    uint64_t id = 0;
    uint64_t client_id = 0;
    int64_t price = 0;
    int64_t remaining = 0;
    int64_t expire_ns = 0;
    uint32_t participant = 0;
    uint32_t product = 0;
    Side side = Side::buy;
    SelfTradePrevention self_trade = SelfTradePrevention::cancel_taker;
    TimeInForce time_in_force = TimeInForce::good_till_gate_closure;
    bool post_only = false;
  };
  // Levels by price; each a queue in time priority.
  using Levels = std::map<int64_t, std::list<Order>>;
  struct Product {
    ProductSpec spec;
    ProductState state = ProductState::trading;
    Levels bids;  // best = highest
    Levels asks;  // best = lowest
    int64_t uncross_ns = 0;  // in auction: when it uncrosses by itself; 0 = when told to
  };
  struct Funds {
    int64_t available = 0;
    int64_t held = 0;
  };
  // A seller's lots of one product, and the cash its sales of them will pay at delivery end.
  struct Capacity {
    int64_t available = 0;
    int64_t held = 0;
    int64_t proceeds = 0;  // notional less seller fee of each fill, less each failed trade's
  };
  using Key = std::pair<uint32_t, uint64_t>;

  // Book access.
  Levels& levels(uint32_t product, Side side) {
    return side == Side::buy ? products_[product].bids : products_[product].asks;
  }
  // The best level of a side, or nullptr.
  std::pair<const int64_t, std::list<Order>>* best(uint32_t product, Side side);
  Order* find_live(uint32_t participant, uint64_t client_id);
  bool crosses(Side taker_side, int64_t limit, int64_t price) const {
    return taker_side == Side::buy ? price <= limit : price >= limit;
  }
  int64_t hold_of(const Order& order) const;
  void release(const Order& order);
  void take(const Order& order);

  // Events.
  Event& emit(EventType type);
  Event& emit_order(EventType type, const Order& order);
  void reject(const Command& command, RejectReason reason);
  void touch(uint32_t product, Side side, int64_t price);
  void flush();

  // Order lifecycle.
  void unlink(const Order& order, bool on_book);  // forget a done order (book, client id)
  void cancel(Order order, CancelReason reason, bool on_book);
  void expire(Order order, ExpireReason reason);
  enum class End { done, self_trade };
  End match(Order& taker);
  void fill(Order& taker, Order& maker, int64_t price);
  int64_t executable(const Order& taker, int64_t needed);
  void finish(Order& taker, End end, bool market);
  int64_t collar(uint32_t product, Side side);

  void run_due();
  void new_order(const Command& command);
  RejectReason check_new(const Command& command);
  void cancel_order(const Command& command);
  void replace(const Command& command);
  void mass_cancel(const Command& command);
  void cancel_all_of(uint32_t participant, const uint32_t* product, CancelReason reason);
  void status(const Command& command);
  bool emit_status(uint32_t participant, uint64_t client_id);
  void funds(const Command& command);
  void capacity(const Command& command);
  void list(const Command& command);
  RejectReason check_fail_trade(const Command& command);
  int64_t lost_proceeds(const Command& command);
  void fail_trade(const Command& command);
  void halt(const Command& command);
  void resume(const Command& command);
  void suspend(const Command& command);
  void reinstate(const Command& command);
  void pay_proceeds(uint32_t product);

  // Call auctions (reference_engine.cpp, at the end).
  void start_auction(const Command& command);
  void uncross_auction(const Command& command);
  void uncross(uint32_t product);
  bool uncross_price(uint32_t product, int64_t& price);
  int64_t execute_pass(uint32_t product, int64_t price);
  void rest(const Order& order);

  // Block orders (reference_engine.cpp, at the end).
  void new_block_order(const Command& command);
  RejectReason check_block(const Command& command, std::vector<uint32_t>& windows, uint32_t& at);
  RejectReason check_block_cover(const Command& command, const std::vector<uint32_t>& windows,
                                 uint32_t& at);
  bool find_window(uint32_t first, int64_t k, uint32_t& window) const;
  Order block_part(const Command& command, uint32_t window) const;

  EngineConfig config_;
  std::vector<Product> products_;
  std::map<uint32_t, Funds> cash_;
  std::set<uint32_t> suspended_;               // participants the operator has suspended
  std::map<Key, Capacity> capacity_;           // (participant, product)
  // Trades that failed, by product: a trade fails once.
  // Per product: trade id -> (the trade's lots, lots failed so far).
  std::map<uint32_t, std::map<uint64_t, std::pair<int64_t, int64_t>>> failed_trades_;
  std::map<Key, uint64_t> client_ids_;         // -> live order id, 0 once done
  std::map<uint64_t, Key> live_;               // order id -> (participant, client id)
  // (expiry time, order id) of every good-till-time order accepted, earliest first; an entry
  // whose order is no longer live is dropped when it reaches the top.
  std::priority_queue<std::pair<int64_t, uint64_t>, std::vector<std::pair<int64_t, uint64_t>>,
                      std::greater<>>
      expiries_;
  int64_t now_ = 0;
  uint64_t sequence_ = 0;
  uint64_t next_trade_id_ = 1;
  std::vector<Event>* events_ = nullptr;
  std::vector<std::tuple<uint32_t, Side, int64_t>> touched_;
  std::array<uint64_t, 3> uncross_self_trades_{};  // by the taker's SelfTradePrevention
};

}  // namespace ghx::matching::testing
