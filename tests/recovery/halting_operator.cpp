#include "tests/recovery/halting_operator.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

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
// Call auctions on a timeline of their own, so that they neither thin out the halts and
// suspensions nor wait for them: 80-200 ms without, then one product in its call phase until
// the exchange uncrosses it at a time 50-200 ms ahead, or for 80-200 ms until the operator
// does (even odds). A product is in its call phase some 40% of the time, and about half of the
// restarts recover from a snapshot holding one (10 to 17 of 30 in trial runs).
constexpr int64_t between_calls_ms_min = 80;
constexpr int64_t between_calls_ms_max = 200;
constexpr int64_t scheduled_ms_min = 50;
constexpr int64_t scheduled_ms_max = 200;
constexpr int64_t call_ms_min = 80;
constexpr int64_t call_ms_max = 200;
constexpr int64_t reopening_one_in = 3;     // halts lifted by a reopening auction, when none runs
constexpr int frames_per_wait_max = 1'000;  // heartbeats only: the operator trades nothing
constexpr size_t problems_max = 10;

int64_t system_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A product in its call phase, as far as the operator knows: until `until` (when it
// uncrosses it, or just after the exchange has at uncross_time_ns).
struct Call {
  std::string symbol;
  int64_t uncross_time_ns = 0;
  Clock::time_point until;
};

enum class Answer { ok, refused, died };

class HaltingOperator {
 public:
  HaltingOperator(const ControlPlan& plan, TraderResult& result)
      : plan_(plan), result_(result), rng_(plan.seed) {}

  void run() {
    std::string error;
    client_ = connect_as(operator_name, plan_.port, plan_.data_dir, client_timeout_ms, error);
    if (!client_) return void(result_.end = error);
    if (!clean_up()) return;
    control_due_ = after_ms(uniform(undisturbed_ms_min, undisturbed_ms_max));
    auction_due_ = after_ms(uniform(between_calls_ms_min, between_calls_ms_max));
    for (;;) {  // ends when the connection dies
      if (!wait_until(std::min(control_due_, auction_due_))) return;
      const Clock::time_point now = Clock::now();
      if (now >= control_due_ && !(held_ ? lift() : hold())) return;
      if (now >= auction_due_ && !step_auction()) return;
    }
  }

 private:
  int64_t uniform(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(rng_);
  }

  static Clock::time_point after_ms(int64_t ms) {
    return Clock::now() + std::chrono::milliseconds(ms);
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

  bool hold() {
    AckedControl on = next_control();
    if (on.control == Control::halt && call_ && call_->symbol == on.target &&
        !end_call_for_halt(on)) {
      return false;
    }
    if (request(on, wire::OrderRejectReason::None) == Answer::died) return false;
    held_ = std::move(on);
    control_due_ = after_ms(uniform(held_ms_min, held_ms_max));
    return true;
  }

  // The exchange refuses a halt that keeps the resting orders of a product in its call phase:
  // the halt cancels them too (ending the call phase without an uncross), or the operator
  // uncrosses first. A scheduled uncross may have come first: then nothing is left to uncross.
  bool end_call_for_halt(AckedControl& halt) {
    const Call call = *std::exchange(call_, std::nullopt);
    auction_due_ = after_ms(uniform(between_calls_ms_min, between_calls_ms_max));
    if (halt.cancel_orders || uniform(0, 1) == 0) {
      halt.cancel_orders = true;
      return true;
    }
    const auto expected = call.uncross_time_ns != 0 ? wire::OrderRejectReason::ProductNotInAuction
                                                    : wire::OrderRejectReason::None;
    return request({.control = Control::uncross, .target = call.symbol}, expected) != Answer::died;
  }

  // A resume or reinstatement; or, now and then, a halt lifted by a reopening auction.
  bool lift() {
    const AckedControl on = *std::exchange(held_, std::nullopt);
    control_due_ = after_ms(uniform(undisturbed_ms_min, undisturbed_ms_max));
    if (on.control == Control::halt && !call_ && uniform(1, reopening_one_in) == 1) {
      const Answer reopening = start_call(on.target);
      if (reopening != Answer::refused) return reopening == Answer::ok;
    }
    const AckedControl off{
        .control = on.control == Control::halt ? Control::resume : Control::reinstate,
        .target = on.target};
    return request(off, wire::OrderRejectReason::None) != Answer::died;
  }

  // Starts a call phase of a product that is not halted, or ends the one running: the operator
  // uncrosses it, unless the exchange did at its time.
  bool step_auction() {
    if (!call_) {
      std::vector<const std::string*> callable;
      for (const std::string& symbol : plan_.symbols) {
        const bool halted = held_ && held_->control == Control::halt && held_->target == symbol;
        if (!halted) callable.push_back(&symbol);
      }
      if (!callable.empty()) {
        const std::string& symbol =
            *callable[uniform(0, static_cast<int64_t>(callable.size()) - 1)];
        return start_call(symbol) != Answer::died;
      }
    }
    const std::optional<Call> call = std::exchange(call_, std::nullopt);
    auction_due_ = after_ms(uniform(between_calls_ms_min, between_calls_ms_max));
    if (!call || call->uncross_time_ns != 0) return true;
    return request({.control = Control::uncross, .target = call->symbol},
                   wire::OrderRejectReason::None) != Answer::died;
  }

  // A call phase that the exchange uncrosses by itself 50-200 ms ahead, or the operator after
  // 80-200 ms, at even odds. A start sequenced after its uncross time (ghxd slowed down by the
  // load) is refused as such and starts nothing.
  Answer start_call(const std::string& symbol) {
    const bool scheduled = uniform(0, 1) == 0;
    const int64_t ms =
        scheduled ? uniform(scheduled_ms_min, scheduled_ms_max) : uniform(call_ms_min, call_ms_max);
    const AckedControl start{.control = Control::auction,
                             .target = symbol,
                             .uncross_time_ns = scheduled ? system_now_ns() + ms * 1'000'000 : 0};
    const Clock::time_point until = after_ms(scheduled ? ms + 1 : ms);
    const Answer answer = request(start, scheduled ? wire::OrderRejectReason::InvalidExpireTime
                                                   : wire::OrderRejectReason::None);
    if (answer == Answer::ok) {
      call_ = Call{.symbol = symbol, .uncross_time_ns = start.uncross_time_ns, .until = until};
    }
    auction_due_ = call_ ? until : after_ms(uniform(between_calls_ms_min, between_calls_ms_max));
    return answer;
  }

  // Uncrosses first (a resume of a product in its call phase is refused as not halted), then
  // resumes and reinstates.
  bool clean_up() {
    for (const std::string& symbol : plan_.symbols) {
      if (request({.control = Control::uncross, .target = symbol},
                  wire::OrderRejectReason::ProductNotInAuction) == Answer::died ||
          request({.control = Control::resume, .target = symbol},
                  wire::OrderRejectReason::ProductNotHalted) == Answer::died) {
        return false;
      }
    }
    for (std::string_view name : suspendable_names) {
      if (request({.control = Control::reinstate, .target = std::string(name)},
                  wire::OrderRejectReason::ParticipantNotSuspended) == Answer::died) {
        return false;
      }
    }
    return true;
  }

  gateway::Frame frame_of(uint64_t id, const AckedControl& control) const {
    switch (control.control) {
      case Control::halt:
      case Control::resume:
        return gateway::make_trading_halt(id, control.target, control.control == Control::halt,
                                          control.cancel_orders);
      case Control::suspend:
      case Control::reinstate:
        return gateway::make_suspension(id, control.target, control.control == Control::suspend);
      case Control::auction:
        return gateway::make_auction(id, control.target, wire::AuctionAction::Start,
                                     control.uncross_time_ns);
      case Control::uncross:
        break;
    }
    return gateway::make_auction(id, control.target, wire::AuctionAction::Uncross);
  }

  // Sends `control` and awaits its OperatorAck. An ack ok is recorded; a refusal for another
  // reason than `expected_refusal` is a problem.
  Answer request(AckedControl control, wire::OrderRejectReason expected_refusal) {
    const uint64_t id = next_request_id_++;
    if (client_->send(frame_of(id, control)) != gateway::ClientStatus::ok) {
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
      return Answer::ok;
    }
    if (ack.reject_reason() != expected_refusal) {
      ++result_.rejects;
      problem("request " + std::to_string(id) + " for " + control.target +
              " refused: " + (ack.text() ? ack.text()->str() : std::string("(no text)")));
    }
    return Answer::refused;
  }

  // Waits on the connection rather than asleep, so that a kill ends the wait at once.
  bool wait_until(Clock::time_point until) {
    for (int frames = 0; frames < frames_per_wait_max; ++frames) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return true;
      if (client_->heartbeat_if_due() != gateway::ClientStatus::ok) {
        died("heartbeat: " + client_->last_error());
        return false;
      }
      const gateway::Received received = client_->receive(static_cast<uint32_t>(left));
      if (received.status != gateway::ClientStatus::ok &&
          received.status != gateway::ClientStatus::timeout) {
        died("receive: " + std::string(gateway::to_string(received.status)));
        return false;
      }
    }
    return true;
  }

  // Ends the run: the connection died (ghxd was killed).
  Answer died(std::string why) {
    result_.end = std::move(why);
    return Answer::died;
  }

  void problem(std::string text) {
    if (result_.problems.size() < problems_max) result_.problems.push_back("ops: " + text);
  }

  const ControlPlan& plan_;
  TraderResult& result_;
  std::mt19937 rng_;
  // Request ids are the operator's idempotency keys, which the exchange keeps across restarts:
  // each operator starts from the clock (microseconds), past every id an earlier one used.
  uint64_t next_request_id_ =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  std::unique_ptr<gateway::Client> client_;
  std::optional<AckedControl> held_;  // the halt or suspension in force
  std::optional<Call> call_;          // the call phase running
  Clock::time_point control_due_;     // when the next halt or suspension starts or ends
  Clock::time_point auction_due_;     // when the next call phase starts or ends
};

}  // namespace

void run_halting_operator(const ControlPlan& plan, TraderResult& result) {
  HaltingOperator(plan, result).run();
}

}  // namespace ghx::recovery
