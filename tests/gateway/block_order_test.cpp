// Block orders over the whole exchange: a NewOrder with windows >= 2 buys (or sells) one
// quantity at one limit over that many consecutive windows, all filled at once or none. Each
// window's part reaches its owner as execution reports of its own product (one order id, told
// apart by symbol), every fill settles in the ledger like any other; a block that cannot fill
// in one window, or names a window that is missing or not trading, is refused whole, naming
// that window, and leaves nothing behind; a block that is not a fill-or-kill limit order is
// refused by the session; and the journal replays a block to the same state.

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

constexpr int64_t deposit_cash = 1'000'000'000;  // fund_blocks(): lab-a and lab-b each
constexpr int64_t registered_lots = 100;         // fund_blocks(): dc-a's, in every window
constexpr int64_t lot_size = 8;                  // GPUs; the windows are of one hour
constexpr uint32_t listed_windows = 3;           // products 0, 1 and 2: consecutive hours

using Body = wire::Body;
using wire::ExecType;
using wire::OrderRejectReason;

int64_t notional(int64_t price, int64_t lots) { return price * lots * lot_size; }
int64_t fee(int64_t price, int64_t lots) { return notional(price, lots) / 1000; }  // 10 bp

// What a test reads of an ExecutionReport (the frame does not outlive its Received).
struct Report {
  ExecType exec_type = ExecType::Status;
  uint64_t order_id = 0, client_order_id = 0;
  uint32_t product_id = 0;
  std::string symbol;
  wire::OrderType order_type = wire::OrderType::Limit;
  wire::TimeInForce time_in_force = wire::TimeInForce::GoodTillGateClosure;
  int64_t price = 0, quantity = 0, remaining = 0;
  wire::OrderStatus order_status = wire::OrderStatus::Live;
  OrderRejectReason reject_reason = OrderRejectReason::None;
  uint64_t trade_id = 0;
  int64_t fill_price = 0, fill_quantity = 0, fee = 0, notional = 0;
  wire::Liquidity liquidity = wire::Liquidity::None;
  uint64_t report_sequence = 0;
  uint8_t block_window = 0, block_windows = 0;
  bool operator==(const Report&) const = default;

  // The kind of report, its window, and a fill's price and lots; then what is left open.
  std::tuple<ExecType, uint32_t, int64_t, int64_t, int64_t> outline() const {
    return {exec_type, product_id, fill_price, fill_quantity, remaining};
  }
};

using Outline = std::tuple<ExecType, uint32_t, int64_t, int64_t, int64_t>;

class BlockOrder : public Exchange {
 protected:
  // The fixture's product is window 0; windows 1 and 2 start one and two hours after it.
  void SetUp() override {
    Exchange::SetUp();
    if (HasFatalFailure()) return;
    const matching::SymbolParse first = matching::parse_symbol(symbol_);
    ASSERT_TRUE(first.ok);
    symbols_ = {symbol_};
    for (uint32_t k = 1; k < listed_windows; ++k) {
      ExchangeCommand listing;
      listing.engine.type = matching::CommandType::list_product;
      listing.engine.spec = first.spec;
      listing.engine.spec.start_hour += k;
      ASSERT_TRUE(service_->submit_internal(listing));
      symbols_.push_back(matching::format_symbol(listing.engine.spec));
      ASSERT_TRUE(eventually([&] { return service_->has_product(symbols_.back()); }));
    }
  }

  void fund_blocks() {
    fund_market();  // cash for lab-a and lab-b, dc-a's capacity in window 0
    for (uint32_t k = 1; k < listed_windows; ++k) {
      operator_request(make_register_capacity(10 + k, "dc-a", symbols_[k], registered_lots));
    }
  }

  Frame order_in(uint64_t client_id, uint32_t window, wire::Side side, int64_t price,
                 int64_t lots) {
    return make_new_order({.client_order_id = client_id,
                           .symbol = symbols_[window],
                           .side = side,
                           .price = price,
                           .quantity = lots});
  }

  // A block from window 0 (the fixture's product) over `windows` windows.
  Frame block(uint64_t client_id, wire::Side side, int64_t price, int64_t lots, uint8_t windows,
              wire::TimeInForce time_in_force = wire::TimeInForce::FillOrKill) {
    return make_new_order({.client_order_id = client_id,
                           .symbol = symbol_,
                           .side = side,
                           .time_in_force = time_in_force,
                           .price = price,
                           .quantity = lots,
                           .windows = windows});
  }

  // Rests an order in `window` (acknowledged, nothing traded).
  void rest(Client& client, uint64_t client_id, uint32_t window, wire::Side side, int64_t price,
            int64_t lots) {
    ASSERT_EQ(send_order(client, order_in(client_id, window, side, price, lots)),
              std::pair(ExecType::Accepted, OrderRejectReason::None));
  }

  // The client's next `count` execution reports.
  static std::vector<Report> reports(Client& client, size_t count) {
    std::vector<Report> out;
    for (size_t i = 0; i < count; ++i) {
      Received holder;
      const wire::ExecutionReport* r = report(client, holder);
      if (r == nullptr) break;
      out.push_back({r->exec_type(), r->order_id(), r->client_order_id(), r->product_id(),
                     r->symbol() != nullptr ? r->symbol()->str() : "", r->order_type(),
                     r->time_in_force(), r->price(), r->quantity(), r->remaining(),
                     r->order_status(), r->reject_reason(), r->trade_id(), r->fill_price(),
                     r->fill_quantity(), r->fee(), r->notional(), r->liquidity(),
                     r->report_sequence()});
      out.back().block_window = r->block_window();
      out.back().block_windows = r->block_windows();
    }
    return out;
  }

  static std::vector<Outline> outlines(const std::vector<Report>& seen) {
    std::vector<Outline> out;
    for (const Report& r : seen) out.push_back(r.outline());
    return out;
  }

  // Every report of a block's parts names the block: its client id and one order id, the
  // window's own symbol and number (none in a refusal, which is of the whole block), how many
  // windows, and the block's limit, quantity and fill-or-kill. The block is done once, with
  // the last report of its last window (`seen` are all of its reports).
  void expect_block_reports(const std::vector<Report>& seen, uint64_t client_id, int64_t price,
                            int64_t lots, uint8_t windows = listed_windows) {
    ASSERT_FALSE(seen.empty());
    for (size_t i = 0; i < seen.size(); ++i) {
      const Report& r = seen[i];
      EXPECT_EQ(r.block_windows, windows);
      EXPECT_EQ(r.block_window, r.exec_type == ExecType::Rejected ? 0 : r.product_id + 1);
      EXPECT_EQ(r.order_status,
                i + 1 == seen.size() ? wire::OrderStatus::Done : wire::OrderStatus::Live);
    }
    for (const Report& r : seen) {
      EXPECT_EQ(r.client_order_id, client_id);
      EXPECT_EQ(r.order_id, seen.front().order_id);
      ASSERT_LT(r.product_id, symbols_.size());
      EXPECT_EQ(r.symbol, symbols_[r.product_id]);
      EXPECT_EQ(r.order_type, wire::OrderType::Limit);
      EXPECT_EQ(r.time_in_force, wire::TimeInForce::FillOrKill);
      EXPECT_EQ(r.price, price);
      EXPECT_EQ(r.quantity, lots);
      if (r.exec_type == ExecType::PartiallyFilled || r.exec_type == ExecType::Filled) {
        EXPECT_EQ(r.liquidity, wire::Liquidity::Taker);
        EXPECT_EQ(r.notional, notional(r.fill_price, r.fill_quantity));
        EXPECT_EQ(r.fee, fee(r.fill_price, r.fill_quantity));
      }
    }
  }

  // Asks of dc-a in the three windows (window 2's at two prices), then lab-a's block buy of 3
  // lots at 19.00 over the three, which takes them all: 3 @ 18.00, 3 @ 18.50, 2 @ 18.00 and
  // 1 @ 19.00. Returns lab-a's seven reports.
  std::vector<Report> fill_block_in_three_windows(Client& seller, Client& lab_a) {
    rest(seller, 1, 0, wire::Side::Sell, 1800, 3);
    rest(seller, 2, 1, wire::Side::Sell, 1850, 3);
    rest(seller, 3, 2, wire::Side::Sell, 1800, 2);
    rest(seller, 4, 2, wire::Side::Sell, 1900, 1);
    EXPECT_EQ(lab_a.send(block(7, wire::Side::Buy, 1900, 3, 3)), ClientStatus::ok);
    return reports(lab_a, 7);
  }

  // The reports fill_block_in_three_windows gives lab-a, in order: each window accepted, then
  // filled, before the next window's part starts.
  static std::vector<Outline> three_window_fills() {
    return {{ExecType::Accepted, 0, 0, 0, 3}, {ExecType::Filled, 0, 1800, 3, 0},
            {ExecType::Accepted, 1, 0, 0, 3}, {ExecType::Filled, 1, 1850, 3, 0},
            {ExecType::Accepted, 2, 0, 0, 3}, {ExecType::PartiallyFilled, 2, 1800, 2, 1},
            {ExecType::Filled, 2, 1900, 1, 0}};
  }

  // What lab-a paid for the fills of fill_block_in_three_windows, fees included.
  static int64_t three_window_cost() {
    int64_t paid = 0;
    for (const auto& [price, lots] :
         {std::pair{1800, 3}, std::pair{1850, 3}, std::pair{1800, 2}, std::pair{1900, 1}}) {
      paid += notional(price, lots) + fee(price, lots);
    }
    return paid;
  }

  // The fills of fill_block_in_three_windows are trades of the ledger, each settled once with
  // its window, and the books balance.
  void expect_three_window_fills_settled(const std::vector<Report>& seen) {
    const ledger::Snapshot books = core_->ledger().snapshot();
    int64_t escrow = 0;
    for (const Report& r : seen) {
      if (r.exec_type != ExecType::PartiallyFilled && r.exec_type != ExecType::Filled) continue;
      const std::optional<ledger::TradeRecord> trade = books.trade(ledger::TradeId{r.trade_id});
      ASSERT_TRUE(trade.has_value()) << r.trade_id;
      EXPECT_EQ(trade->fill.product.value, r.product_id);
      EXPECT_EQ(trade->fill.price.value, r.fill_price);
      EXPECT_EQ(trade->fill.lots.value, r.fill_quantity);
      EXPECT_EQ(trade->fill.buyer.value, 3u);
      EXPECT_EQ(trade->fill.seller.value, 2u);
      EXPECT_EQ(trade->fill.buyer_order_id.value, r.order_id);
      escrow += r.notional;
    }
    using ledger::AccountKind;
    EXPECT_EQ(books.balance(ledger::cash_account({3}, AccountKind::available)),
              deposit_cash - three_window_cost());
    EXPECT_EQ(books.balance(ledger::cash_account({3}, AccountKind::held)), 0);
    EXPECT_EQ(books.balance(ledger::cash_account({3}, AccountKind::escrow)), escrow);
    for (uint32_t k = 0; k < listed_windows; ++k) {
      EXPECT_EQ(books.balance(ledger::capacity_account({2}, {k}, AccountKind::available)),
                registered_lots - 3)
          << "window " << k;
      EXPECT_EQ(books.balance(ledger::capacity_account({2}, {k}, AccountKind::held)), 0)
          << "window " << k;
    }
    expect_books_balance();
  }

  // A participant's cash as an AccountRequest answers it: available, held.
  std::pair<int64_t, int64_t> cash_of(Client& ops, std::string_view whose) {
    EXPECT_EQ(ops.send(make_account_request(++request_id_, whose)), ClientStatus::ok);
    const Received received = ops.receive_until(Body::AccountStatus);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return {-1, -1};
    const wire::AccountStatus& status = *received.message().body_as_AccountStatus();
    return {status.available_cash(), status.held_cash()};
  }

  size_t ledger_trades() {
    size_t count = 0;
    core_->ledger().snapshot().for_each_trade([&](const ledger::TradeRecord&) {
      ++count;
      return true;
    });
    return count;
  }

  std::vector<std::string> symbols_;  // by product id: window 0, 1, 2
  uint64_t request_id_ = 100;
};

TEST_F(BlockOrder, ABuyBlockFillsInEveryWindowAtOnce) {
  fund_blocks();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  const std::vector<Report> seen = fill_block_in_three_windows(*seller, *lab_a);
  EXPECT_EQ(outlines(seen), three_window_fills());
  expect_block_reports(seen, 7, 1900, 3);

  // The seller's four asks, each filled as a maker, in the order the block's parts took them.
  const std::vector<Report> sold = reports(*seller, 4);
  EXPECT_EQ(outlines(sold), (std::vector<Outline>{{ExecType::Filled, 0, 1800, 3, 0},
                                                  {ExecType::Filled, 1, 1850, 3, 0},
                                                  {ExecType::Filled, 2, 1800, 2, 0},
                                                  {ExecType::Filled, 2, 1900, 1, 0}}));
  for (size_t i = 0; i < sold.size(); ++i) {
    EXPECT_EQ(sold[i].client_order_id, i + 1);
    EXPECT_EQ(sold[i].liquidity, wire::Liquidity::Maker);
    EXPECT_EQ(sold[i].symbol, symbols_[sold[i].product_id]);
  }

  expect_three_window_fills_settled(seen);
  // Nothing rests, nothing is held: each window's hold went with its fills.
  EXPECT_EQ(core_->engine().live_order_count(), 0u);
  EXPECT_EQ(cash_of(*ops, "lab-a"), std::pair(deposit_cash - three_window_cost(), int64_t{0}));
}

// One window short of the block's quantity: one reject naming that window, nothing traded, no
// hold left, and the client id not remembered (it may be sent again once the window can fill).
TEST_F(BlockOrder, ABlockThatCannotFillInOneWindowIsRefusedWholeNamingIt) {
  fund_blocks();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  rest(*seller, 1, 0, wire::Side::Sell, 1800, 3);
  rest(*seller, 2, 1, wire::Side::Sell, 1800, 2);
  rest(*seller, 3, 2, wire::Side::Sell, 1800, 3);
  ASSERT_EQ(lab_a->send(block(7, wire::Side::Buy, 1900, 3, 3)), ClientStatus::ok);
  const std::vector<Report> refused = reports(*lab_a, 1);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].exec_type, ExecType::Rejected);
  EXPECT_EQ(refused[0].reject_reason, OrderRejectReason::BlockNotFillable);
  EXPECT_EQ(refused[0].product_id, 1u);
  EXPECT_EQ(refused[0].symbol, symbols_[1]);
  EXPECT_EQ(refused[0].order_status, wire::OrderStatus::Done);
  expect_block_reports(refused, 7, 1900, 3);

  EXPECT_EQ(core_->engine().live_order_count(), 3u);  // the asks, untouched
  EXPECT_EQ(ledger_trades(), 0u);
  EXPECT_EQ(cash_of(*ops, "lab-a"), std::pair(deposit_cash, int64_t{0}));
  EXPECT_EQ(
      core_->ledger().snapshot().balance(ledger::cash_account({3}, ledger::AccountKind::held)), 0);
  expect_books_balance();

  // One more lot in window 1, and the same block (the same client id) fills in all three.
  rest(*seller, 4, 1, wire::Side::Sell, 1850, 1);
  ASSERT_EQ(lab_a->send(block(7, wire::Side::Buy, 1900, 3, 3)), ClientStatus::ok);
  const std::vector<Report> filled = reports(*lab_a, 7);
  EXPECT_EQ(outlines(filled), (std::vector<Outline>{{ExecType::Accepted, 0, 0, 0, 3},
                                                    {ExecType::Filled, 0, 1800, 3, 0},
                                                    {ExecType::Accepted, 1, 0, 0, 3},
                                                    {ExecType::PartiallyFilled, 1, 1800, 2, 1},
                                                    {ExecType::Filled, 1, 1850, 1, 0},
                                                    {ExecType::Accepted, 2, 0, 0, 3},
                                                    {ExecType::Filled, 2, 1800, 3, 0}}));
  expect_block_reports(filled, 7, 1900, 3);
  EXPECT_EQ(core_->engine().live_order_count(), 0u);
  EXPECT_EQ(ledger_trades(), 4u);
  EXPECT_EQ(cash_of(*ops, "lab-a").second, 0);
  expect_books_balance();
}

// A window that is not listed names the block's first window; a listed one that does not
// trade (halted) names itself. More windows than the engine takes is an invalid block. A block
// that is not a fill-or-kill limit order never reaches the engine: the session refuses it.
TEST_F(BlockOrder, MissingOrHaltedWindowsAndBadBlocksAreRefused) {
  fund_blocks();
  auto ops = logon("ops");
  auto lab_a = logon("lab-a");
  const auto refusal = [&](Frame frame) {
    EXPECT_EQ(lab_a->send(std::move(frame)), ClientStatus::ok);
    const std::vector<Report> seen = reports(*lab_a, 1);
    EXPECT_EQ(seen.size(), 1u);
    if (seen.empty()) return std::tuple(ExecType::Status, OrderRejectReason::None, std::string());
    EXPECT_EQ(seen[0].product_id < symbols_.size() ? symbols_[seen[0].product_id] : "",
              seen[0].symbol);
    return std::tuple(seen[0].exec_type, seen[0].reject_reason, seen[0].symbol);
  };
  EXPECT_EQ(refusal(block(1, wire::Side::Buy, 1900, 1, listed_windows + 1)),
            std::tuple(ExecType::Rejected, OrderRejectReason::BlockWindowNotTrading, symbol_));
  EXPECT_EQ(refusal(block(2, wire::Side::Buy, 1900, 1, 32)),  // the engine takes up to 31
            std::tuple(ExecType::Rejected, OrderRejectReason::InvalidBlock, symbol_));

  ASSERT_TRUE(operator_ack(*ops, make_trading_halt(++request_id_, symbols_[1], true)).ok);
  for (const uint8_t windows : {uint8_t{2}, uint8_t{3}}) {
    EXPECT_EQ(
        refusal(block(2 + windows, wire::Side::Buy, 1900, 1, windows)),
        std::tuple(ExecType::Rejected, OrderRejectReason::BlockWindowNotTrading, symbols_[1]));
  }
  ASSERT_TRUE(operator_ack(*ops, make_trading_halt(++request_id_, symbols_[1], false)).ok);
  // Trading again, but nothing to buy: now it is a matter of liquidity, in the first window.
  EXPECT_EQ(refusal(block(6, wire::Side::Buy, 1900, 1, 3)),
            std::tuple(ExecType::Rejected, OrderRejectReason::BlockNotFillable, symbol_));

  // Immediate-or-cancel, post-only and a minimum quantity are not a block's: the session says
  // why, and the engine never sees the order.
  const std::pair<Frame, std::string> bad[] = {
      {block(8, wire::Side::Buy, 1900, 2, 3, wire::TimeInForce::ImmediateOrCancel),
       "NewOrder.windows (a block order) needs a Limit FillOrKill order"},
      {make_new_order({.client_order_id = 9,
                       .symbol = symbol_,
                       .time_in_force = wire::TimeInForce::FillOrKill,
                       .price = 1900,
                       .quantity = 2,
                       .min_quantity = 1,
                       .windows = 3}),
       "NewOrder.windows (a block order) takes no min_quantity"}};
  for (const auto& [frame, text] : bad) {
    ASSERT_EQ(lab_a->send(frame), ClientStatus::ok);
    const Received refused = lab_a->receive_until(Body::Reject);
    ASSERT_EQ(refused.status, ClientStatus::ok);
    EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::InvalidField);
    EXPECT_EQ(refused.message().body_as_Reject()->text()->str(), text);
  }
  EXPECT_EQ(ledger_trades(), 0u);
  EXPECT_EQ(cash_of(*ops, "lab-a"), std::pair(deposit_cash, int64_t{0}));
  // The ids the session refused were never an order: a status request finds none.
  ASSERT_EQ(lab_a->send(make_order_status_request(8)), ClientStatus::ok);
  const std::vector<Report> unknown = reports(*lab_a, 1);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].reject_reason, OrderRejectReason::UnknownOrder);
}

// The journal replays a block as it ran: after a restart the engine is in the same state, the
// block's kept reports are resent as they were sent, its client id is still known, and blocks
// go on trading (a sell block this time).
class BlockOrderRestart : public BlockOrder {
 protected:
  void restart_after_a_block() {
    fund_blocks();
    std::vector<Report> live;
    {
      auto seller = logon("dc-a");
      auto lab_a = logon("lab-a");
      live = fill_block_in_three_windows(*seller, *lab_a);
      ASSERT_EQ(outlines(live), three_window_fills());
    }
    before_restart();
    stop();  // the engine's state is now the journal's: no idle tick comes after the hash
    const uint64_t hash = core_->engine().state_hash();
    restart();
    EXPECT_EQ(core_->engine().state_hash(), hash);
    expect_three_window_fills_settled(live);

    auto lab_a = logon_with("lab-a", {.cancel_on_disconnect = false, .last_report_sequence = 0});
    EXPECT_EQ(reports(*lab_a, live.size()), live);
    // The block's client id is known: a resend is a duplicate, answered with its status.
    ASSERT_EQ(lab_a->send(block(7, wire::Side::Buy, 1900, 3, 3)), ClientStatus::ok);
    const std::vector<Report> again = reports(*lab_a, 2);
    ASSERT_EQ(again.size(), 2u);
    EXPECT_EQ(again[0].exec_type, ExecType::Rejected);
    EXPECT_EQ(again[0].reject_reason, OrderRejectReason::DuplicateClientOrderId);
    EXPECT_EQ(again[1].exec_type, ExecType::Status);
    EXPECT_EQ(again[1].order_status, wire::OrderStatus::Done);

    // A sell block over windows 0 and 1 against lab-b's bids: it trades at the bids' price,
    // and the capacity it held in each window goes with its fills.
    auto seller = logon("dc-a");
    auto lab_b = logon("lab-b");
    rest(*lab_b, 1, 0, wire::Side::Buy, 2000, 2);
    rest(*lab_b, 2, 1, wire::Side::Buy, 2000, 2);
    ASSERT_EQ(seller->send(block(9, wire::Side::Sell, 1900, 2, 2)), ClientStatus::ok);
    const std::vector<Report> sold = reports(*seller, 4);
    EXPECT_EQ(outlines(sold), (std::vector<Outline>{{ExecType::Accepted, 0, 0, 0, 2},
                                                    {ExecType::Filled, 0, 2000, 2, 0},
                                                    {ExecType::Accepted, 1, 0, 0, 2},
                                                    {ExecType::Filled, 1, 2000, 2, 0}}));
    expect_block_reports(sold, 9, 1900, 2, 2);
    const ledger::Snapshot books = core_->ledger().snapshot();
    for (uint32_t k = 0; k < 2; ++k) {
      using ledger::AccountKind;
      EXPECT_EQ(books.balance(ledger::capacity_account({2}, {k}, AccountKind::available)),
                registered_lots - 3 - 2);
      EXPECT_EQ(books.balance(ledger::capacity_account({2}, {k}, AccountKind::held)), 0);
    }
    EXPECT_EQ(ledger_trades(), 4u + 2u);
    expect_books_balance();
  }

  virtual void before_restart() {}
};

TEST_F(BlockOrderRestart, AReplayOfTheJournalComesBackToTheSameState) {
  restart_after_a_block();
  EXPECT_EQ(core_->stats().snapshot_used_sequence.load(), 0u);  // the whole journal replayed
}

// ghxd restarts from its newest snapshot when it has one: the engine's snapshot taken after a
// block gives the same state as the journal.
class BlockOrderRestartFromSnapshot : public BlockOrderRestart {
 protected:
  BlockOrderRestartFromSnapshot() { snapshot_interval_commands_ = 1; }  // idle ticks included
  void before_restart() override {
    const uint64_t written = core_->stats().snapshots_written.load();
    ASSERT_TRUE(eventually([&] { return core_->stats().snapshots_written.load() >= written + 2; }));
  }
};

TEST_F(BlockOrderRestartFromSnapshot, ASnapshotAfterABlockComesBackToTheSameState) {
  restart_after_a_block();
  EXPECT_GT(core_->stats().snapshot_used_sequence.load(), 0u);
}

}  // namespace
}  // namespace ghx::gateway::test
