#include "tests/recovery/halting_operator.h"

#include <chrono>
#include <memory>
#include <random>

#include "gateway/wire_requests.h"

namespace ghx::recovery {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t client_timeout_ms = 3'000;  // a live ghxd answers far sooner
// Undisturbed trading for 80-200 ms, then one product halted or one participant suspended for
// 80-200 ms: something is held about half of the time, yet most orders (of the other products
// and traders) trade on, so fills stay plentiful. ghxd snapshots every 2,000 commands, several
// times a second under the test's load and out of step with these periods, so some half of the
// snapshots, and of those that restarts recover from, hold a halted product or a suspended
// participant. RecoveryCheck looks into each one a restart uses, and the test counts them.
constexpr int64_t undisturbed_ms_min = 80;
constexpr int64_t undisturbed_ms_max = 200;
constexpr int64_t held_ms_min = 80;
constexpr int64_t held_ms_max = 200;
constexpr int64_t cancel_orders_one_in = 3;  // most halts leave the books resting
constexpr int frames_per_wait_max = 1'000;   // heartbeats only: the operator trades nothing
constexpr size_t problems_max = 10;

class HaltingOperator {
 public:
  HaltingOperator(const ControlPlan& plan, TraderResult& result)
      : plan_(plan), result_(result), rng_(plan.seed) {}

  void run() {
    std::string error;
    client_ = connect_as(operator_name, plan_.port, plan_.data_dir, client_timeout_ms, error);
    if (!client_) return void(result_.end = error);
    if (!lift_everything()) return;
    for (;;) {  // ends when the connection dies
      if (!wait_ms(uniform(undisturbed_ms_min, undisturbed_ms_max))) return;
      const AckedControl on = next_control();
      const AckedControl off{
          .control = on.control == Control::halt ? Control::resume : Control::reinstate,
          .target = on.target};
      if (!request(on, wire::OrderRejectReason::None)) return;
      if (!wait_ms(uniform(held_ms_min, held_ms_max))) return;
      if (!request(off, wire::OrderRejectReason::None)) return;
    }
  }

 private:
  int64_t uniform(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(rng_);
  }

  // A halt of a traded product or a suspension of a suspendable trader, at even odds.
  AckedControl next_control() {
    if (uniform(0, 1) == 0) {
      const int64_t product = uniform(0, static_cast<int64_t>(plan_.symbols.size()) - 1);
      return {.control = Control::halt,
              .target = plan_.symbols[product],
              .cancel_orders = uniform(1, cancel_orders_one_in) == 1};
    }
    const int64_t who = uniform(0, static_cast<int64_t>(suspendable_names.size()) - 1);
    return {.control = Control::suspend, .target = std::string(suspendable_names[who])};
  }

  bool lift_everything() {
    for (const std::string& symbol : plan_.symbols) {
      if (!request({.control = Control::resume, .target = symbol},
                   wire::OrderRejectReason::ProductNotHalted)) {
        return false;
      }
    }
    for (std::string_view name : suspendable_names) {
      if (!request({.control = Control::reinstate, .target = std::string(name)},
                   wire::OrderRejectReason::ParticipantNotSuspended)) {
        return false;
      }
    }
    return true;
  }

  // Sends `control` and awaits its OperatorAck; false when the connection died. An ack ok is
  // recorded; a refusal for another reason than `expected_refusal` is a problem.
  bool request(AckedControl control, wire::OrderRejectReason expected_refusal) {
    const uint64_t id = next_request_id_++;
    const bool halt = control.control == Control::halt;
    gateway::Frame frame =
        halt || control.control == Control::resume
            ? gateway::make_trading_halt(id, control.target, halt, control.cancel_orders)
            : gateway::make_suspension(id, control.target, control.control == Control::suspend);
    if (client_->send(std::move(frame)) != gateway::ClientStatus::ok) {
      return died("send: " + client_->last_error());
    }
    const gateway::Received received = client_->receive_until(wire::Body::OperatorAck);
    if (received.status != gateway::ClientStatus::ok) {
      ++result_.unanswered;
      return died("receive: " + std::string(gateway::to_string(received.status)));
    }
    const wire::OperatorAck& ack = *received.message().body_as_OperatorAck();
    if (ack.request_id() != id) {
      problem("OperatorAck of request " + std::to_string(ack.request_id()) + " where " +
              std::to_string(id) + " was due");
      return died("an ack out of order");
    }
    if (ack.ok()) {
      result_.acks.controls.push_back(std::move(control));
    } else if (ack.reject_reason() != expected_refusal) {
      ++result_.rejects;
      problem("request " + std::to_string(id) + " for " + control.target +
              " refused: " + (ack.text() ? ack.text()->str() : std::string("(no text)")));
    }
    return true;
  }

  // Waits on the connection rather than asleep, so that a kill ends the wait at once.
  bool wait_ms(int64_t ms) {
    const Clock::time_point until = Clock::now() + std::chrono::milliseconds(ms);
    for (int frames = 0; frames < frames_per_wait_max; ++frames) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return true;
      if (client_->heartbeat_if_due() != gateway::ClientStatus::ok) {
        return died("heartbeat: " + client_->last_error());
      }
      const gateway::Received received = client_->receive(static_cast<uint32_t>(left));
      if (received.status != gateway::ClientStatus::ok &&
          received.status != gateway::ClientStatus::timeout) {
        return died("receive: " + std::string(gateway::to_string(received.status)));
      }
    }
    return true;
  }

  bool died(std::string why) {
    result_.end = std::move(why);
    return false;
  }

  void problem(std::string text) {
    if (result_.problems.size() < problems_max) result_.problems.push_back("ops: " + text);
  }

  const ControlPlan& plan_;
  TraderResult& result_;
  std::mt19937 rng_;
  uint64_t next_request_id_ = 1;
  std::unique_ptr<gateway::Client> client_;
};

}  // namespace

void run_halting_operator(const ControlPlan& plan, TraderResult& result) {
  HaltingOperator(plan, result).run();
}

}  // namespace ghx::recovery
