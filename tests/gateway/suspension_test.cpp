// The operator's kill switch over the whole exchange: a suspension cancels every live order of
// one participant in every product (its owner gets the reports, the holds are released in the
// engine and the ledger alike, book subscribers see the levels go), refuses its new orders while
// everyone else trades on, is the operator's alone, spares operators, and survives a restart,
// since it is a journaled command like any other.

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/gateway/exchange_fixture.h"

namespace ghx::gateway::test {
namespace {

constexpr int64_t deposit_cash = 1'000'000'000;  // fund_market(): lab-a and lab-b each
constexpr int64_t registered_lots = 100;         // fund_market(): dc-a's capacity

using Body = wire::Body;
using wire::ExecType;
using wire::OrderRejectReason;

class Suspension : public Exchange {
 protected:
  // Lists a second product (an hour after the first) and registers dc-a's capacity in it, so
  // that a participant has orders in two books.
  void list_second_product() {
    matching::ProductSpec spec = test_spec();
    ++spec.start_hour;
    ExchangeCommand listing;
    listing.engine.type = matching::CommandType::list_product;
    listing.engine.spec = spec;
    ASSERT_TRUE(service_->submit_internal(listing));
    second_ = matching::format_symbol(spec);
    ASSERT_TRUE(eventually([&] { return service_->has_product(second_); }));
    operator_request(make_register_capacity(4, "dc-a", second_, registered_lots));
  }

  Frame order_in(const std::string& symbol, uint64_t client_id, wire::Side side, int64_t price,
                 int64_t lots) {
    return make_new_order({.client_order_id = client_id,
                           .symbol = symbol,
                           .side = side,
                           .price = price,
                           .quantity = lots});
  }

  Ack suspend(Client& ops, std::string_view who) {
    return operator_ack(ops, make_suspension(++request_id_, who, true));
  }
  Ack reinstate(Client& ops, std::string_view who) {
    return operator_ack(ops, make_suspension(++request_id_, who, false));
  }

  // Cash (available, held), held lots over every product and the suspension, as an
  // AccountRequest on `client` answers them.
  struct Account {
    int64_t available_cash = 0, held_cash = 0, available_lots = 0, held_lots = 0;
    bool suspended = false;
  };
  std::optional<Account> account(Client& client, std::string_view whose) {
    EXPECT_EQ(client.send(make_account_request(++request_id_, whose)), ClientStatus::ok);
    const Received received = client.receive_until(Body::AccountStatus);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::AccountStatus& status = *received.message().body_as_AccountStatus();
    Account out{status.available_cash(), status.held_cash(), 0, 0, status.suspended()};
    if (status.capacities() != nullptr) {
      for (const auto* capacity : *status.capacities()) {
        out.available_lots += capacity->available_lots();
        out.held_lots += capacity->held_lots();
      }
    }
    return out;
  }

  // Subscribes `watcher` to both products' books; waits for the two snapshots.
  void watch_both(Client& watcher) {
    const std::vector<std::string> symbols = {symbol_, second_};
    ASSERT_EQ(watcher.send(make_subscribe(symbols, true, false)), ClientStatus::ok);
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(watcher.receive_until(Body::BookSnapshot).status, ClientStatus::ok);
    }
  }

  // The next `count` frames of `watcher` (heartbeats aside), which must all be BookDeltas
  // removing a level: their (product, price).
  std::set<std::pair<uint32_t, int64_t>> removed_levels(Client& watcher, int count) {
    std::set<std::pair<uint32_t, int64_t>> removed;
    for (int i = 0; i < count; ++i) {
      const Received received = next_frame(watcher);
      EXPECT_EQ(received.status, ClientStatus::ok);
      if (received.status != ClientStatus::ok) break;
      const auto* delta = received.message().body_as_BookDelta();
      EXPECT_NE(delta, nullptr) << wire::EnumNameBody(received.message().body_type());
      if (delta == nullptr) break;
      EXPECT_EQ(delta->size(), 0);
      removed.emplace(delta->product_id(), delta->price());
    }
    return removed;
  }

  // `client` gets a Canceled report for each of `client_ids`, in this order, for the
  // suspension.
  void expect_canceled_for_suspension(Client& client, const std::vector<uint64_t>& client_ids) {
    for (const uint64_t id : client_ids) {
      Received holder;
      const auto* canceled = report(client, holder);
      ASSERT_NE(canceled, nullptr);
      EXPECT_EQ(canceled->exec_type(), ExecType::Canceled);
      EXPECT_EQ(canceled->cancel_reason(), wire::CancelReason::ParticipantSuspended);
      EXPECT_EQ(canceled->order_status(), wire::OrderStatus::Done);
      EXPECT_EQ(canceled->client_order_id(), id);
    }
  }

  void expect_ledger_consistent() {
    EXPECT_EQ(core_->stats().ledger_op_errors.load(), 0u);
    const ledger::CheckReport check = ledger::check_ledger(core_->ledger().snapshot());
    EXPECT_TRUE(check.ok()) << check.problems.front();
  }

  std::string second_;
  uint64_t request_id_ = 100;
};

TEST_F(Suspension, ItCancelsEveryLiveOrderOfTheParticipantAndRefusesItsNewOnes) {
  fund_market();
  list_second_product();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  auto lab_a = logon("lab-a");
  auto lab_b = logon("lab-b");
  const auto accepted = std::pair{ExecType::Accepted, OrderRejectReason::None};
  ASSERT_EQ(send_order(*seller, order(1, wire::Side::Sell, 1900, 5)), accepted);
  ASSERT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 4)), accepted);
  ASSERT_EQ(send_order(*lab_a, order_in(second_, 2, wire::Side::Buy, 1700, 2)), accepted);
  ASSERT_EQ(send_order(*lab_a, order(3, wire::Side::Buy, 1750, 1)), accepted);
  ASSERT_EQ(send_order(*lab_b, order(1, wire::Side::Buy, 1790, 1)), accepted);
  const std::optional<Account> before = account(*ops, "lab-a");
  ASSERT_TRUE(before.has_value());
  EXPECT_GT(before->held_cash, 0);
  EXPECT_FALSE(before->suspended);
  auto watcher = logon("ops");  // ops has no orders: only market data comes to it
  watch_both(*watcher);

  const Ack suspended = suspend(*ops, "lab-a");
  ASSERT_TRUE(suspended.ok) << suspended.text;
  EXPECT_EQ(suspended.text, "lab-a suspended; 3 orders canceled");
  // Its orders go oldest first, in both products, each reported to it.
  expect_canceled_for_suspension(*lab_a, {1, 2, 3});
  const std::set<std::pair<uint32_t, int64_t>> gone = {{0, 1800}, {0, 1750}, {1, 1700}};
  EXPECT_EQ(removed_levels(*watcher, 3), gone);
  EXPECT_EQ(core_->engine().live_order_count(), 2u);  // dc-a's ask and lab-b's bid rest on

  // Its holds are released, in the engine's view (the ack came after its events, so this
  // request sees them) and in the ledger's books; it may still read its own account.
  for (Client* asker : {ops.get(), lab_a.get()}) {
    const std::optional<Account> after = account(*asker, "lab-a");
    ASSERT_TRUE(after.has_value());
    EXPECT_TRUE(after->suspended);
    EXPECT_EQ(after->held_cash, 0);
    EXPECT_EQ(after->available_cash, deposit_cash);
  }
  const ledger::Snapshot books = core_->ledger().snapshot();
  EXPECT_EQ(books.balance(ledger::cash_account({3}, ledger::AccountKind::held)), 0);
  EXPECT_EQ(books.balance(ledger::cash_account({3}, ledger::AccountKind::available)), deposit_cash);

  // Nothing new from it; the others trade on.
  EXPECT_EQ(send_order(*lab_a, order(4, wire::Side::Buy, 1900, 1)),
            std::pair(ExecType::Rejected, OrderRejectReason::ParticipantSuspended));
  EXPECT_EQ(send_order(*lab_a, order_in(second_, 5, wire::Side::Buy, 1700, 1)),
            std::pair(ExecType::Rejected, OrderRejectReason::ParticipantSuspended));
  ASSERT_EQ(send_order(*lab_b, order(2, wire::Side::Buy, 1900, 1)), accepted);
  Received holder;
  const auto* fill = report(*lab_b, holder);
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->exec_type(), ExecType::Filled);
  EXPECT_EQ(fill->fill_price(), 1900);

  const Ack twice = suspend(*ops, "lab-a");
  EXPECT_FALSE(twice.ok);
  EXPECT_EQ(twice.reason, OrderRejectReason::ParticipantSuspended);
  EXPECT_EQ(twice.text, "lab-a is suspended already");

  const Ack reinstated = reinstate(*ops, "lab-a");
  ASSERT_TRUE(reinstated.ok) << reinstated.text;
  EXPECT_EQ(reinstated.text, "lab-a reinstated");
  const std::optional<Account> back = account(*lab_a, "");
  ASSERT_TRUE(back.has_value());
  EXPECT_FALSE(back->suspended);
  ASSERT_EQ(send_order(*lab_a, order(6, wire::Side::Buy, 1900, 1)), accepted);
  fill = report(*lab_a, holder);
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->exec_type(), ExecType::Filled);

  const Ack not_suspended = reinstate(*ops, "lab-a");
  EXPECT_FALSE(not_suspended.ok);
  EXPECT_EQ(not_suspended.reason, OrderRejectReason::ParticipantNotSuspended);
  EXPECT_EQ(not_suspended.text, "lab-a is not suspended");
  expect_ledger_consistent();
}

// A trading system hears of the kill switch at once, on each of its sessions, even when it has
// no order that a Canceled report would tell it about; nobody else hears of it.
TEST_F(Suspension, EverySessionOfTheParticipantIsToldAtOnce) {
  auto ops = logon("ops");
  auto first = logon("lab-b");
  auto second = logon("lab-b");
  auto other = logon("lab-a");
  // Whether the next ParticipantStatus of the session says suspended (it must be lab-b's).
  const auto next_status = [](Client& client) -> std::optional<bool> {
    const Received received = client.receive_until(Body::ParticipantStatus);
    EXPECT_EQ(received.status, ClientStatus::ok);
    if (received.status != ClientStatus::ok) return std::nullopt;
    const wire::ParticipantStatus& status = *received.message().body_as_ParticipantStatus();
    EXPECT_EQ(status.participant()->str(), "lab-b");
    EXPECT_GT(status.transact_time_ns(), 0);
    return status.suspended();
  };

  ASSERT_TRUE(suspend(*ops, "lab-b").ok);
  EXPECT_EQ(next_status(*first), true);
  EXPECT_EQ(next_status(*second), true);
  EXPECT_FALSE(suspend(*ops, "lab-b").ok);  // refused: no second status
  ASSERT_TRUE(reinstate(*ops, "lab-b").ok);
  EXPECT_EQ(next_status(*first), false);
  EXPECT_EQ(next_status(*second), false);
  EXPECT_EQ(other->receive_until(Body::ParticipantStatus, 300).status, ClientStatus::timeout);
  EXPECT_EQ(ops->receive_until(Body::ParticipantStatus, 300).status, ClientStatus::timeout);
}

TEST_F(Suspension, ASuspendedSellersAsksLeaveEveryBookAndItsCapacityIsReleased) {
  fund_market();
  list_second_product();
  auto ops = logon("ops");
  auto seller = logon("dc-a");
  const auto accepted = std::pair{ExecType::Accepted, OrderRejectReason::None};
  ASSERT_EQ(send_order(*seller, order_in(second_, 1, wire::Side::Sell, 2000, 3)), accepted);
  ASSERT_EQ(send_order(*seller, order(2, wire::Side::Sell, 1900, 5)), accepted);
  const std::optional<Account> before = account(*ops, "dc-a");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->held_lots, 8);
  auto watcher = logon("ops");
  watch_both(*watcher);

  const Ack suspended = suspend(*ops, "dc-a");
  ASSERT_TRUE(suspended.ok) << suspended.text;
  EXPECT_EQ(suspended.text, "dc-a suspended; 2 orders canceled");
  expect_canceled_for_suspension(*seller, {1, 2});
  const std::set<std::pair<uint32_t, int64_t>> gone = {{0, 1900}, {1, 2000}};
  EXPECT_EQ(removed_levels(*watcher, 2), gone);
  EXPECT_EQ(core_->engine().live_order_count(), 0u);

  const std::optional<Account> after = account(*ops, "dc-a");
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->suspended);
  EXPECT_EQ(after->held_lots, 0);
  EXPECT_EQ(after->available_lots, 2 * registered_lots);
  const ledger::Snapshot books = core_->ledger().snapshot();
  for (const uint32_t product : {0u, 1u}) {
    EXPECT_EQ(books.balance(ledger::capacity_account({2}, {product}, ledger::AccountKind::held)),
              0);
  }
  // Registrations still go through while suspended (the operator settles with it); its asks
  // do not.
  operator_request(make_register_capacity(5, "dc-a", symbol_, 1));
  EXPECT_EQ(send_order(*seller, order(3, wire::Side::Sell, 1900, 1)),
            std::pair(ExecType::Rejected, OrderRejectReason::ParticipantSuspended));
  expect_ledger_consistent();
}

TEST_F(Suspension, OnlyAnOperatorMaySuspendAndNeitherAStrangerNorAnOperatorIsSuspended) {
  fund_market();
  auto lab_b = logon("lab-b");
  ASSERT_EQ(lab_b->send(make_suspension(1, "lab-a", true)), ClientStatus::ok);
  const Received refused = lab_b->receive_until(Body::Reject);
  ASSERT_EQ(refused.status, ClientStatus::ok);
  EXPECT_EQ(refused.message().body_as_Reject()->code(), wire::ErrorCode::NotAuthorized);
  EXPECT_EQ(refused.message().body_as_Reject()->text()->str(),
            "only an operator may send Suspension");
  // Nothing changed: lab-a's order is accepted.
  auto lab_a = logon("lab-a");
  EXPECT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 1)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  EXPECT_FALSE(core_->engine().account({3}).suspended);

  auto ops = logon("ops");
  const Ack unknown = suspend(*ops, "nobody");
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.reason, OrderRejectReason::UnknownParticipant);
  EXPECT_EQ(unknown.text, "unknown participant nobody");
  EXPECT_EQ(reinstate(*ops, "nobody").reason, OrderRejectReason::UnknownParticipant);
  // An operator, itself included, is not suspended: the exchange keeps its operators.
  const Ack operator_target = suspend(*ops, "ops");
  EXPECT_FALSE(operator_target.ok);
  EXPECT_EQ(operator_target.reason, OrderRejectReason::NotAuthorized);
  EXPECT_EQ(operator_target.text, "ops is an operator: operators cannot be suspended");
  EXPECT_FALSE(core_->engine().account({1}).suspended);
  // A Suspension that names no one is refused before it reaches the exchange.
  ASSERT_EQ(ops->send(make_suspension(9, "", true)), ClientStatus::ok);
  const Received invalid = ops->receive_until(Body::Reject);
  ASSERT_EQ(invalid.status, ClientStatus::ok);
  EXPECT_EQ(invalid.message().body_as_Reject()->code(), wire::ErrorCode::InvalidField);
  EXPECT_EQ(core_->engine().live_order_count(), 1u);  // lab-a's bid rests on
}

TEST_F(Suspension, ASuspensionSurvivesARestartAndTheParticipantMayStillLogOn) {
  fund_market();
  auto ops = logon("ops");
  auto lab_a = logon("lab-a");
  ASSERT_EQ(send_order(*lab_a, order(1, wire::Side::Buy, 1800, 2)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  ASSERT_TRUE(suspend(*ops, "lab-a").ok);
  ops.reset();
  lab_a.reset();
  stop();  // the engine's state is now the journal's: no idle tick comes after the hash
  const uint64_t hash = core_->engine().state_hash();
  restart();  // replays the journal, the suspension included, into a fresh engine
  EXPECT_EQ(core_->engine().state_hash(), hash);
  EXPECT_TRUE(core_->engine().account({3}).suspended);

  // It logs on, reads its reports (the cancel among them) and its account, and is refused.
  lab_a = logon_with("lab-a", {.cancel_on_disconnect = false, .last_report_sequence = 0});
  Received holder;
  const auto* accepted_report = report(*lab_a, holder);
  ASSERT_NE(accepted_report, nullptr);
  EXPECT_EQ(accepted_report->exec_type(), ExecType::Accepted);
  expect_canceled_for_suspension(*lab_a, {1});
  const std::optional<Account> own = account(*lab_a, "");
  ASSERT_TRUE(own.has_value());
  EXPECT_TRUE(own->suspended);
  EXPECT_EQ(own->held_cash, 0);
  EXPECT_EQ(send_order(*lab_a, order(2, wire::Side::Buy, 1800, 1)),
            std::pair(ExecType::Rejected, OrderRejectReason::ParticipantSuspended));

  ops = logon("ops");
  const Ack reinstated = reinstate(*ops, "lab-a");
  EXPECT_TRUE(reinstated.ok) << reinstated.text;
  EXPECT_EQ(send_order(*lab_a, order(3, wire::Side::Buy, 1800, 1)),
            std::pair(ExecType::Accepted, OrderRejectReason::None));
  expect_ledger_consistent();
}

}  // namespace
}  // namespace ghx::gateway::test
