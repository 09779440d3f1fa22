// Call auctions over the whole exchange: the operator alone starts one; in its call phase
// crossing limit orders rest without trading (and the order types it does not take are
// refused); the uncross trades the crossed book at one price as ordinary fills, which the
// ledger settles like any other; subscribers hear of both changes of state; the call phase and
// its crossed book survive a restart (a journaled command like any other); and a scheduled
// uncross happens by itself, with nobody sending anything.

#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

constexpr int64_t deposit_cash = 1'000'000'000;  // fund_market(): lab-a and lab-b each
constexpr int64_t registered_lots = 100;         // fund_market(): dc-a's capacity
constexpr int64_t ns_per_second = 1'000'000'000;
constexpr int64_t hour_s = 3600;
// Waits for what a scheduled uncross sends: well past its time, bounded.
constexpr uint32_t scheduled_wait_ms = 10'000;

using Body = wire::Body;
using wire::AuctionAction;
using wire::ExecType;
using wire::OrderRejectReason;
using wire::ProductState;

// "2026-12-01T07:15:00Z": how an OperatorAck names a whole-second uncross time.
std::string utc_seconds(int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / ns_per_second);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Auction : public Exchange {
 protected:
  // The exchange's clock: the real one plus how far a test moved it on (clock_ahead_ns_).
  int64_t exchange_now_ns() const { return now_ns() + clock_ahead_ns_.load(); }

  Ack start_auction(Client& ops, int64_t uncross_time_ns = 0) {
    return operator_ack(
        ops, make_auction(++request_id_, symbol_, AuctionAction::Start, uncross_time_ns));
  }
  Ack uncross(Client& ops) {
    return operator_ack(ops, make_auction(++request_id_, symbol_, AuctionAction::Uncross));
  }

  Frame order_with(uint64_t client_id, wire::Side side, int64_t price, int64_t lots,
                   wire::OrderType type, wire::TimeInForce time_in_force, bool post_only,
                   int64_t min_lots) {
    return make_new_order({.client_order_id = client_id,
                           .symbol = symbol_,
                           .side = side,
                           .order_type = type,
                           .time_in_force = time_in_force,
                           .post_only = post_only,
                           .price = price,
                           .quantity = lots,
                           .min_quantity = min_lots});
  }

  // A ProductStatus of the test's product: its state, an uncross's price and lots, and a call
  // phase's scheduled uncross.
  struct Status {
    ProductState state = ProductState::Trading;
    int64_t uncross_price = 0;
    int64_t uncross_lots = 0;
    int64_t uncross_time_ns = 0;
    bool operator==(const Status&) const = default;
  };
  std::optional<Status> status_of(const Received& received) {
    const wire::ProductStatus* status = product_status_of(received, symbol_);
    if (status == nullptr) return std::nullopt;
    return Status{status->state(), status->uncross_price(), status->uncross_lots(),
                  status->uncross_time_ns()};
  }
  // The watcher's next frame, which must be a ProductStatus. Watchers are sessions of ops,
  // which has no orders: no execution reports come in between.
  std::optional<Status> next_status(Client& watcher) { return status_of(next_frame(watcher)); }

  // What an uncross sent a watcher, up to and including its ProductStatus.
  struct UncrossSeen {
    std::vector<std::pair<int64_t, int64_t>> indicatives;  // price, lots, as the book changed
    std::vector<std::pair<int64_t, int64_t>> trades;  // price, lots
    size_t book_deltas = 0;
    std::optional<Status> status;
  };
  UncrossSeen watch_uncross(Client& watcher, uint32_t timeout_ms = 5'000) {
    UncrossSeen seen;
    for (int frames = 0; frames < 64; ++frames) {  // an uncross of a few orders sends few
      Received received = watcher.receive(timeout_ms);
      if (received.status != ClientStatus::ok) break;
      const Body type = received.message().body_type();
      if (type == Body::Trade) {
        const wire::Trade& trade = *received.message().body_as_Trade();
        seen.trades.emplace_back(trade.price(), trade.quantity());
      } else if (type == Body::BookDelta) {
        ++seen.book_deltas;
      } else if (type == Body::AuctionIndicative) {
        const wire::AuctionIndicative& indicative = *received.message().body_as_AuctionIndicative();
        EXPECT_EQ(indicative.symbol()->str(), symbol_);
        seen.indicatives.emplace_back(indicative.price(), indicative.lots());
      } else if (type == Body::ProductStatus) {
        seen.status = status_of(received);
        break;
      }
    }
    return seen;
  }

  // Subscribes `watcher` to the product's book and trades; returns the snapshot's state and
  // sets the best bid and ask (0 for an empty side) and the scheduled uncross.
  std::optional<ProductState> watch(Client& watcher, int64_t* best_bid = nullptr,
                                    int64_t* best_ask = nullptr,
                                    int64_t* uncross_time_ns = nullptr) {
    const std::vector<std::string> symbols = {symbol_};
    EXPECT_EQ(watcher.send(make_subscribe(symbols, true, true)), ClientStatus::ok);
    const Received received = watcher.receive_until(Body::BookSnapshot);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::BookSnapshot& snapshot = *received.message().body_as_BookSnapshot();
    const auto best = [](const auto* levels) {
      return levels != nullptr && levels->size() > 0 ? levels->Get(0)->price() : 0;
    };
    if (best_bid != nullptr) *best_bid = best(snapshot.bids());
    if (best_ask != nullptr) *best_ask = best(snapshot.asks());
    if (uncross_time_ns != nullptr) *uncross_time_ns = snapshot.uncross_time_ns();
    snapshot_indicative_ = {snapshot.indicative_price(), snapshot.indicative_lots()};
    return snapshot.state();
  }

  // Starts a call phase that uncrosses at `at_ns` (0: when the operator says) and enters the
  // crossed book, on sessions that end before the test restarts the exchange.
  void start_with_crossed_book(int64_t at_ns) {
    auto ops = logon("ops");
    auto seller = logon("dc-a");
    auto lab_a = logon("lab-a");
    auto lab_b = logon("lab-b");
    ASSERT_TRUE(start_auction(*ops, at_ns).ok);
    enter_crossed_book(*seller, *lab_a, *lab_b);
  }

  // The product's state as ListProducts shows it (and its scheduled uncross).
  std::optional<ProductState> listed_state(Client& client, int64_t* uncross_time_ns = nullptr) {
    EXPECT_EQ(client.send(make_list_products(++request_id_, "", "")), ClientStatus::ok);
    const Received received = client.receive_until(Body::ProductList);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const auto* products = received.message().body_as_ProductList()->products();
    if (products == nullptr || products->size() != 1) return std::nullopt;
    if (uncross_time_ns != nullptr) *uncross_time_ns = products->Get(0)->uncross_time_ns();
    return products->Get(0)->state();
  }

  // Cash and the test product's capacity, as an AccountRequest answers them.
  struct Account {
    int64_t available_cash = 0, held_cash = 0, available_lots = 0, held_lots = 0, proceeds = 0;
  };
  std::optional<Account> account(Client& ops, std::string_view whose) {
    EXPECT_EQ(ops.send(make_account_request(++request_id_, whose)), ClientStatus::ok);
    const Received received = ops.receive_until(Body::AccountStatus);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::AccountStatus& status = *received.message().body_as_AccountStatus();
    Account out{status.available_cash(), status.held_cash(), 0, 0, 0};
    if (status.capacities() != nullptr && status.capacities()->size() > 0) {
      const wire::CapacityStatus& capacity = *status.capacities()->Get(0);
      out.available_lots = capacity.available_lots();
      out.held_lots = capacity.held_lots();
      out.proceeds = capacity.proceeds();
    }
    return out;
  }

  // The crossed book of the uncross tests: asks 5 @ 1800 and 3 @ 1900 (dc-a), bids 4 @ 2000
  // (lab-a) and 2 @ 1850 (lab-b), entered in that order and each acknowledged without a
  // fill. The most lots trade (5) at 1800 and at 1850, each leaving one buyer lot over: the
  // higher, 1850, is the uncross price. lab-a's bid takes all 4 lots of it, lab-b's one.
  void enter_crossed_book(Client& seller, Client& lab_a, Client& lab_b) {
    const auto accepted = std::pair{ExecType::Accepted, OrderRejectReason::None};
    ASSERT_EQ(send_order(seller, order(1, wire::Side::Sell, 1800, 5)), accepted);
    ASSERT_EQ(send_order(seller, order(2, wire::Side::Sell, 1900, 3)), accepted);
    ASSERT_EQ(send_order(lab_a, order(1, wire::Side::Buy, 2000, 4)), accepted);
    ASSERT_EQ(send_order(lab_b, order(1, wire::Side::Buy, 1850, 2)), accepted);
  }

  // The fills of enter_crossed_book's uncross reach both sides as ordinary execution reports
  // at the uncross price; the engine holds and the ledger's books agree on who paid what.
  // `facts_known`: the orders were entered since ghxd started, so reports carry their limits.
  void expect_crossed_book_settled(Client& ops, Client& seller, Client& lab_a, Client& lab_b,
                                   bool facts_known = true) {
    Received holder;
    const auto* bought = report(lab_a, holder);
    ASSERT_NE(bought, nullptr);
    EXPECT_EQ(bought->exec_type(), ExecType::Filled);
    EXPECT_EQ(bought->fill_price(), 1850);
    EXPECT_EQ(bought->fill_quantity(), 4);
    if (facts_known) {
      EXPECT_EQ(bought->price(), 2000);  // its limit: it pays the uncross price, not its own
    }
    EXPECT_EQ(bought->liquidity(), wire::Liquidity::Taker);  // the later order of the pair
    EXPECT_EQ(bought->notional(), 1850 * 4 * 8);
    EXPECT_EQ(bought->fee(), 1850 * 4 * 8 / 1000);
    const uint64_t first_trade = bought->trade_id();
    const auto* partly = report(lab_b, holder);
    ASSERT_NE(partly, nullptr);
    EXPECT_EQ(partly->exec_type(), ExecType::PartiallyFilled);
    EXPECT_EQ(partly->fill_price(), 1850);
    EXPECT_EQ(partly->fill_quantity(), 1);
    EXPECT_EQ(partly->remaining(), 1);
    for (const auto& [type, lots, remaining] :
         {std::tuple{ExecType::PartiallyFilled, 4, 1}, std::tuple{ExecType::Filled, 1, 0}}) {
      const auto* sold = report(seller, holder);
      ASSERT_NE(sold, nullptr);
      EXPECT_EQ(sold->exec_type(), type);
      EXPECT_EQ(sold->client_order_id(), 1u);
      EXPECT_EQ(sold->fill_price(), 1850);
      EXPECT_EQ(sold->fill_quantity(), lots);
      EXPECT_EQ(sold->remaining(), remaining);
      EXPECT_EQ(sold->liquidity(), wire::Liquidity::Maker);
    }

    // lab-a paid 4 lots at 1850 and its fee; the rest of its hold at 2000 came back.
    const int64_t a_paid = 1850 * 4 * 8 + 1850 * 4 * 8 / 1000;
    const int64_t b_paid = 1850 * 1 * 8 + 1850 * 1 * 8 / 1000;
    const int64_t b_held = b_paid;  // its other lot rests at 1850
    const std::optional<Account> a = account(ops, "lab-a");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->available_cash, deposit_cash - a_paid);
    EXPECT_EQ(a->held_cash, 0);
    const std::optional<Account> b = account(ops, "lab-b");
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->available_cash, deposit_cash - b_paid - b_held);
    EXPECT_EQ(b->held_cash, b_held);
    const std::optional<Account> s = account(ops, "dc-a");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->available_lots, registered_lots - 5 - 3);
    EXPECT_EQ(s->held_lots, 3);  // the ask at 1900 rests on
    EXPECT_EQ(s->proceeds, 1850 * 5 * 8 - (1850 * 4 * 8 / 1000 + 1850 * 1 * 8 / 1000));

    const ledger::Snapshot books = core_->ledger().snapshot();
    using ledger::AccountKind;
    EXPECT_EQ(books.balance(ledger::cash_account({3}, AccountKind::available)),
              deposit_cash - a_paid);
    EXPECT_EQ(books.balance(ledger::cash_account({3}, AccountKind::held)), 0);
    EXPECT_EQ(books.balance(ledger::cash_account({3}, AccountKind::escrow)), 1850 * 4 * 8);
    EXPECT_EQ(books.balance(ledger::cash_account({4}, AccountKind::held)), b_held);
    EXPECT_EQ(books.balance(ledger::cash_account({4}, AccountKind::escrow)), 1850 * 8);
    EXPECT_EQ(books.balance(ledger::capacity_account({2}, {0}, AccountKind::held)), 3);
    for (const auto& [trade, lots] : {std::pair{first_trade, 4}, std::pair{first_trade + 1, 1}}) {
      const std::optional<ledger::TradeRecord> record = books.trade(ledger::TradeId{trade});
      ASSERT_TRUE(record.has_value()) << trade;
      EXPECT_EQ(record->fill.price.value, 1850);
      EXPECT_EQ(record->fill.lots.value, lots);
      EXPECT_EQ(record->fill.seller.value, 2u);
    }
    EXPECT_EQ(core_->stats().ledger_op_errors.load(), 0u);
    const ledger::CheckReport check = ledger::check_ledger(books);
    EXPECT_TRUE(check.ok()) << check.problems.front();
  }

  uint64_t request_id_ = 100;
  // The indicative uncross (price, lots) of the last BookSnapshot watch() read.
  std::pair<int64_t, int64_t> snapshot_indicative_;
};

TEST_F(Auction, OnlyAnOperatorMayStartOneAndBadRequestsAreRefused) {
  fund_market();
  auto lab_a = logon("lab-a");
  ASSERT_EQ(lab_a->send(make_auction(1, symbol_, AuctionAction::Start)), ClientStatus::ok);
  const Received refused = lab_a->receive_until(Body::Reject);
  ASSERT_EQ(refused.status, ClientStatus::ok);
  EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::NotAuthorized);
  EXPECT_EQ(refused.message().body_as_Reject()->text()->str(), "only an operator may send Auction");
  EXPECT_EQ(listed_state(*lab_a), ProductState::Trading);

  auto ops = logon("ops");
  const Ack unknown = operator_ack(
      *ops, make_auction(2, "H100SXM.CN-EAST-1.2020-01-01T00.1H", AuctionAction::Start));
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.reason, OrderRejectReason::UnknownProduct);
  EXPECT_EQ(unknown.text, "unknown product");
  const Ack not_in_auction = uncross(*ops);
  EXPECT_FALSE(not_in_auction.ok);
  EXPECT_EQ(not_in_auction.reason, OrderRejectReason::ProductNotInAuction);
  EXPECT_EQ(not_in_auction.text, symbol_ + " is not in a call phase");
  // An uncross time must come after now and before the gate closes (two days away).
  const int64_t past_gate_ns = now_ns() + 72 * 3600 * ns_per_second;
  for (const int64_t bad_time : {int64_t{1}, past_gate_ns}) {
    const Ack bad = start_auction(*ops, bad_time);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.reason, OrderRejectReason::InvalidExpireTime);
    EXPECT_EQ(bad.text,
              "the uncross time must be after now and before " + symbol_ + "'s gate closure");
  }
  // An uncross names no time: the session refuses one that does, before the engine sees it.
  ASSERT_EQ(ops->send(make_auction(3, symbol_, AuctionAction::Uncross, now_ns())),
            ClientStatus::ok);
  const Received invalid = ops->receive_until(Body::Reject);
  ASSERT_EQ(invalid.status, ClientStatus::ok);
  EXPECT_EQ(invalid.message().body_as_Reject()->code(), wire::ErrorCode::InvalidField);
  EXPECT_EQ(listed_state(*lab_a), ProductState::Trading);

  const Ack started = start_auction(*ops);
  ASSERT_TRUE(started.ok) << started.text;
  EXPECT_EQ(started.text, symbol_ + " call phase; the operator uncrosses");
  EXPECT_EQ(listed_state(*lab_a), ProductState::Auction);
  const Ack twice = start_auction(*ops);
  EXPECT_FALSE(twice.ok);
  EXPECT_EQ(twice.reason, OrderRejectReason::ProductInAuction);
  EXPECT_EQ(twice.text, symbol_ + " is in its call phase already");
  // Nor may a participant uncross it.
  ASSERT_EQ(lab_a->send(make_auction(4, symbol_, AuctionAction::Uncross)), ClientStatus::ok);
  EXPECT_EQ(lab_a->receive_until(Body::Reject).message().body_as_Reject()->code(),
            wire::ErrorCode::NotAuthorized);
  EXPECT_EQ(listed_state(*lab_a), ProductState::Auction);
}

TEST_F(Auction, CrossingOrdersRestInTheCallPhaseAndTheUncrossTradesThemAtOnePrice) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  auto watcher = logon("ops");
  ASSERT_EQ(watch(*watcher), ProductState::Trading);

  const Ack started = start_auction(*ops);
  ASSERT_TRUE(started.ok) << started.text;
  EXPECT_EQ(next_status(*watcher), (Status{ProductState::Auction, 0, 0}));
  enter_crossed_book(*seller, *lab_a, *lab_b);
  // The order types the call phase does not take are refused, whatever their price.
  const auto in_auction = std::pair{ExecType::Rejected, OrderRejectReason::InvalidInAuction};
  using wire::OrderType;
  using wire::TimeInForce;
  const auto gtc = TimeInForce::GoodTillGateClosure;
  EXPECT_EQ(send_order(*lab_b, order_with(2, wire::Side::Buy, 1900, 1, OrderType::Limit,
                                          TimeInForce::ImmediateOrCancel, false, 0)),
            in_auction);
  EXPECT_EQ(send_order(*lab_b, order_with(3, wire::Side::Buy, 1900, 1, OrderType::Limit,
                                          TimeInForce::FillOrKill, false, 0)),
            in_auction);
  EXPECT_EQ(send_order(*lab_b, order_with(4, wire::Side::Buy, 0, 1, OrderType::Market,
                                          TimeInForce::ImmediateOrCancel, false, 0)),
            in_auction);
  EXPECT_EQ(
      send_order(*lab_b, order_with(5, wire::Side::Buy, 1700, 1, OrderType::Limit, gtc, true, 0)),
      in_auction);
  EXPECT_EQ(
      send_order(*lab_b, order_with(6, wire::Side::Buy, 1700, 2, OrderType::Limit, gtc, false, 1)),
      in_auction);
  // Nothing traded: the book stands crossed, as a new subscriber sees it.
  EXPECT_EQ(core_->engine().live_order_count(), 4u);
  auto late = logon("ops");
  int64_t best_bid = 0, best_ask = 0;
  EXPECT_EQ(watch(*late, &best_bid, &best_ask), ProductState::Auction);
  EXPECT_EQ(best_bid, 2000);
  EXPECT_EQ(best_ask, 1800);

  const Ack uncrossed = uncross(*ops);
  ASSERT_TRUE(uncrossed.ok) << uncrossed.text;
  EXPECT_EQ(uncrossed.text, symbol_ + " uncrossed at 18.50: 5 lots");
  // Subscribers see the trades and the levels that moved, then the product trading again
  // with the uncross's price and lots.
  const UncrossSeen seen = watch_uncross(*watcher);
  // As the book filled: nothing crossed until lab-a's bid (4 lots at 18.00, a seller's lot
  // over), then lab-b's made it 5 at 18.50 (a buyer's lot over: the highest such price).
  EXPECT_EQ(seen.indicatives, (std::vector<std::pair<int64_t, int64_t>>{{1800, 4}, {1850, 5}}));
  EXPECT_EQ(seen.trades, (std::vector<std::pair<int64_t, int64_t>>{{1850, 4}, {1850, 1}}));
  // The four orders' levels as they rested, then the uncross's: bid 2000 and ask 1800 gone,
  // bid 1850 down to 1 lot.
  EXPECT_EQ(seen.book_deltas, 4u + 3u);
  EXPECT_EQ(seen.status, (Status{ProductState::Trading, 1850, 5}));
  EXPECT_EQ(listed_state(*late), ProductState::Trading);
  expect_crossed_book_settled(*ops, *seller, *lab_a, *lab_b);
  // Trading as before: an IOC that crosses trades at the resting ask's price.
  EXPECT_EQ(send_order(*lab_a, order_with(2, wire::Side::Buy, 1900, 1, OrderType::Limit,
                                          TimeInForce::ImmediateOrCancel, false, 0)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  Received holder;
  const auto* fill = report(*lab_a, holder);
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->exec_type(), ExecType::Filled);
  EXPECT_EQ(fill->fill_price(), 1900);
}

// A reopening after a halt: the auction starts from halted, and an uncross that finds nothing
// crossed just lets the product trade. A halt in the call phase must cancel the orders.
TEST_F(Auction, AReopeningAuctionThatFindsNothingCrossedTradesAgain) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  const auto accepted = std::pair{ExecType::Accepted, OrderRejectReason::None};
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1900, 5)), accepted);
  auto watcher = logon("ops");
  ASSERT_EQ(watch(*watcher), ProductState::Trading);
  ASSERT_TRUE(operator_ack(*ops, make_trading_halt(++request_id_, symbol_, true)).ok);
  EXPECT_EQ(next_status(*watcher), (Status{ProductState::Halted, 0, 0}));

  const Ack started = start_auction(*ops);
  ASSERT_TRUE(started.ok) << started.text;
  EXPECT_EQ(next_status(*watcher), (Status{ProductState::Auction, 0, 0}));
  const Ack halt_keeping_orders =
      operator_ack(*ops, make_trading_halt(++request_id_, symbol_, true));
  EXPECT_FALSE(halt_keeping_orders.ok);
  EXPECT_EQ(halt_keeping_orders.reason, OrderRejectReason::ProductInAuction);
  EXPECT_EQ(halt_keeping_orders.text,
            symbol_ + " is in its call phase: a halt there must cancel its orders");
  const Ack resumed = operator_ack(*ops, make_trading_halt(++request_id_, symbol_, false));
  EXPECT_FALSE(resumed.ok);
  EXPECT_EQ(resumed.reason, OrderRejectReason::ProductNotHalted);
  ASSERT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 2)), accepted);

  const Ack uncrossed = uncross(*ops);
  ASSERT_TRUE(uncrossed.ok) << uncrossed.text;
  EXPECT_EQ(uncrossed.text, symbol_ + " trading again; nothing crossed");
  const UncrossSeen seen = watch_uncross(*watcher);
  EXPECT_TRUE(seen.trades.empty());
  EXPECT_EQ(seen.book_deltas, 1u);  // lab-a's bid, entered in the call phase
  EXPECT_EQ(seen.status, (Status{ProductState::Trading, 0, 0}));
  EXPECT_EQ(core_->engine().live_order_count(), 2u);
  EXPECT_EQ(listed_state(*lab_a), ProductState::Trading);
}

TEST_F(Auction, TheCallPhaseAndItsCrossedBookSurviveARestart) {
  fund_market();
  start_with_crossed_book(0);  // the operator uncrosses
  stop();  // the engine's state is now the journal's: no idle tick comes after the hash
  const uint64_t hash = core_->engine().state_hash();
  restart();  // replays the journal, the auction's start included, into a fresh engine
  EXPECT_EQ(core_->engine().state_hash(), hash);
  EXPECT_EQ(core_->engine().product_state({0}), matching::ProductState::auction);

  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  EXPECT_EQ(listed_state(*lab_a), ProductState::Auction);
  auto watcher = logon("ops");
  int64_t best_bid = 0, best_ask = 0;
  EXPECT_EQ(watch(*watcher, &best_bid, &best_ask), ProductState::Auction);
  EXPECT_EQ(best_bid, 2000);
  EXPECT_EQ(best_ask, 1800);
  // The snapshot says what the uncross would trade now: all of it, at 18.50.
  EXPECT_EQ(snapshot_indicative_, std::pair(int64_t{1850}, int64_t{5}));
  EXPECT_EQ(send_order(*lab_b, order_with(2, wire::Side::Buy, 1900, 1, wire::OrderType::Limit,
                                          wire::TimeInForce::ImmediateOrCancel, false, 0)),
            std::pair(ExecType::Rejected, OrderRejectReason::InvalidInAuction));

  const Ack uncrossed = uncross(*ops);
  ASSERT_TRUE(uncrossed.ok) << uncrossed.text;
  EXPECT_EQ(uncrossed.text, symbol_ + " uncrossed at 18.50: 5 lots");
  EXPECT_EQ(watch_uncross(*watcher).status, (Status{ProductState::Trading, 1850, 5}));
  expect_crossed_book_settled(*ops, *seller, *lab_a, *lab_b, false);
}

// After a restart the exchange knows what the snapshots of a crossed call phase said: when the
// book stops crossing, its subscribers hear so.
TEST_F(Auction, AfterARestartABookThatStopsCrossingIsPublished) {
  fund_market();
  start_with_crossed_book(0);
  restart();
  auto watcher = logon("ops");
  ASSERT_EQ(watch(*watcher), ProductState::Auction);
  EXPECT_EQ(snapshot_indicative_, std::pair(int64_t{1850}, int64_t{5}));
  auto seller = logon("dc-a");
  ASSERT_EQ(seller->send(make_mass_cancel(symbol_)), ClientStatus::ok);  // every ask goes
  const Received indicative = watcher->receive_until(Body::AuctionIndicative);
  ASSERT_EQ(indicative.status, ClientStatus::ok);
  EXPECT_EQ(indicative.message().body_as_AuctionIndicative()->price(), 0);
  EXPECT_EQ(indicative.message().body_as_AuctionIndicative()->lots(), 0);
}

TEST_F(Auction, AScheduledUncrossHappensByItselfAtItsTime) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  auto watcher = logon("ops");
  ASSERT_EQ(watch(*watcher), ProductState::Trading);
  // An hour ahead, a whole second (the ack names it to the second): time enough to enter the
  // book however slowly; then the exchange's clock moves past it.
  const int64_t at_ns = (now_ns() / ns_per_second + hour_s) * ns_per_second;
  const Ack started = start_auction(*ops, at_ns);
  ASSERT_TRUE(started.ok) << started.text;
  EXPECT_EQ(started.text, symbol_ + " call phase; uncrosses at " + utc_seconds(at_ns));
  // Participants learn when it uncrosses from the status, the product list and the book.
  EXPECT_EQ(next_status(*watcher), (Status{ProductState::Auction, 0, 0, at_ns}));
  enter_crossed_book(*seller, *lab_a, *lab_b);
  ASSERT_LT(now_ns(), at_ns) << "the book was entered too slowly for this test";
  int64_t listed_uncross_ns = 0;
  EXPECT_EQ(listed_state(*ops, &listed_uncross_ns), ProductState::Auction);
  EXPECT_EQ(listed_uncross_ns, at_ns);

  // Nobody sends anything: the sequencer's idle ticks bring the time, and the engine uncrosses.
  clock_ahead_ns_ += 2 * hour_s * ns_per_second;
  const UncrossSeen seen = watch_uncross(*watcher, scheduled_wait_ms);
  EXPECT_EQ(seen.trades, (std::vector<std::pair<int64_t, int64_t>>{{1850, 4}, {1850, 1}}));
  EXPECT_EQ(seen.status, (Status{ProductState::Trading, 1850, 5}));
  EXPECT_GE(exchange_now_ns(), at_ns);
  expect_crossed_book_settled(*ops, *seller, *lab_a, *lab_b);
  EXPECT_EQ(listed_state(*watcher, &listed_uncross_ns), ProductState::Trading);
  EXPECT_EQ(listed_uncross_ns, 0);
  // Its schedule is done: an uncross now finds no call phase.
  EXPECT_EQ(uncross(*ops).reason, OrderRejectReason::ProductNotInAuction);
}

// The schedule is part of the journaled start: a restart before the time keeps it.
TEST_F(Auction, AScheduledUncrossStillHappensAfterARestart) {
  fund_market();
  const int64_t at_ns = now_ns() + hour_s * ns_per_second;
  start_with_crossed_book(at_ns);
  restart();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  auto watcher = logon("ops");
  int64_t snapshot_uncross_ns = 0, listed_uncross_ns = 0;
  ASSERT_EQ(watch(*watcher, nullptr, nullptr, &snapshot_uncross_ns), ProductState::Auction)
      << "the restart took past the uncross time";
  ASSERT_LT(now_ns(), at_ns);
  // The restarted gateway learns the schedule from the engine.
  EXPECT_EQ(snapshot_uncross_ns, at_ns);
  EXPECT_EQ(listed_state(*ops, &listed_uncross_ns), ProductState::Auction);
  EXPECT_EQ(listed_uncross_ns, at_ns);
  clock_ahead_ns_ += 2 * hour_s * ns_per_second;  // the exchange's clock passes the uncross
  EXPECT_EQ(watch_uncross(*watcher, scheduled_wait_ms).status,
            (Status{ProductState::Trading, 1850, 5}));
  EXPECT_GE(exchange_now_ns(), at_ns);
  expect_crossed_book_settled(*ops, *seller, *lab_a, *lab_b, false);
}

// A crash cuts off lab-a's cancel-on-disconnect session while its bid crosses dc-a's ask in a
// call phase whose scheduled uncross falls due while the exchange is down. At restart the
// session's orders are canceled as of when the exchange stopped, before the uncross, as a
// disconnect would have canceled them then: nothing trades, and dc-a's ask rests on.
TEST_F(Auction, OrdersOfASessionACrashCutOffAreCanceledBeforeAnUncrossDueMeanwhile) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a", true);  // cancel on disconnect
  const int64_t at_ns = (now_ns() / ns_per_second + 3600) * ns_per_second;
  ASSERT_TRUE(start_auction(*ops, at_ns).ok);
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1800, 2)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  ASSERT_EQ(send_order(*lab_a, order(2, wire::Side::Buy, 1900, 2)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));

  core_->stop();  // the crash: lab-a's session was never closed in the journal
  ops.reset();
  seller.reset();
  lab_a.reset();
  clock_ahead_ns_ = 2 * 3600 * ns_per_second;  // the exchange comes back after the uncross time
  restart();
  ASSERT_TRUE(eventually([&] {
    return core_->engine().product_state(matching::ProductId{0}) == matching::ProductState::trading;
  })) << "the scheduled uncross";
  size_t trades = 0;
  core_->ledger().snapshot().for_each_trade([&](const ledger::TradeRecord&) {
    ++trades;
    return true;
  });
  EXPECT_EQ(trades, 0u);
  EXPECT_EQ(core_->engine().live_order_count(), 1u);
  const std::vector<matching::OrderView> asks = core_->engine().orders_at(
      matching::ProductId{0}, matching::Side::sell, matching::Price{1800});
  ASSERT_EQ(asks.size(), 1u);
  EXPECT_EQ(asks[0].participant.value, 2u);  // dc-a
}

// ghxd restarts from its newest snapshot when it has one, not the whole journal: the engine's
// snapshot keeps the call phase, its crossed book and its uncross time.
class AuctionWithSnapshots : public Auction {
 protected:
  AuctionWithSnapshots() { snapshot_interval_commands_ = 1; }  // idle ticks included
};

TEST_F(AuctionWithSnapshots, ARestartFromASnapshotKeepsTheCallPhaseAndItsSchedule) {
  fund_market();
  const int64_t at_ns = now_ns() + hour_s * ns_per_second;
  start_with_crossed_book(at_ns);
  // Two more written after the book was entered: the newest is of the crossed book.
  const uint64_t written = core_->stats().snapshots_written.load();
  ASSERT_TRUE(eventually([&] { return core_->stats().snapshots_written.load() >= written + 2; }));
  restart();
  EXPECT_GT(core_->stats().snapshot_used_sequence.load(), 0u);
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  auto watcher = logon("ops");
  int64_t best_bid = 0, best_ask = 0;
  ASSERT_EQ(watch(*watcher, &best_bid, &best_ask), ProductState::Auction)
      << "the restart took past the uncross time";
  EXPECT_EQ(best_bid, 2000);
  EXPECT_EQ(best_ask, 1800);
  clock_ahead_ns_ += 2 * hour_s * ns_per_second;  // the exchange's clock passes the uncross
  EXPECT_EQ(watch_uncross(*watcher, scheduled_wait_ms).status,
            (Status{ProductState::Trading, 1850, 5}));
  EXPECT_GE(exchange_now_ns(), at_ns);
  expect_crossed_book_settled(*ops, *seller, *lab_a, *lab_b, false);
}

}  // namespace
}  // namespace ghx::gateway::test
