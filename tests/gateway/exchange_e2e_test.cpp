// The whole exchange end to end over real TLS on loopback: the ExchangeCore (engine + LMDB
// ledger in a temp directory), the ExchangeService and the TLS server, driven by real clients
// with their own certificates. Ephemeral ports, 127.0.0.1 only, every wait bounded.

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

TEST_F(Exchange, OrderLifecycleAcceptFillCancelIsReportedAndSettled) {
  fund_market();
  auto seller = logon("dc-a");
  auto buyer = logon("lab-a");
  Received r;
  ASSERT_EQ(seller->send(order(1, wire::Side::Sell, 1850, 2)), ClientStatus::ok);
  const auto* accepted = report(*seller, r);
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->exec_type(), wire::ExecType::Accepted);
  EXPECT_EQ(accepted->client_order_id(), 1u);

  ASSERT_EQ(buyer->send(order(7, wire::Side::Buy, 1860, 3)), ClientStatus::ok);
  ASSERT_EQ(report(*buyer, r)->exec_type(), wire::ExecType::Accepted);
  const auto* fill = report(*buyer, r);
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->exec_type(), wire::ExecType::PartiallyFilled);
  EXPECT_EQ(fill->fill_price(), 1850);
  EXPECT_EQ(fill->fill_quantity(), 2);
  EXPECT_EQ(fill->remaining(), 1);
  const uint64_t trade_id = fill->trade_id();
  const auto* maker_fill = report(*seller, r);
  ASSERT_NE(maker_fill, nullptr);
  EXPECT_EQ(maker_fill->exec_type(), wire::ExecType::Filled);
  EXPECT_EQ(maker_fill->trade_id(), trade_id);

  ASSERT_EQ(buyer->send(make_cancel_order(7, symbol_)), ClientStatus::ok);
  const auto* canceled = report(*buyer, r);
  ASSERT_NE(canceled, nullptr);
  EXPECT_EQ(canceled->exec_type(), wire::ExecType::Canceled);

  // The fill was acknowledged, so it is in the ledger, settled once, and the ledger balances.
  const ledger::Snapshot snapshot = core_->ledger().snapshot();
  const auto trade = snapshot.trade(ledger::TradeId{trade_id});
  ASSERT_TRUE(trade.has_value());
  EXPECT_EQ(trade->fill.lots.value, 2);
  EXPECT_EQ(trade->fill.buyer.value, 3u);
  EXPECT_EQ(trade->fill.seller.value, 2u);
  const ledger::CheckReport check = ledger::check_ledger(snapshot);
  EXPECT_TRUE(check.ok()) << check.problems.front();
}

TEST_F(Exchange, EveryOrderTypeBehavesAsSpecifiedOverTls) {
  fund_market();
  auto seller = logon("dc-a");
  auto buyer = logon("lab-a");
  Received r;
  auto next_report = [&](Client& client) { return report(client, r); };
  // Resting asks: 2 lots at 1850 and 2 at 1900.
  ASSERT_EQ(seller->send(order(1, wire::Side::Sell, 1850, 2)), ClientStatus::ok);
  ASSERT_EQ(next_report(*seller)->exec_type(), wire::ExecType::Accepted);
  ASSERT_EQ(seller->send(order(2, wire::Side::Sell, 1900, 2)), ClientStatus::ok);
  ASSERT_EQ(next_report(*seller)->exec_type(), wire::ExecType::Accepted);

  // Post-only that would cross: rejected, nothing trades.
  NewOrderFields fields{.client_order_id = 10, .symbol = symbol_, .side = wire::Side::Buy,
                        .post_only = true, .price = 1850, .quantity = 1};
  ASSERT_EQ(buyer->send(make_new_order(fields)), ClientStatus::ok);
  const auto* post_only = next_report(*buyer);
  EXPECT_EQ(post_only->reject_reason(), wire::OrderRejectReason::PostOnlyWouldCross);

  // Fill-or-kill for more than the book holds at its price: killed, book untouched.
  fields = {.client_order_id = 11, .symbol = symbol_, .side = wire::Side::Buy,
            .time_in_force = wire::TimeInForce::FillOrKill, .price = 1850, .quantity = 3};
  ASSERT_EQ(buyer->send(make_new_order(fields)), ClientStatus::ok);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Accepted);
  const auto* killed = next_report(*buyer);
  EXPECT_EQ(killed->exec_type(), wire::ExecType::Canceled);
  EXPECT_EQ(killed->cancel_reason(), wire::CancelReason::FillOrKill);

  // Minimum quantity not available at once: canceled without trading.
  fields = {.client_order_id = 12, .symbol = symbol_, .side = wire::Side::Buy, .price = 1850,
            .quantity = 4, .min_quantity = 3};
  ASSERT_EQ(buyer->send(make_new_order(fields)), ClientStatus::ok);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Accepted);
  EXPECT_EQ(next_report(*buyer)->cancel_reason(), wire::CancelReason::MinQuantity);

  // Immediate-or-cancel: takes the 2 lots at 1850, the rest is canceled.
  fields = {.client_order_id = 13, .symbol = symbol_, .side = wire::Side::Buy,
            .time_in_force = wire::TimeInForce::ImmediateOrCancel, .price = 1850,
            .quantity = 3};
  ASSERT_EQ(buyer->send(make_new_order(fields)), ClientStatus::ok);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Accepted);
  EXPECT_EQ(next_report(*buyer)->fill_quantity(), 2);
  const auto* ioc_rest = next_report(*buyer);
  EXPECT_EQ(ioc_rest->exec_type(), wire::ExecType::Canceled);
  EXPECT_EQ(ioc_rest->cancel_reason(), wire::CancelReason::ImmediateOrCancel);

  // Market: trades at 1900 (inside the 5 % collar), the rest is canceled.
  fields = {.client_order_id = 14, .symbol = symbol_, .side = wire::Side::Buy,
            .order_type = wire::OrderType::Market, .quantity = 3};
  ASSERT_EQ(buyer->send(make_new_order(fields)), ClientStatus::ok);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Accepted);
  const auto* market_fill = next_report(*buyer);
  EXPECT_EQ(market_fill->fill_price(), 1900);
  EXPECT_EQ(market_fill->fill_quantity(), 2);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Canceled);

  // Good-till-time: rests until its time, then expires. An hour ahead, then the exchange's
  // clock moves two hours on: however slowly the order is sequenced, it is still in the future.
  constexpr int64_t hour_ns = int64_t{3600} * 1'000'000'000;
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count() +
                         clock_ahead_ns_.load();
  fields = {.client_order_id = 15, .symbol = symbol_, .side = wire::Side::Buy,
            .time_in_force = wire::TimeInForce::GoodTillTime, .price = 1800, .quantity = 1,
            .expire_time_ns = now_ns + hour_ns};
  ASSERT_EQ(buyer->send(make_new_order(fields)), ClientStatus::ok);
  const auto* gtt = next_report(*buyer);
  EXPECT_EQ(gtt->exec_type(), wire::ExecType::Accepted);
  EXPECT_EQ(gtt->time_in_force(), wire::TimeInForce::GoodTillTime);
  clock_ahead_ns_ += 2 * hour_ns;
  const auto* expired = next_report(*buyer);  // the sequencer's idle ticks carry time to it
  ASSERT_NE(expired, nullptr);
  EXPECT_EQ(expired->exec_type(), wire::ExecType::Expired);
  EXPECT_EQ(expired->expire_reason(), wire::ExpireReason::GoodTillTime);

  // Replace: a bid moved up to cross the book trades.
  ASSERT_EQ(seller->send(order(3, wire::Side::Sell, 1950, 1)), ClientStatus::ok);
  ASSERT_EQ(buyer->send(order(16, wire::Side::Buy, 1940, 1)), ClientStatus::ok);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Accepted);
  ASSERT_EQ(buyer->send(make_replace_order({.orig_client_order_id = 16,
                                            .client_order_id = 17,
                                            .price = 1950,
                                            .quantity = 1})),
            ClientStatus::ok);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Replaced);
  EXPECT_EQ(next_report(*buyer)->exec_type(), wire::ExecType::Filled);
}

// An Unsubscribe ends the subscriptions of the products it names and no others; a book
// snapshot still on its way when its product is unsubscribed does not subscribe the session
// again.
TEST_F(Exchange, UnsubscribeEndsOnlyTheNamedProducts) {
  fund_market();
  const matching::SymbolParse first = matching::parse_symbol(symbol_);
  ASSERT_TRUE(first.ok);
  ExchangeCommand listing;
  listing.engine.type = matching::CommandType::list_product;
  listing.engine.spec = first.spec;
  listing.engine.spec.start_hour += 1;
  ASSERT_TRUE(service_->submit_internal(listing));
  const std::string other = matching::format_symbol(listing.engine.spec);
  ASSERT_TRUE(eventually([&] { return service_->has_product(other); }));

  auto buyer = logon("lab-a");
  auto watcher = logon("lab-b");
  const std::vector<std::string> both{symbol_, other};
  ASSERT_EQ(watcher->send(make_subscribe(both, true, true)), ClientStatus::ok);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(watcher->receive_until(wire::Body::BookSnapshot).status, ClientStatus::ok);
  }
  const std::vector<std::string> first_only{symbol_};
  ASSERT_EQ(watcher->send(make_unsubscribe(first_only)), ClientStatus::ok);

  // Book deltas the watcher sees, by product id (the first is 0, the other 1), until it has
  // been quiet for a while; and the buyer's bids, each acknowledged.
  const auto deltas_seen = [&] {
    std::map<uint32_t, int> seen;
    while (true) {
      const Received update = watcher->receive(300);
      if (update.status != ClientStatus::ok) break;
      if (const auto* delta = update.message().body_as_BookDelta()) {
        ++seen[delta->product_id()];
      }
    }
    return seen;
  };
  uint64_t id = 0;
  const auto bid_in = [&](const std::string& symbol) {
    EXPECT_EQ(send_order(*buyer, make_new_order({.client_order_id = ++id,
                                                 .symbol = symbol,
                                                 .side = wire::Side::Buy,
                                                 .price = 1700 + int64_t(id),
                                                 .quantity = 1})),
              std::pair(wire::ExecType::Accepted, wire::OrderRejectReason::None));
  };
  bid_in(symbol_);
  bid_in(other);
  EXPECT_EQ(deltas_seen(), (std::map<uint32_t, int>{{1, 1}}));

  // Subscribed and unsubscribed at once: whether or not its snapshot came first, the book's
  // deltas do not follow.
  ASSERT_EQ(watcher->send(make_subscribe(first_only, true, false)), ClientStatus::ok);
  ASSERT_EQ(watcher->send(make_unsubscribe(first_only)), ClientStatus::ok);
  bid_in(symbol_);
  bid_in(other);
  EXPECT_EQ(deltas_seen(), (std::map<uint32_t, int>{{1, 1}}));
}

// One participant's sessions are capped: one certificate cannot take every connection slot.
// The session past the cap is refused at its Logon, saying why; other participants, and the
// participant's own sessions, go on; a slot freed is usable again.
class SessionCap : public Exchange {
 protected:
  void SetUp() override {
    service_config_.sessions_per_participant_max = 2;
    Exchange::SetUp();
  }
};

TEST_F(SessionCap, AParticipantsSessionBeyondItsCapIsRefusedAtLogon) {
  fund_market();
  auto first = logon("lab-a");
  auto second = logon("lab-a");
  const LogonResult third = try_logon("lab-a");
  EXPECT_EQ(third.status, ClientStatus::rejected);
  EXPECT_EQ(third.reject_code, wire::ErrorCode::LogonRefused);
  EXPECT_NE(third.text.find("'lab-a' already has 2 sessions"), std::string::npos) << third.text;
  auto other = logon("lab-b");
  EXPECT_EQ(send_order(*second, order(1, wire::Side::Buy, 1800, 1)),
            std::pair(wire::ExecType::Accepted, wire::OrderRejectReason::None));
  first.reset();
  EXPECT_TRUE(eventually([&] { return try_logon("lab-a").status == ClientStatus::ok; }));
}

TEST_F(Exchange, MarketDataSnapshotPlusDeltasEqualsTheEngineBook) {
  fund_market();
  auto buyer = logon("lab-a");
  auto seller = logon("dc-a");
  Received r;
  ASSERT_EQ(buyer->send(order(1, wire::Side::Buy, 1800, 4)), ClientStatus::ok);
  ASSERT_NE(report(*buyer, r), nullptr);
  auto watcher = logon("lab-b");
  const std::vector<std::string> symbols{symbol_};
  ASSERT_EQ(watcher->send(make_subscribe(symbols, true, true)), ClientStatus::ok);
  const Received snapshot = watcher->receive_until(wire::Body::BookSnapshot);
  ASSERT_EQ(snapshot.status, ClientStatus::ok);
  std::map<int64_t, int64_t> bids, asks;
  const auto* book = snapshot.message().body_as_BookSnapshot();
  for (const auto* level : *book->bids()) bids[level->price()] = level->quantity();
  for (const auto* level : *book->asks()) asks[level->price()] = level->quantity();
  EXPECT_EQ(bids[1800], 4);
  uint64_t sequence = book->sequence();

  // Orders after the snapshot: rests, crosses, cancels.
  uint64_t id = 10;
  for (int64_t price : {1810, 1820, 1830}) {
    ASSERT_EQ(seller->send(order(++id, wire::Side::Sell, price + 40, 2)), ClientStatus::ok);
    ASSERT_EQ(buyer->send(order(++id, wire::Side::Buy, price, 3)), ClientStatus::ok);
  }
  ASSERT_EQ(seller->send(order(++id, wire::Side::Sell, 1800, 5)), ClientStatus::ok);  // crosses
  ASSERT_EQ(buyer->send(make_cancel_order(12, symbol_)), ClientStatus::ok);
  ASSERT_EQ(buyer->send(make_order_status_request(12)), ClientStatus::ok);  // a marker
  bool marker = false;
  for (int i = 0; i < 100 && !marker; ++i) {
    const auto* status = report(*buyer, r);
    marker = status != nullptr && status->exec_type() == wire::ExecType::Status;
  }
  ASSERT_TRUE(marker);

  int trades = 0;
  while (true) {
    const Received update = watcher->receive(300);
    if (update.status != ClientStatus::ok) break;
    // Deltas and trades of a product share one contiguous market-data sequence.
    if (update.message().body_type() == wire::Body::Trade) {
      ++trades;
      EXPECT_EQ(update.message().body_as_Trade()->sequence(), sequence + 1);
      sequence = update.message().body_as_Trade()->sequence();
      continue;
    }
    if (update.message().body_type() != wire::Body::BookDelta) continue;
    const auto* delta = update.message().body_as_BookDelta();
    EXPECT_EQ(delta->sequence(), sequence + 1) << "market data must be contiguous";
    sequence = delta->sequence();
    auto& side = delta->side() == wire::Side::Buy ? bids : asks;
    if (delta->size() == 0) {
      side.erase(delta->price());
    } else {
      side[delta->price()] = delta->size();
    }
  }
  EXPECT_GE(trades, 1);
  stop();
  std::map<int64_t, int64_t> engine_bids, engine_asks;
  const matching::ProductId product{0};
  for (const auto& level : core_->engine().levels(product, matching::Side::buy, 1000)) {
    engine_bids[level.price.value] = level.quantity.value;
  }
  for (const auto& level : core_->engine().levels(product, matching::Side::sell, 1000)) {
    engine_asks[level.price.value] = level.quantity.value;
  }
  std::erase_if(bids, [](const auto& level) { return level.second == 0; });
  std::erase_if(asks, [](const auto& level) { return level.second == 0; });
  EXPECT_EQ(bids, engine_bids);
  EXPECT_EQ(asks, engine_asks);
}

// Whatever falls due before a command runs happens first, whatever the command: an operator's
// deposit may carry an expiry. Its report and its market data must go out like any other.
class ExchangeWithoutTicks : public Exchange {
 protected:
  void SetUp() override {
    // No idle tick during the test, even after the clock jumps: the deposit carries time.
    tick_interval_ms_ = 10 * 3'600'000;
    Exchange::SetUp();
  }
};

TEST_F(ExchangeWithoutTicks, AnExpiryCarriedByAnOperatorCommandIsReportedAndPublished) {
  fund_market();
  auto buyer = logon("lab-a");
  auto watcher = logon("lab-b");
  const std::vector<std::string> symbols{symbol_};
  ASSERT_EQ(watcher->send(make_subscribe(symbols, true, false)), ClientStatus::ok);
  const Received snapshot = watcher->receive_until(wire::Body::BookSnapshot);
  ASSERT_EQ(snapshot.status, ClientStatus::ok);
  const uint64_t sequence = snapshot.message().body_as_BookSnapshot()->sequence();

  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ASSERT_EQ(buyer->send(make_new_order({.client_order_id = 5, .symbol = symbol_,
                                        .side = wire::Side::Buy,
                                        .time_in_force = wire::TimeInForce::GoodTillTime,
                                        .price = 1800, .quantity = 2,
                                        .expire_time_ns = now_ns + 3'600'000'000'000})),
            ClientStatus::ok);
  Received r;
  ASSERT_EQ(report(*buyer, r)->exec_type(), wire::ExecType::Accepted);
  Received delta = watcher->receive_until(wire::Body::BookDelta);
  ASSERT_EQ(delta.status, ClientStatus::ok);
  EXPECT_EQ(delta.message().body_as_BookDelta()->size(), 2);

  clock_ahead_ns_ = 2 * 3'600'000'000'000;  // past the expiry; no tick will notice
  {
    // The request after the expiry is answered with its own outcome, though the expiry's book
    // level is reported after it: a withdrawal of more than lab-b has is refused.
    auto ops = logon("ops");
    const Ack refused = operator_ack(*ops, make_withdraw(30, "lab-b", 2'000'000'000));
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.reason, wire::OrderRejectReason::InsufficientCash);
  }
  const auto* expired = report(*buyer, r);
  ASSERT_NE(expired, nullptr);
  EXPECT_EQ(expired->exec_type(), wire::ExecType::Expired);
  EXPECT_EQ(expired->expire_reason(), wire::ExpireReason::GoodTillTime);
  EXPECT_EQ(expired->client_order_id(), 5u);
  delta = watcher->receive_until(wire::Body::BookDelta);
  ASSERT_EQ(delta.status, ClientStatus::ok);
  EXPECT_EQ(delta.message().body_as_BookDelta()->size(), 0);
  EXPECT_EQ(delta.message().body_as_BookDelta()->sequence(), sequence + 2);
}

TEST_F(Exchange, CancelOnDisconnectCancelsTheParticipantsOrders) {
  fund_market();
  Received r;
  {
    auto buyer = logon("lab-a", /*cancel_on_disconnect=*/true);
    ASSERT_EQ(buyer->send(order(1, wire::Side::Buy, 1800, 1)), ClientStatus::ok);
    ASSERT_EQ(report(*buyer, r)->exec_type(), wire::ExecType::Accepted);
    buyer->close();
  }
  auto again = logon("lab-a");
  bool done = eventually([&] {
    EXPECT_EQ(again->send(make_order_status_request(1)), ClientStatus::ok);
    const auto* status = report(*again, r);
    return status != nullptr && status->order_status() == wire::OrderStatus::Done;
  });
  EXPECT_TRUE(done);
  // Without cancel-on-disconnect, the order rests on after the session ends.
  {
    auto keeper = logon("lab-b", false);
    ASSERT_EQ(keeper->send(order(1, wire::Side::Buy, 1790, 1)), ClientStatus::ok);
    ASSERT_EQ(report(*keeper, r)->exec_type(), wire::ExecType::Accepted);
  }
  auto back = logon("lab-b");
  ASSERT_EQ(back->send(make_order_status_request(1)), ClientStatus::ok);
  const auto* status = report(*back, r);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->order_status(), wire::OrderStatus::Live);
}

TEST_F(Exchange, CancelOnDisconnectSessionsCutOffByACrashAreCanceledAtRestart) {
  fund_market();
  Received r;
  auto careful = logon("lab-a", /*cancel_on_disconnect=*/true);
  auto relaxed = logon("lab-b", /*cancel_on_disconnect=*/false);
  ASSERT_EQ(careful->send(order(1, wire::Side::Buy, 1800, 1)), ClientStatus::ok);
  ASSERT_EQ(report(*careful, r)->exec_type(), wire::ExecType::Accepted);
  ASSERT_EQ(relaxed->send(order(1, wire::Side::Buy, 1790, 1)), ClientStatus::ok);
  ASSERT_EQ(report(*relaxed, r)->exec_type(), wire::ExecType::Accepted);
  // A crash: the core is gone before the sessions end, so their disconnects cannot be
  // journaled; only the journal of what was committed survives.
  core_->stop();
  server_->stop();
  careful.reset();
  relaxed.reset();
  server_.reset();
  service_.reset();
  core_.reset();
  start();
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  ASSERT_EQ(lab_a->send(make_order_status_request(1)), ClientStatus::ok);
  const auto* canceled = report(*lab_a, r);
  ASSERT_NE(canceled, nullptr);
  EXPECT_EQ(canceled->order_status(), wire::OrderStatus::Done);
  ASSERT_EQ(lab_b->send(make_order_status_request(1)), ClientStatus::ok);
  const auto* resting = report(*lab_b, r);
  ASSERT_NE(resting, nullptr);
  EXPECT_EQ(resting->order_status(), wire::OrderStatus::Live);
}

TEST_F(Exchange, ResentOrderGetsTheOriginalOutcomeNotASecondOrder) {
  fund_market();
  auto buyer = logon("lab-a");
  Received r;
  ASSERT_EQ(buyer->send(order(5, wire::Side::Buy, 1800, 2)), ClientStatus::ok);
  const auto* accepted = report(*buyer, r);
  ASSERT_NE(accepted, nullptr);
  const uint64_t order_id = accepted->order_id();
  ASSERT_EQ(buyer->send(order(5, wire::Side::Buy, 1800, 2)), ClientStatus::ok);  // resent
  EXPECT_EQ(report(*buyer, r)->reject_reason(), wire::OrderRejectReason::DuplicateClientOrderId);
  const auto* original = report(*buyer, r);
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->exec_type(), wire::ExecType::Status);
  EXPECT_EQ(original->order_id(), order_id);
  EXPECT_EQ(original->remaining(), 2);
  stop();
  EXPECT_EQ(core_->engine().live_order_count(), 1u);
}

// An operator's request id is its idempotency key: a deposit repeated with its id (a retry
// after a lost answer) is refused, not paid twice, whether the first is still on its way or
// done, and after a restart too. Another id is another request.
TEST_F(Exchange, AnOperatorRequestRepeatedWithItsIdIsDoneOnce) {
  const auto cash = [&] { return core_->engine().account({3}).available.value; };  // lab-a
  {
    auto ops = logon("ops");
    ASSERT_TRUE(operator_ack(*ops, make_deposit(500, "lab-a", 100)).ok);
    // Answered with what came of the first: done, and nothing is done again.
    const Ack again = operator_ack(*ops, make_deposit(500, "lab-a", 100));
    EXPECT_TRUE(again.ok);
    EXPECT_EQ(again.reason, wire::OrderRejectReason::DuplicateRequest);
    EXPECT_NE(again.text.find("request 500 was done as #"), std::string::npos) << again.text;
    // A refused request stays refused: its repeat says so.
    const Ack too_much = operator_ack(*ops, make_withdraw(503, "lab-a", 1'000'000));
    ASSERT_EQ(too_much.reason, wire::OrderRejectReason::InsufficientCash);
    const Ack too_much_again = operator_ack(*ops, make_withdraw(503, "lab-a", 1'000'000));
    EXPECT_FALSE(too_much_again.ok);
    EXPECT_EQ(too_much_again.reason, wire::OrderRejectReason::DuplicateRequest);
    EXPECT_NE(too_much_again.text.find("request 503 was refused as #"), std::string::npos)
        << too_much_again.text;
    // Two at once: one is done, the other refused.
    ASSERT_EQ(ops->send(make_deposit(501, "lab-a", 10)), ClientStatus::ok);
    ASSERT_EQ(ops->send(make_deposit(501, "lab-a", 10)), ClientStatus::ok);
    // The second is answered as a repeat (on its way, or done), whichever came first.
    int first = 0, repeats = 0;
    for (int i = 0; i < 2; ++i) {
      const Received received = ops->receive_until(wire::Body::OperatorAck);
      ASSERT_EQ(received.status, ClientStatus::ok);
      const wire::OperatorAck& ack = *received.message().body_as_OperatorAck();
      first += ack.ok() && ack.reject_reason() == wire::OrderRejectReason::None;
      repeats += ack.reject_reason() == wire::OrderRejectReason::DuplicateRequest;
    }
    EXPECT_EQ(first, 1);
    EXPECT_EQ(repeats, 1);
    ASSERT_TRUE(operator_ack(*ops, make_deposit(502, "lab-a", 1)).ok);
  }
  EXPECT_EQ(cash(), 111);
  restart();
  auto ops = logon("ops");
  EXPECT_EQ(operator_ack(*ops, make_deposit(500, "lab-a", 100)).reason,
            wire::OrderRejectReason::DuplicateRequest);
  EXPECT_EQ(operator_ack(*ops, make_withdraw(501, "lab-a", 5)).reason,
            wire::OrderRejectReason::DuplicateRequest);  // the id, whatever the request
  EXPECT_EQ(cash(), 111);
  expect_books_balance();
}

// A request id names one request, whatever it asks: the same id on a deposit of another amount
// or to another participant (a script's clash, a clock that stepped back) is refused as
// another request, and nothing is paid; the ledger keeps a digest of what the first asked.
TEST_F(Exchange, AnOperatorRequestIdUsedAgainForAnotherAmountIsRefusedAndNothingIsPaid) {
  const auto cash = [&](uint32_t participant) {
    return core_->engine().account({participant}).available.value;
  };
  auto ops = logon("ops");
  ASSERT_TRUE(operator_ack(*ops, make_deposit(700, "lab-a", 100)).ok);
  for (const Frame& other : {make_deposit(700, "lab-a", 250), make_deposit(700, "lab-b", 100)}) {
    const Ack refused = operator_ack(*ops, other);
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.reason, wire::OrderRejectReason::DuplicateRequest);
    EXPECT_NE(refused.text.find("request 700 was another request as #"), std::string::npos)
        << refused.text;
  }
  EXPECT_TRUE(operator_ack(*ops, make_deposit(700, "lab-a", 100)).ok);  // the repeat itself
  EXPECT_EQ(cash(3), 100);
  EXPECT_EQ(cash(4), 0);
  restart();
  ops = logon("ops");
  EXPECT_FALSE(operator_ack(*ops, make_deposit(700, "lab-a", 250)).ok);
  EXPECT_EQ(cash(3), 100);
  expect_books_balance();
}

// A Subscribe repeated while its book snapshot is on its way waits for that snapshot rather
// than queue another: 200 sent at once put a few snapshot requests in the exchange's shared
// queue, not 200. A deposit sent after them is answered after their snapshots.
TEST_F(Exchange, RepeatedSubscribesShareTheSnapshotOnItsWay) {
  auto ops = logon("ops");
  const std::vector<std::string> symbols = {symbol_};
  constexpr int subscribes = 200;
  for (int i = 0; i < subscribes; ++i) {
    ASSERT_EQ(ops->send(make_subscribe(symbols, true, false)), ClientStatus::ok);
  }
  ASSERT_EQ(ops->send(make_deposit(800, "lab-a", 1)), ClientStatus::ok);
  int snapshots = 0;
  while (true) {
    const Received received = ops->receive();
    ASSERT_EQ(received.status, ClientStatus::ok);
    const wire::Body body = received.message().body_type();
    if (body == wire::Body::OperatorAck) break;
    snapshots += body == wire::Body::BookSnapshot;
  }
  EXPECT_GE(snapshots, 1);
  EXPECT_LT(snapshots, subscribes / 4);
}

TEST_F(Exchange, ParticipantsAndRolesAreEnforced) {
  // A certificate from the exchange CA whose participant is not registered: refused at logon.
  ClientConfig config;
  config.port = port_;
  config.tls = {ca_.cert.string(), (certs_ / "stranger.pem").string(),
                (certs_ / "stranger.key").string()};
  Client stranger(config);
  ASSERT_EQ(stranger.connect(), ClientStatus::ok);
  EXPECT_EQ(stranger.logon().status, ClientStatus::rejected);

  auto buyer = logon("lab-a");
  ASSERT_EQ(buyer->send(make_deposit(1, "lab-a", 100)), ClientStatus::ok);  // not an operator
  Received reject = buyer->receive_until(wire::Body::Reject);
  ASSERT_EQ(reject.status, ClientStatus::ok);
  EXPECT_EQ(reject.message().body_as_Reject()->code(), wire::ErrorCode::NotAuthorized);
  ASSERT_EQ(buyer->send(order(1, wire::Side::Sell, 1850, 1)), ClientStatus::ok);  // not a seller
  reject = buyer->receive_until(wire::Body::Reject);
  ASSERT_EQ(reject.status, ClientStatus::ok);
  EXPECT_EQ(reject.message().body_as_Reject()->code(), wire::ErrorCode::NotAuthorized);
}

// The ledger refuses capacity for a participant without the seller role, and a refusal of
// what the engine has done stops the exchange: the gateway refuses it before it is sequenced.
TEST_F(Exchange, CapacityForAParticipantWhoIsNotASellerIsRefusedAndTheExchangeServes) {
  auto ops = logon("ops");
  const Ack refused = operator_ack(*ops, make_register_capacity(1, "lab-a", symbol_, 10));
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.reason, wire::OrderRejectReason::NotAuthorized);
  EXPECT_NE(refused.text.find("lab-a is not a seller"), std::string::npos) << refused.text;
  // The exchange still serves: a registration for a seller and an order go through.
  EXPECT_TRUE(operator_ack(*ops, make_register_capacity(2, "dc-a", symbol_, 10)).ok);
  auto seller = logon("dc-a");
  EXPECT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1850, 1)).first,
            wire::ExecType::Accepted);
  EXPECT_FALSE(core_->failed());
  expect_books_balance();
}

TEST_F(Exchange, UnknownProductAndMissingFundsAreRejectedWithReasons) {
  auto buyer = logon("lab-a");
  Received r;
  ASSERT_EQ(buyer->send(make_new_order({.client_order_id = 1,
                                        .symbol = "H100SXM.CN-EAST-1.2099-01-01T00.1H",
                                        .price = 1850,
                                        .quantity = 1})),
            ClientStatus::ok);
  const auto* unknown = report(*buyer, r);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->exec_type(), wire::ExecType::Rejected);
  EXPECT_EQ(unknown->reject_reason(), wire::OrderRejectReason::UnknownProduct);
  ASSERT_EQ(buyer->send(order(2, wire::Side::Buy, 1850, 1)), ClientStatus::ok);  // no deposit
  const auto* broke = report(*buyer, r);
  ASSERT_NE(broke, nullptr);
  EXPECT_EQ(broke->reject_reason(), wire::OrderRejectReason::InsufficientCash);
}

TEST_F(Exchange, RestartReplaysTheJournalToTheSameState) {
  fund_market();
  auto buyer = logon("lab-a");
  auto seller = logon("dc-a");
  Received r;
  ASSERT_EQ(seller->send(order(1, wire::Side::Sell, 1850, 5)), ClientStatus::ok);
  ASSERT_NE(report(*seller, r), nullptr);
  ASSERT_EQ(buyer->send(order(1, wire::Side::Buy, 1850, 2)), ClientStatus::ok);
  ASSERT_NE(report(*buyer, r), nullptr);
  ASSERT_NE(report(*buyer, r), nullptr);  // the fill
  buyer.reset();
  seller.reset();
  stop();
  const uint64_t hash = core_->engine().state_hash();
  const uint64_t last = core_->last_sequence().value;
  server_.reset();
  service_.reset();
  core_.reset();
  ExchangeCoreConfig config;
  config.data_directory = (dir_ / "ledger").string();
  const ExchangeCore replayed(config);  // not started: nothing runs after the replay
  EXPECT_EQ(replayed.last_sequence().value, last);
  EXPECT_EQ(replayed.engine().state_hash(), hash);
  EXPECT_EQ(replayed.engine().live_order_count(), 1u);
}

}  // namespace
}  // namespace ghx::gateway::test
