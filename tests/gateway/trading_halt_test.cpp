// Operator trading halts over the whole exchange: a halt stops new orders and replaces in one
// product while cancels go on, tells its subscribers, may cancel every resting order (releasing
// their holds in the engine and the ledger alike), is the operator's alone, and survives a
// restart, since it is a journaled command like any other.

#include <optional>
#include <string>
#include <vector>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

constexpr int64_t deposit_cash = 1'000'000'000;  // fund_market(): lab-a and lab-b each
constexpr int64_t registered_lots = 100;         // fund_market(): dc-a's capacity

class TradingHalt : public Exchange {
 protected:
  Ack halt(Client& ops, bool cancel_orders = false) {
    return operator_ack(ops, make_trading_halt(++request_id_, symbol_, true, cancel_orders));
  }
  Ack resume(Client& ops) {
    return operator_ack(ops, make_trading_halt(++request_id_, symbol_, false));
  }

  // The next frame, which must be a ProductStatus of the test's product: its state. Watchers are
  // sessions of ops, which has no orders: a participant's every session gets its execution
  // reports, which would come in between.
  std::optional<wire::ProductState> next_status(Client& watcher) {
    const Received received = next_frame(watcher);
    const wire::ProductStatus* status = product_status_of(received, symbol_);
    if (status == nullptr) return std::nullopt;
    return status->state();
  }

  // Subscribes `watcher` to the product's book and trades; returns the snapshot's state.
  std::optional<wire::ProductState> watch(Client& watcher, size_t* bid_levels = nullptr) {
    const std::vector<std::string> symbols = {symbol_};
    EXPECT_EQ(watcher.send(make_subscribe(symbols, true, true)), ClientStatus::ok);
    const Received received = watcher.receive_until(wire::Body::BookSnapshot);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::BookSnapshot& snapshot = *received.message().body_as_BookSnapshot();
    if (bid_levels != nullptr) *bid_levels = snapshot.bids() ? snapshot.bids()->size() : 0;
    return snapshot.state();
  }

  // The product's state as ListProducts shows it.
  std::optional<wire::ProductState> listed_state(Client& client) {
    EXPECT_EQ(client.send(make_list_products(++request_id_, "", "")), ClientStatus::ok);
    const Received received = client.receive_until(wire::Body::ProductList);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const auto* products = received.message().body_as_ProductList()->products();
    if (products == nullptr || products->size() != 1) return std::nullopt;
    EXPECT_EQ(products->Get(0)->symbol()->str(), symbol_);
    return products->Get(0)->state();
  }

  // Cash (available, held) and the test product's capacity (available, held), as an
  // AccountRequest answers them.
  struct Account {
    int64_t available_cash = 0, held_cash = 0, available_lots = 0, held_lots = 0;
  };
  std::optional<Account> account(Client& ops, std::string_view whose) {
    EXPECT_EQ(ops.send(make_account_request(++request_id_, whose)), ClientStatus::ok);
    const Received received = ops.receive_until(wire::Body::AccountStatus);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::AccountStatus& status = *received.message().body_as_AccountStatus();
    Account out{status.available_cash(), status.held_cash(), 0, 0};
    if (status.capacities() != nullptr && status.capacities()->size() > 0) {
      out.available_lots = status.capacities()->Get(0)->available_lots();
      out.held_lots = status.capacities()->Get(0)->held_lots();
    }
    return out;
  }

  uint64_t request_id_ = 100;
};

using Body = wire::Body;
using wire::ExecType;
using wire::OrderRejectReason;
using wire::ProductState;

TEST_F(TradingHalt, AHaltStopsNewOrdersAndReplacesButNotCancelsAndResumeTradesAgain) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  const auto accepted = std::pair{ExecType::Accepted, OrderRejectReason::None};
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1900, 5)), accepted);
  ASSERT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 4)), accepted);
  ASSERT_EQ(send_order(*lab_a, order(2, wire::Side::Buy, 1700, 2)), accepted);
  auto watcher = logon("ops");
  ASSERT_EQ(watch(*watcher), ProductState::Trading);

  const Ack halted = halt(*ops);
  ASSERT_TRUE(halted.ok) << halted.text;
  EXPECT_EQ(halted.text, symbol_ + " halted; its resting orders stay");
  EXPECT_EQ(next_status(*watcher), ProductState::Halted);
  EXPECT_EQ(listed_state(*lab_b), ProductState::Halted);

  // Nothing new enters the book: a new order and a replace are refused with the halt's reason.
  EXPECT_EQ(send_order(*lab_b, order(1, wire::Side::Buy, 1900, 1)),
            std::pair(ExecType::Rejected, OrderRejectReason::ProductHalted));
  EXPECT_EQ(send_order(*lab_a, make_replace_order({1, 3, symbol_, 1810, 4})),
            std::pair(ExecType::Rejected, OrderRejectReason::ProductHalted));
  // Risk can still come off: a cancel works, and its level leaves the watcher's book.
  EXPECT_EQ(send_order(*lab_a, make_cancel_order(2, symbol_)),
            std::pair(ExecType::Canceled, OrderRejectReason::None));
  const Received delta = next_frame(*watcher);
  ASSERT_EQ(delta.status, ClientStatus::ok);
  ASSERT_EQ(delta.message().body_type(), Body::BookDelta);
  EXPECT_EQ(delta.message().body_as_BookDelta()->price(), 1700);
  EXPECT_EQ(delta.message().body_as_BookDelta()->size(), 0);

  const Ack twice = halt(*ops);
  EXPECT_FALSE(twice.ok);
  EXPECT_EQ(twice.reason, OrderRejectReason::ProductHalted);
  EXPECT_EQ(twice.text, symbol_ + " is halted already");
  // The orders that were resting rest on: one bid, one ask.
  EXPECT_EQ(core_->engine().levels({0}, matching::Side::buy, 10).size(), 1u);
  EXPECT_EQ(core_->engine().levels({0}, matching::Side::sell, 10).size(), 1u);

  const Ack resumed = resume(*ops);
  ASSERT_TRUE(resumed.ok) << resumed.text;
  EXPECT_EQ(resumed.text, symbol_ + " trading again");
  EXPECT_EQ(next_status(*watcher), ProductState::Trading);
  EXPECT_EQ(listed_state(*lab_b), ProductState::Trading);
  // A crossing order trades against the ask that rested through the halt.
  ASSERT_EQ(send_order(*lab_b, order(2, wire::Side::Buy, 1900, 2)), accepted);
  Received holder;
  const auto* fill = report(*lab_b, holder);
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->exec_type(), ExecType::Filled);
  EXPECT_EQ(fill->fill_price(), 1900);
  const Received trade = watcher->receive_until(Body::Trade);
  ASSERT_EQ(trade.status, ClientStatus::ok);
  EXPECT_EQ(trade.message().body_as_Trade()->quantity(), 2);

  const Ack not_halted = resume(*ops);
  EXPECT_FALSE(not_halted.ok);
  EXPECT_EQ(not_halted.reason, OrderRejectReason::ProductNotHalted);
  EXPECT_EQ(not_halted.text, symbol_ + " is not halted");
  EXPECT_EQ(core_->stats().ledger_op_errors.load(), 0u);
}

TEST_F(TradingHalt, AHaltThatCancelsOrdersTellsTheirOwnersAndReleasesTheirHolds) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  const auto accepted = std::pair{ExecType::Accepted, OrderRejectReason::None};
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1900, 5)), accepted);
  ASSERT_EQ(send_order(*seller, order(2, wire::Side::Sell, 2000, 3)), accepted);
  ASSERT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 4)), accepted);
  ASSERT_EQ(send_order(*lab_b, order(1, wire::Side::Buy, 1850, 2)), accepted);
  // The bids hold price x lots x 8 GPUs x 1 hour + a 10 bp fee; the asks hold capacity.
  const std::optional<Account> before = account(*ops, "lab-a");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->held_cash, 1800 * 4 * 8 + 1800 * 4 * 8 / 1000);
  EXPECT_EQ(before->available_cash + before->held_cash, deposit_cash);
  const std::optional<Account> seller_before = account(*ops, "dc-a");
  ASSERT_TRUE(seller_before.has_value());
  EXPECT_EQ(seller_before->held_lots, 8);
  auto watcher = logon("ops");
  size_t bid_levels = 0;
  ASSERT_EQ(watch(*watcher, &bid_levels), ProductState::Trading);
  EXPECT_EQ(bid_levels, 2u);

  const Ack halted = halt(*ops, true);
  ASSERT_TRUE(halted.ok) << halted.text;
  EXPECT_EQ(halted.text, symbol_ + " halted; 4 resting orders canceled");

  // Every owner hears of each of its orders, canceled for the halt.
  for (auto [client, orders] :
       {std::pair{seller.get(), 2}, std::pair{lab_a.get(), 1}, std::pair{lab_b.get(), 1}}) {
    for (int i = 0; i < orders; ++i) {
      Received holder;
      const auto* canceled = report(*client, holder);
      ASSERT_NE(canceled, nullptr);
      EXPECT_EQ(canceled->exec_type(), ExecType::Canceled);
      EXPECT_EQ(canceled->cancel_reason(), wire::CancelReason::ProductHalted);
      EXPECT_EQ(canceled->order_status(), wire::OrderStatus::Done);
      EXPECT_EQ(canceled->symbol()->str(), symbol_);
    }
  }
  // The watcher learns of the halt first, then sees the book empty level by level.
  EXPECT_EQ(next_status(*watcher), ProductState::Halted);
  for (int level = 0; level < 4; ++level) {
    const Received delta = next_frame(*watcher);
    ASSERT_EQ(delta.status, ClientStatus::ok);
    ASSERT_EQ(delta.message().body_type(), Body::BookDelta) << "level " << level;
    EXPECT_EQ(delta.message().body_as_BookDelta()->size(), 0);
  }
  EXPECT_EQ(core_->engine().live_order_count(), 0u);

  // Holds are released: all cash and capacity is available again, in the engine's view (what
  // AccountRequest reads) and in the ledger's books.
  for (const char* buyer : {"lab-a", "lab-b"}) {
    const std::optional<Account> after = account(*ops, buyer);
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->available_cash, deposit_cash) << buyer;
    EXPECT_EQ(after->held_cash, 0) << buyer;
  }
  const std::optional<Account> seller_after = account(*ops, "dc-a");
  ASSERT_TRUE(seller_after.has_value());
  EXPECT_EQ(seller_after->available_lots, registered_lots);
  EXPECT_EQ(seller_after->held_lots, 0);
  const ledger::Snapshot books = core_->ledger().snapshot();
  for (const uint32_t buyer : {3u, 4u}) {
    EXPECT_EQ(books.balance(ledger::cash_account({buyer}, ledger::AccountKind::held)), 0);
    EXPECT_EQ(books.balance(ledger::cash_account({buyer}, ledger::AccountKind::available)),
              deposit_cash);
  }
  EXPECT_EQ(books.balance(ledger::capacity_account({2}, {0}, ledger::AccountKind::held)), 0);
  EXPECT_EQ(core_->stats().ledger_op_errors.load(), 0u);
  const ledger::CheckReport check = ledger::check_ledger(books);
  EXPECT_TRUE(check.ok()) << check.problems.front();
}

TEST_F(TradingHalt, OnlyAnOperatorMayHaltAndAnUnknownProductIsRefused) {
  fund_market();
  auto lab_a = logon("lab-a");
  ASSERT_EQ(lab_a->send(make_trading_halt(1, symbol_, true, true)), ClientStatus::ok);
  const Received refused = lab_a->receive_until(Body::Reject);
  ASSERT_EQ(refused.status, ClientStatus::ok);
  EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::NotAuthorized);
  EXPECT_EQ(refused.message().body_as_Reject()->text()->str(),
            "only an operator may send "
            "TradingHalt");
  // Nothing changed: the product trades, and lab-a's order rests.
  EXPECT_EQ(listed_state(*lab_a), ProductState::Trading);
  EXPECT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 1)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  EXPECT_EQ(core_->engine().live_order_count(), 1u);

  auto ops = logon("ops");
  const Ack unknown =
      operator_ack(*ops, make_trading_halt(2, "H100SXM.CN-EAST-1.2020-01-01T00.1H", true));
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.reason, OrderRejectReason::UnknownProduct);
  EXPECT_EQ(unknown.text, "unknown product");
  // By product id, as RegisterCapacity may name it: an unknown id, then the listed one.
  auto by_id = [](uint64_t request_id, uint32_t product_id) {
    flatbuffers::FlatBufferBuilder builder;
    wire::TradingHaltBuilder request(builder);
    request.add_request_id(request_id);
    request.add_product_id(product_id);
    return finish_frame(builder, Body::TradingHalt, request.Finish().Union());
  };
  const Ack unknown_id = operator_ack(*ops, by_id(3, 999));
  EXPECT_FALSE(unknown_id.ok);
  EXPECT_EQ(unknown_id.reason, OrderRejectReason::UnknownProduct);
  EXPECT_EQ(listed_state(*lab_a), ProductState::Trading);
  const Ack listed_id = operator_ack(*ops, by_id(4, 0));
  EXPECT_TRUE(listed_id.ok) << listed_id.text;
  EXPECT_EQ(listed_state(*lab_a), ProductState::Halted);
}

TEST_F(TradingHalt, AHaltSurvivesARestartAndANewSubscriberSeesIt) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1900, 5)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  ASSERT_TRUE(halt(*ops).ok);
  ops.reset();
  seller.reset();
  stop();  // the engine's state is now the journal's: no idle tick comes after the hash
  const uint64_t hash = core_->engine().state_hash();
  restart();  // replays the journal, the halt included, into a fresh engine
  EXPECT_EQ(core_->engine().state_hash(), hash);
  EXPECT_EQ(core_->engine().product_state({0}), matching::ProductState::halted);

  auto lab_a = logon("lab-a");
  EXPECT_EQ(listed_state(*lab_a), ProductState::Halted);
  EXPECT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1900, 1)),
            std::pair(ExecType::Rejected, OrderRejectReason::ProductHalted));
  auto watcher = logon("ops");
  EXPECT_EQ(watch(*watcher), ProductState::Halted);
  EXPECT_EQ(core_->engine().levels({0}, matching::Side::sell, 10).size(), 1u);  // rests on

  ops = logon("ops");
  const Ack resumed = resume(*ops);
  EXPECT_TRUE(resumed.ok) << resumed.text;
  EXPECT_EQ(next_status(*watcher), ProductState::Trading);
  EXPECT_EQ(send_order(*lab_a, order(2, wire::Side::Buy, 1900, 1)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
}

// A subscriber to trades or bars alone gets no book snapshot: a ProductStatus tells it the
// state the product is in (as of the latest command committed), before any change of it.
TEST_F(TradingHalt, ASubscriberWithoutTheBookLearnsTheStateFirst) {
  auto ops = logon("ops");
  const std::vector<std::string> symbols = {symbol_};
  auto trades_only = logon("ops");
  ASSERT_EQ(trades_only->send(make_subscribe(symbols, false, true)), ClientStatus::ok);
  const Received trading = next_frame(*trades_only);
  const wire::ProductStatus* status = product_status_of(trading, symbol_);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->state(), ProductState::Trading);

  ASSERT_TRUE(halt(*ops).ok);
  EXPECT_EQ(next_status(*trades_only), ProductState::Halted);
  auto bars_only = logon("ops");
  ASSERT_EQ(bars_only->send(make_subscribe(symbols, false, false, true)), ClientStatus::ok);
  const Received halted = next_frame(*bars_only);
  status = product_status_of(halted, symbol_);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->state(), ProductState::Halted);
  EXPECT_EQ(status->uncross_lots(), 0);

  ASSERT_TRUE(resume(*ops).ok);
  EXPECT_EQ(next_status(*trades_only), ProductState::Trading);
  const Received resumed = next_frame(*bars_only);
  status = product_status_of(resumed, symbol_);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->state(), ProductState::Trading);
}

// The gate still closes on time in a halted product: its subscribers hear of it, the resting
// orders expire, and a resume is refused since the product will not trade again.
TEST_F(TradingHalt, AHaltedProductsGateStillClosesOnTime) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1900, 5)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  auto watcher = logon("ops");
  ASSERT_EQ(watch(*watcher), ProductState::Trading);
  ASSERT_TRUE(halt(*ops).ok);
  EXPECT_EQ(next_status(*watcher), ProductState::Halted);

  clock_ahead_ns_ = 48LL * 3600 * 1'000'000'000;  // past gate closure, before delivery ends
  // The engine expires the book first (the watcher sees the ask's level go), then closes.
  const Received closed = watcher->receive_until(Body::ProductStatus);
  ASSERT_EQ(closed.status, ClientStatus::ok);
  EXPECT_EQ(closed.message().body_as_ProductStatus()->state(), ProductState::GateClosed);
  Received holder;
  const auto* expired = report(*seller, holder);
  ASSERT_NE(expired, nullptr);
  EXPECT_EQ(expired->exec_type(), ExecType::Expired);
  EXPECT_EQ(expired->expire_reason(), wire::ExpireReason::GateClosure);
  EXPECT_EQ(listed_state(*watcher), ProductState::GateClosed);

  const Ack resumed = resume(*ops);
  EXPECT_FALSE(resumed.ok);
  EXPECT_EQ(resumed.reason, OrderRejectReason::ProductNotHalted);
  const Ack halted = halt(*ops);
  EXPECT_FALSE(halted.ok);
  EXPECT_EQ(halted.reason, OrderRejectReason::ProductNotTrading);
  EXPECT_EQ(halted.text, symbol_ + " is past its gate closure");
}

}  // namespace
}  // namespace ghx::gateway::test
