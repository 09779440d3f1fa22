// Delivery over the whole exchange: a failed delivery and a delivery end move the same cash in
// the engine (which checks bids and withdrawals) and in the ledger (which keeps the books), so
// a data centre can withdraw its proceeds and a refunded buyer can spend its refund.

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

constexpr int64_t lot_size = 8;  // test_spec(): GPUs per lot, one-hour window

// A resting ask of dc-a taken in full by `buyer`: the trade's id.
uint64_t trade(Client& seller, Client& buyer, uint64_t client_id, const std::string& symbol,
               int64_t price, int64_t lots) {
  Received r;
  const auto next = [&](Client& client) {
    r = client.receive_until(wire::Body::ExecutionReport);
    EXPECT_EQ(r.status, ClientStatus::ok);
    return r.status == ClientStatus::ok ? r.message().body_as_ExecutionReport() : nullptr;
  };
  const auto order = [&](wire::Side side) {
    return make_new_order({.client_order_id = client_id, .symbol = symbol, .side = side,
                           .price = price, .quantity = lots});
  };
  EXPECT_EQ(seller.send(order(wire::Side::Sell)), ClientStatus::ok);
  const auto* accepted = next(seller);
  if (accepted == nullptr || accepted->exec_type() != wire::ExecType::Accepted) return 0;
  EXPECT_EQ(buyer.send(order(wire::Side::Buy)), ClientStatus::ok);
  if (next(buyer) == nullptr) return 0;  // accepted
  const auto* fill = next(buyer);
  if (fill == nullptr || fill->exec_type() != wire::ExecType::Filled) return 0;
  const uint64_t id = fill->trade_id();
  next(seller);  // the maker's fill
  return id;
}

class Delivery : public Exchange {
 protected:
  // The AccountStatus answering an AccountRequest (one page: these tests have few products).
  struct Account {
    int64_t available = 0, held = 0;
    std::vector<std::tuple<uint32_t, std::string, int64_t, int64_t, int64_t>> capacities;
  };
  std::optional<Account> account(Client& client, std::string_view whose = "") {
    EXPECT_EQ(client.send(make_account_request(21, whose)), ClientStatus::ok);
    const Received received = client.receive_until(wire::Body::AccountStatus);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::AccountStatus& status = *received.message().body_as_AccountStatus();
    EXPECT_EQ(status.request_id(), 21u);
    EXPECT_FALSE(status.more());
    Account out{status.available_cash(), status.held_cash(), {}};
    for (const auto* c : *status.capacities()) {
      out.capacities.emplace_back(c->product_id(), c->symbol()->str(), c->available_lots(),
                                  c->held_lots(), c->proceeds());
    }
    return out;
  }

  // The symbols a ListProducts request returns (every page).
  std::vector<std::string> listed_symbols(Client& client) {
    EXPECT_EQ(client.send(make_list_products(22, "", "")), ClientStatus::ok);
    std::vector<std::string> symbols;
    for (bool more = true; more;) {
      const Received received = client.receive_until(wire::Body::ProductList);
      EXPECT_EQ(received.status, ClientStatus::ok);
      if (received.status != ClientStatus::ok) break;
      const wire::ProductList& list = *received.message().body_as_ProductList();
      if (list.products() != nullptr) {
        for (const auto* info : *list.products()) symbols.push_back(info->symbol()->str());
      }
      more = list.more();
    }
    return symbols;
  }

  // One lot by default: enough where the failure is refused whatever its lots (the gateway
  // checks that the trade is open before it looks at them).
  Frame failure(uint64_t request_id, uint64_t trade_id, int64_t failed_lots = 1) {
    return make_delivery_outcome(
        {.request_id = request_id, .trade_id = trade_id, .failed_quantity = failed_lots});
  }

  // Available cash in the ledger (whose commit the acknowledgement waited for).
  int64_t ledger_available(uint32_t participant) {
    return core_->ledger().snapshot().balance(
        ledger::cash_account({participant}, ledger::AccountKind::available));
  }
  int64_t engine_available(uint32_t participant) {
    return core_->engine().account({participant}).available.value;
  }

  // The engine's and the ledger's cash of every participant agree.
  void expect_engine_and_ledger_agree() {
    for (uint32_t participant = 1; participant <= 4; ++participant) {
      EXPECT_EQ(engine_available(participant), ledger_available(participant))
          << "participant " << participant;
      EXPECT_EQ(core_->engine().account({participant}).held.value,
                core_->ledger().snapshot().balance(
                    ledger::cash_account({participant}, ledger::AccountKind::held)))
          << "participant " << participant;
    }
  }
};

TEST_F(Delivery, AFailedTradeRefundsTheBuyerAndProceedsArePaidAtDeliveryEnd) {
  fund_market();  // lab-a and lab-b 1e9 each, dc-a 100 lots
  auto ops = logon("ops");
  ASSERT_TRUE(operator_ack(*ops, make_deposit(10, "dc-a", 1'000)).ok);  // caps the penalty
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  const uint64_t failed_trade = trade(*seller, *lab_a, 1, symbol_, 1850, 2);
  const uint64_t delivered_trade = trade(*seller, *lab_b, 2, symbol_, 1900, 3);
  ASSERT_NE(failed_trade, 0u);
  ASSERT_NE(delivered_trade, 0u);
  EXPECT_EQ(listed_symbols(*lab_b), std::vector{symbol_});

  // Notional 1850 x 2 lots x 8 GPUs x 1 hour; each side pays 10 bps of it as a fee.
  const int64_t failed_notional = 1850 * 2 * lot_size;  // 29,600
  const int64_t failed_fee = failed_notional / 1000;    // 29
  const int64_t penalty = 1'000;  // 10 % would be 2,960: capped at dc-a's cash
  // More lots than the trade's 2 are refused.
  // An id used before for another request (the deposit above) is refused as such.
  const Ack reused = operator_ack(*ops, failure(10, failed_trade, 1));
  EXPECT_FALSE(reused.ok);
  EXPECT_EQ(reused.reason, wire::OrderRejectReason::DuplicateRequest);
  EXPECT_NE(reused.text.find("request 10 was another request as #"), std::string::npos)
      << reused.text;
  const Ack too_many = operator_ack(*ops, failure(20, failed_trade, 3));
  EXPECT_FALSE(too_many.ok);
  EXPECT_EQ(too_many.reason, wire::OrderRejectReason::InvalidQuantity);
  EXPECT_NE(too_many.text.find("has 2 lots open (of 2)"), std::string::npos) << too_many.text;
  EXPECT_EQ(engine_available(3), 1'000'000'000 - failed_notional - failed_fee);

  const Ack ack = operator_ack(*ops, failure(11, failed_trade, 2));
  EXPECT_TRUE(ack.ok) << ack.text;
  EXPECT_EQ(ack.text, "trade " + std::to_string(failed_trade) +
                          " failed: the buyer is refunded 29600 and paid a penalty of 1000 "
                          "(minor units)");
  // Both sides hear of it, each from its own side.
  Received r;
  for (Client* side : {seller.get(), lab_a.get()}) {
    const auto* failed = report(*side, r);
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->exec_type(), wire::ExecType::TradeFailed);
    EXPECT_EQ(failed->trade_id(), failed_trade);
    EXPECT_EQ(failed->side(), side == seller.get() ? wire::Side::Sell : wire::Side::Buy);
    // The buyer's refund; the seller's lost proceeds (the whole trade: notional less its fee).
    EXPECT_EQ(failed->notional(),
              side == seller.get() ? failed_notional - failed_fee : failed_notional);
    EXPECT_EQ(failed->penalty(), penalty);
    EXPECT_EQ(failed->quantity(), 2);
    EXPECT_EQ(failed->remaining(), 0);
    EXPECT_EQ(failed->symbol()->str(), symbol_);
  }
  EXPECT_EQ(engine_available(3), 1'000'000'000 - failed_fee + penalty);
  EXPECT_EQ(engine_available(2), 0);
  EXPECT_EQ(core_->engine().capacity({2}, {0}).proceeds.value,
            1900 * 3 * lot_size - 1900 * 3 * lot_size / 1000);
  expect_engine_and_ledger_agree();
  EXPECT_EQ(core_->ledger().snapshot().trade({failed_trade})->state, ledger::TradeState::failed);

  // The seller sees it too: its cash, and its capacity of the product with the proceeds still
  // to come (the failed trade's are gone); 100 lots registered, 5 sold.
  const std::optional<Account> seen = account(*seller);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->available, 0);
  EXPECT_EQ(seen->held, 0);
  ASSERT_EQ(seen->capacities.size(), 1u);
  EXPECT_EQ(seen->capacities[0],
            std::make_tuple(0u, symbol_, int64_t{95}, int64_t{0},
                            int64_t{1900 * 3 * lot_size - 1900 * 3 * lot_size / 1000}));
  const std::optional<Account> seen_by_ops = account(*ops, "lab-a");
  ASSERT_TRUE(seen_by_ops.has_value());
  EXPECT_EQ(seen_by_ops->available, 1'000'000'000 - failed_fee + penalty);
  EXPECT_TRUE(seen_by_ops->capacities.empty());

  // A second failure of the same trade, or of a trade that does not exist, changes nothing.
  const Ack again = operator_ack(*ops, failure(12, failed_trade));
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.reason, wire::OrderRejectReason::TradeNotOpen);
  // A retry of the failure that went through (its answer lost) is told it was done.
  const Ack retry = operator_ack(*ops, failure(11, failed_trade, 2));
  EXPECT_TRUE(retry.ok) << retry.text;
  EXPECT_EQ(retry.reason, wire::OrderRejectReason::DuplicateRequest);
  EXPECT_NE(retry.text.find("request 11 was done as #"), std::string::npos) << retry.text;
  const Ack unknown = operator_ack(*ops, failure(13, 999'999));
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.reason, wire::OrderRejectReason::TradeNotOpen);
  EXPECT_EQ(engine_available(3), 1'000'000'000 - failed_fee + penalty);
  EXPECT_EQ(core_->stats().ledger_op_errors.load(), 0u);

  // The refund backs new bids at once: lab-a has 1e9 - 29 + 1,000 now, and bids for a hold
  // of 999,990,992 (2 lots at 62,437,000: 998,992,000 + its fee), more than the
  // 1e9 - 29,629 it would have had without the refund.
  ASSERT_EQ(lab_a->send(make_new_order({.client_order_id = 2, .symbol = symbol_,
                                        .side = wire::Side::Buy, .price = 62'437'000,
                                        .quantity = 2})),
            ClientStatus::ok);
  const auto* big_bid = report(*lab_a, r);
  ASSERT_NE(big_bid, nullptr);
  EXPECT_EQ(big_bid->exec_type(), wire::ExecType::Accepted)
      << wire::EnumNameOrderRejectReason(big_bid->reject_reason());

  // Then the window ends (the clock jumps past it; the bid expires at the gate): dc-a is paid
  // for the delivered trade.
  clock_ahead_ns_ = 50LL * 3600 * 1'000'000'000;
  ASSERT_TRUE(eventually([&] {
    const auto delivered = core_->ledger().snapshot().trade({delivered_trade});
    return delivered && delivered->state == ledger::TradeState::delivered;
  }));
  const int64_t proceeds = 1900 * 3 * lot_size - 1900 * 3 * lot_size / 1000;  // 45,600 - 45
  EXPECT_EQ(engine_available(2), proceeds);
  const auto* paid_report = report(*seller, r);
  ASSERT_NE(paid_report, nullptr);
  EXPECT_EQ(paid_report->exec_type(), wire::ExecType::ProceedsPaid);
  EXPECT_EQ(paid_report->notional(), proceeds);
  EXPECT_EQ(core_->engine().capacity({2}, {0}).proceeds.value, 0);  // the account is gone
  expect_engine_and_ledger_agree();

  const std::optional<Account> paid = account(*seller);
  ASSERT_TRUE(paid.has_value());
  EXPECT_EQ(paid->available, proceeds);
  EXPECT_TRUE(paid->capacities.empty());  // a delivered product's accounts are gone
  EXPECT_TRUE(listed_symbols(*lab_b).empty());  // nor is it listed any more

  // The data centre withdraws its proceeds through the exchange; not a minor unit more.
  const Ack too_much = operator_ack(*ops, make_withdraw(14, "dc-a", proceeds + 1));
  EXPECT_FALSE(too_much.ok);
  EXPECT_EQ(too_much.reason, wire::OrderRejectReason::InsufficientCash);
  const Ack withdrawn = operator_ack(*ops, make_withdraw(15, "dc-a", proceeds));
  EXPECT_TRUE(withdrawn.ok) << withdrawn.text;
  // The refused withdrawal was the operator's: its ack said so, dc-a gets no report of it.
  for (Received quiet = seller->receive(300); quiet.status == ClientStatus::ok;
       quiet = seller->receive(300)) {
    EXPECT_NE(quiet.message().body_type(), wire::Body::ExecutionReport);
  }
  EXPECT_EQ(ledger_available(2), 0);
  expect_engine_and_ledger_agree();

  // A delivered trade cannot fail any more.
  const Ack late = operator_ack(*ops, failure(16, delivered_trade));
  EXPECT_FALSE(late.ok);
  EXPECT_EQ(late.reason, wire::OrderRejectReason::TradeNotOpen);
  expect_books_balance();
}

// A node of a data centre fails: one lot of a three-lot trade is not delivered. The buyer gets
// that lot's notional back with a penalty on it, and the seller is paid for the other two at
// delivery end, less the fee still due on them.
TEST_F(Delivery, PartOfATradeFailsAndItsOtherLotsArePaidAtDeliveryEnd) {
  fund_market();
  auto ops = logon("ops");
  ASSERT_TRUE(operator_ack(*ops, make_deposit(10, "dc-a", 100'000)).ok);
  auto seller = logon("dc-a");
  auto lab_b = logon("lab-b");
  const uint64_t id = trade(*seller, *lab_b, 1, symbol_, 1850, 3);
  ASSERT_NE(id, 0u);

  // 1850 x 3 lots x 8 GPUs = 44,400, seller fee 44; one lot is 14,800. The fee still due on
  // two lots is floor(44 x 2 / 3) = 29, so the failed lot takes 15 of it.
  const Ack ack = operator_ack(*ops, failure(11, id, 1));
  ASSERT_TRUE(ack.ok) << ack.text;
  EXPECT_EQ(ack.text, "trade " + std::to_string(id) +
                          " failed (1 lot; 2 still open): the buyer is refunded 14800 and paid a "
                          "penalty of 1480 (minor units)");
  Received r;
  for (Client* side : {seller.get(), lab_b.get()}) {
    const auto* failed = report(*side, r);
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->exec_type(), wire::ExecType::TradeFailed);
    EXPECT_EQ(failed->quantity(), 1);
    EXPECT_EQ(failed->remaining(), 2);
    // The buyer's refund; the seller's lost proceeds: the refund less the lot's fee (15).
    EXPECT_EQ(failed->notional(), side == seller.get() ? 14'800 - 15 : 14'800);
    EXPECT_EQ(failed->penalty(), 1'480);
  }
  EXPECT_EQ(engine_available(2), 100'000 - 1'480);
  EXPECT_EQ(core_->engine().capacity({2}, {0}).proceeds.value, (44'400 - 44) - (14'800 - 15));
  expect_engine_and_ledger_agree();
  const auto open = core_->ledger().snapshot().trade({id});
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->state, ledger::TradeState::open);
  EXPECT_EQ(open->failed_lots.value, 1);

  const Ack too_many = operator_ack(*ops, failure(12, id, 3));
  EXPECT_FALSE(too_many.ok);
  EXPECT_EQ(too_many.reason, wire::OrderRejectReason::InvalidQuantity);
  EXPECT_NE(too_many.text.find("has 2 lots open (of 3)"), std::string::npos) << too_many.text;

  clock_ahead_ns_ = 50LL * 3600 * 1'000'000'000;
  ASSERT_TRUE(eventually([&] {
    const auto delivered = core_->ledger().snapshot().trade({id});
    return delivered && delivered->state == ledger::TradeState::delivered;
  }));
  const int64_t proceeds = 2 * 14'800 - 29;
  const auto* paid = report(*seller, r);
  ASSERT_NE(paid, nullptr);
  EXPECT_EQ(paid->exec_type(), wire::ExecType::ProceedsPaid);
  EXPECT_EQ(paid->notional(), proceeds);
  EXPECT_EQ(engine_available(2), 100'000 - 1'480 + proceeds);
  EXPECT_EQ(core_->ledger().snapshot().trade({id})->failed_lots.value, 1);
  expect_engine_and_ledger_agree();
  expect_books_balance();
}

TEST_F(Delivery, OnlyAnOperatorMayReadAnotherParticipantsAccount) {
  fund_market();
  auto lab_a = logon("lab-a");
  const std::optional<Account> own = account(*lab_a, "lab-a");  // its own name is fine
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(own->available, 1'000'000'000);
  ASSERT_EQ(lab_a->send(make_account_request(22, "lab-b")), ClientStatus::ok);
  Received refused = lab_a->receive_until(wire::Body::Reject);
  ASSERT_EQ(refused.status, ClientStatus::ok);
  EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::NotAuthorized);
  auto ops = logon("ops");
  ASSERT_EQ(ops->send(make_account_request(23, "nobody")), ClientStatus::ok);
  refused = ops->receive_until(wire::Body::Reject);
  ASSERT_EQ(refused.status, ClientStatus::ok);
  EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::InvalidField);
  const std::optional<Account> seller = account(*ops, "dc-a");
  ASSERT_TRUE(seller.has_value());
  ASSERT_EQ(seller->capacities.size(), 1u);
  EXPECT_EQ(std::get<2>(seller->capacities[0]), 100);  // registered by fund_market()
}

TEST_F(Delivery, AFailureSurvivesARestartAndIsNotAppliedTwice) {
  fund_market();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  const uint64_t id = trade(*seller, *lab_a, 1, symbol_, 1850, 2);
  ASSERT_NE(id, 0u);
  // Request ids are the operator's idempotency keys: fund_market() took 1 to 3.
  ASSERT_TRUE(operator_ack(*ops, failure(11, id)).ok);  // one lot of two
  ops.reset();
  seller.reset();
  lab_a.reset();
  stop();  // the engine's state is now the journal's: no idle tick comes after the hash
  const uint64_t hash = core_->engine().state_hash();
  const int64_t buyer_cash = engine_available(3);
  restart();  // replays the journal, failure included, into a fresh engine
  EXPECT_EQ(core_->engine().state_hash(), hash);
  EXPECT_EQ(engine_available(3), buyer_cash);
  expect_engine_and_ledger_agree();
  ops = logon("ops");
  // The replayed engine knows one lot is left, and so does the ledger.
  const Ack two = operator_ack(*ops, failure(12, id, 2));
  EXPECT_FALSE(two.ok);
  EXPECT_EQ(two.reason, wire::OrderRejectReason::InvalidQuantity);
  EXPECT_TRUE(operator_ack(*ops, failure(13, id)).ok);
  expect_engine_and_ledger_agree();
  const Ack again = operator_ack(*ops, failure(14, id));
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.reason, wire::OrderRejectReason::TradeNotOpen);
}

// Recovery checks that the engine's cash and capacity are the ledger's: money the ledger has
// and the engine does not (here a deposit committed behind the exchange's back, with no
// journal entry) stops ghxd from starting, naming the difference.
TEST_F(Delivery, AnEngineThatDisagreesWithTheLedgerRefusesToStart) {
  fund_market();
  restart();  // agreeing books start as usual
  stop();
  server_.reset();
  service_.reset();
  core_.reset();
  {
    ledger::Ledger books((dir_ / "ledger").string());
    ledger::Batch behind_its_back;
    ASSERT_EQ(behind_its_back.deposit({4}, {500}, {1}), ledger::Result::ok);
    ASSERT_EQ(books.commit(behind_its_back), ledger::Result::ok);
  }
  try {
    start();
    FAIL() << "started with books that disagree";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("participant 4 (lab-b) available cash: the engine "
                                             "has 1000000000, the ledger 1000000500"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace ghx::gateway::test
