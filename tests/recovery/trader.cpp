#include "tests/recovery/trader.h"

#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "gateway/wire_build.h"
#include "gateway/wire_requests.h"

namespace ghx::recovery {
namespace {

constexpr uint32_t client_timeout_ms = 3'000;  // a live ghxd answers far sooner
constexpr size_t window_orders = 4;            // in flight at once: enough to batch commits
constexpr uint64_t orders_per_run_max = 1'000'000;
constexpr size_t frames_per_window_max = 10'000;
constexpr int cancel_percent = 10;
constexpr int ioc_percent = 25;
constexpr int block_percent = 5;  // of orders in a product with a next window
constexpr int64_t block_lots_max = 2;
constexpr int64_t spread_ticks = 15;  // buyers and sellers straddle the mid: many crosses
constexpr int64_t lots_max = 5;
constexpr size_t cancel_candidates_max = 256;
constexpr size_t problems_max = 10;  // the first few, in detail, are enough to debug

class TraderRun {
 public:
  TraderRun(const TraderPlan& plan, TraderResult& result)
      : plan_(plan), result_(result), rng_(plan.seed), next_id_(plan.client_order_id_base + 1) {
    result_.last_report_sequence = plan.last_report_sequence;
  }

  void run() {
    std::string error;
    client_ = connect_as(plan_.name, plan_.port, plan_.data_dir, client_timeout_ms, error,
                         plan_.last_report_sequence);
    if (!client_) return finish(error);
    while (result_.orders_sent < orders_per_run_max) {  // ends when the connection dies
      client_->heartbeat_if_due();
      if (!send_window()) return finish("send: " + client_->last_error());
      if (!await_answers()) return;
    }
    finish("order budget used");
  }

 private:
  void finish(std::string why) {
    result_.unanswered += pending_.size();
    result_.end = std::move(why);
  }

  int percent() { return std::uniform_int_distribution<int>(0, 99)(rng_); }

  bool send_window() {
    for (size_t i = 0; i < window_orders; ++i) {
      if (!recent_.empty() && percent() < cancel_percent) {
        const auto [id, product] = recent_.front();
        recent_.pop_front();
        if (client_->send(gateway::make_cancel_order(id, plan_.products[product].symbol)) !=
            gateway::ClientStatus::ok) {
          return false;
        }
        continue;
      }
      if (!send_order()) return false;
    }
    return true;
  }

  bool send_order() {
    const size_t product = std::uniform_int_distribution<size_t>(0, plan_.products.size() - 1)(rng_);
    const MarketProduct& market = plan_.products[product];
    const int64_t offset = std::uniform_int_distribution<int64_t>(-spread_ticks, spread_ticks)(rng_);
    const uint64_t id = next_id_++;
    if (market.next_window && percent() < block_percent) return send_block(product, offset, id);
    const gateway::NewOrderFields fields{
        .client_order_id = id,
        .symbol = market.symbol,
        .side = plan_.seller ? wire::Side::Sell : wire::Side::Buy,
        .time_in_force = percent() < ioc_percent ? wire::TimeInForce::ImmediateOrCancel
                                                 : wire::TimeInForce::GoodTillGateClosure,
        .price = market.mid_price + offset * market.tick,
        .quantity = std::uniform_int_distribution<int64_t>(1, lots_max)(rng_)};
    if (client_->send(gateway::make_new_order(fields)) != gateway::ClientStatus::ok) return false;
    pending_[client_->last_sent_sequence()] = {id, product};
    ++result_.orders_sent;
    return true;
  }

  // A block order over the product's window and the next, fill-or-kill as blocks are: priced
  // on the near side of the mid, so that most find lots enough in both windows.
  bool send_block(size_t product, int64_t offset, uint64_t id) {
    const MarketProduct& market = plan_.products[product];
    const int64_t towards_the_other_side = plan_.seller ? -std::abs(offset) : std::abs(offset);
    const gateway::NewOrderFields fields{
        .client_order_id = id,
        .symbol = market.symbol,
        .side = plan_.seller ? wire::Side::Sell : wire::Side::Buy,
        .time_in_force = wire::TimeInForce::FillOrKill,
        .price = market.mid_price + towards_the_other_side * market.tick,
        .quantity = std::uniform_int_distribution<int64_t>(1, block_lots_max)(rng_),
        .windows = 2};
    if (client_->send(gateway::make_new_order(fields)) != gateway::ClientStatus::ok) return false;
    pending_[client_->last_sent_sequence()] = {id, product};
    blocks_.insert(id);
    ++result_.orders_sent;
    ++result_.blocks_sent;
    return true;
  }

  // Until every order of the window is answered; false when the connection died or hung.
  bool await_answers() {
    for (size_t frames = 0; !pending_.empty() && frames < frames_per_window_max; ++frames) {
      const gateway::Received received = client_->receive();
      if (received.status != gateway::ClientStatus::ok) {
        finish(std::string("receive: ") + std::string(gateway::to_string(received.status)));
        return false;
      }
      const wire::Message& message = received.message();
      if (const auto* report = message.body_as_ExecutionReport()) on_report(*report);
      if (const auto* reject = message.body_as_Reject()) {
        if (pending_.erase(reject->ref_sequence()) > 0) ++result_.rejects;
      }
    }
    if (!pending_.empty()) finish("window not answered");
    return pending_.empty();
  }

  void on_report(const wire::ExecutionReport& report) {
    ++result_.reports;
    const uint64_t expected = result_.last_report_sequence + 1;
    if (report.report_sequence() != expected && result_.report_problems.size() < 10) {
      result_.report_problems.push_back(plan_.name + ": report " +
                                        std::to_string(report.report_sequence()) +
                                        " where " + std::to_string(expected) + " was due");
    }
    result_.last_report_sequence = report.report_sequence();
    switch (report.exec_type()) {
      case wire::ExecType::Accepted:
        result_.acks.orders.push_back({plan_.name, report.client_order_id(), report.order_id(),
                                       report.symbol() ? report.symbol()->str() : ""});
        break;
      case wire::ExecType::Rejected:
        count_reject(report);
        break;
      case wire::ExecType::Canceled:
        count_cancel(report);
        break;
      case wire::ExecType::Filled:
      case wire::ExecType::PartiallyFilled:
        if (blocks_.contains(report.client_order_id())) ++result_.block_fill_reports;
        result_.acks.fills.push_back({plan_.name, report.trade_id(), report.order_id(),
                                      report.side() == wire::Side::Buy, report.fill_quantity(),
                                      report.fill_price()});
        break;
      default: break;
    }
    answer(report);
  }

  // Halts, suspensions and call phases refuse orders by design; any other reason counts as
  // before. In a call phase the traders' limit orders rest, crossing or not, and their IOC
  // orders are refused.
  void count_reject(const wire::ExecutionReport& report) {
    switch (report.reject_reason()) {
      case wire::OrderRejectReason::ProductHalted:
        ++result_.halted_rejects;
        return;
      case wire::OrderRejectReason::InvalidInAuction:
        ++result_.auction_rejects;
        return;
      case wire::OrderRejectReason::BlockNotFillable:
      case wire::OrderRejectReason::BlockWindowNotTrading:
        ++result_.block_refusals;
        return;
      case wire::OrderRejectReason::ParticipantSuspended:
        ++result_.suspended_rejects;
        return expect_suspendable(report, "rejected");
      default:
        ++result_.rejects;
        return;
    }
  }

  void count_cancel(const wire::ExecutionReport& report) {
    if (report.cancel_reason() == wire::CancelReason::ProductHalted) ++result_.halt_cancels;
    if (report.cancel_reason() == wire::CancelReason::ParticipantSuspended) {
      ++result_.suspension_cancels;
      expect_suspendable(report, "canceled");
    }
  }

  // The operator suspends only some traders: another's order refused or canceled for a
  // suspension is a bug (the wrong participant's state, or a reason mixed up).
  void expect_suspendable(const wire::ExecutionReport& report, std::string_view what) {
    if (plan_.may_be_suspended || result_.problems.size() >= problems_max) return;
    result_.problems.push_back(plan_.name + ": order " + std::to_string(report.client_order_id()) +
                               " " + std::string(what) +
                               " ParticipantSuspended, but it is never suspended");
  }

  // The first report about an order answers it; a resting order may be canceled later.
  void answer(const wire::ExecutionReport& report) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->second.first != report.client_order_id()) continue;
      const bool block = blocks_.contains(it->second.first);  // answered, and never rests
      const bool rests =
          !block && report.exec_type() == wire::ExecType::Accepted && report.remaining() > 0;
      if (rests && recent_.size() < cancel_candidates_max) recent_.push_back(it->second);
      pending_.erase(it);
      return;
    }
  }

  const TraderPlan& plan_;
  TraderResult& result_;
  std::mt19937 rng_;
  uint64_t next_id_;
  std::unique_ptr<gateway::Client> client_;
  std::map<uint64_t, std::pair<uint64_t, size_t>> pending_;  // sequence -> client id, product
  std::deque<std::pair<uint64_t, size_t>> recent_;           // resting orders to cancel
  std::set<uint64_t> blocks_;                                // client ids of the block orders sent
};

}  // namespace

void run_trader(const TraderPlan& plan, TraderResult& result) {
  TraderRun(plan, result).run();
}

void run_failing_operator(uint16_t port, const std::string& data_dir,
                          const std::vector<TradeToFail>& trades, TraderResult& result) {
  constexpr auto pause = std::chrono::milliseconds(20);  // a few dozen failures per run
  std::string error;
  const auto ops = connect_as(operator_name, port, data_dir, client_timeout_ms, error);
  if (!ops) return void(result.end = error);
  // Request ids are the operator's idempotency keys, which the exchange keeps across restarts:
  // each run starts from the clock (microseconds), past every id an earlier one used.
  uint64_t request_id =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  for (const auto& [trade, lots] : trades) {
    const bool in_steps = lots > 1 && trade % 2 == 0;
    for (const int64_t step : in_steps ? std::vector{int64_t{1}, lots - 1} : std::vector{lots}) {
      const gateway::DeliveryFields fields{
          .request_id = request_id, .trade_id = trade, .failed_quantity = step};
      if (ops->send(gateway::make_delivery_outcome(fields)) != gateway::ClientStatus::ok) {
        return void(result.end = "send: " + ops->last_error());
      }
      const gateway::Received received = ops->receive_until(wire::Body::OperatorAck);
      if (received.status != gateway::ClientStatus::ok) {
        ++result.unanswered;
        return void(result.end = "receive: " + std::string(gateway::to_string(received.status)));
      }
      const wire::OperatorAck& ack = *received.message().body_as_OperatorAck();
      if (ack.request_id() != request_id) return void(result.end = "an ack out of order");
      ++request_id;
      std::this_thread::sleep_for(pause);
      if (!ack.ok()) {
        ++result.rejects;
        break;
      }
      result.acks.failures.push_back({trade, step});
    }
  }
  result.end = "no trades left to fail";
}

}  // namespace ghx::recovery
