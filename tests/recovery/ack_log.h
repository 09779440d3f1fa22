#pragma once
// What the crash test's clients were told: every acknowledgement they received, by
// participant name. Each trader thread fills its own AckLog; the test merges them after the
// threads have joined, so nothing here locks.

#include <cstdint>
#include <string>
#include <vector>

namespace ghx::recovery {

// An ExecutionReport "accepted": the exchange took the order.
struct AckedOrder {
  std::string participant;
  uint64_t client_order_id = 0;
  uint64_t order_id = 0;
  // Its product's symbol: a block order is accepted once in each of its windows, with one
  // client id and one order id.
  std::string product;
};

// An ExecutionReport "filled" or "partially filled": one side of one trade.
struct AckedFill {
  std::string participant;
  uint64_t trade_id = 0;
  uint64_t order_id = 0;
  bool buy = false;
  int64_t lots = 0;
  int64_t price = 0;
};

// An OperatorAck "ok" to a delivery failure: `lots` of the trade failed.
struct AckedFailure {
  uint64_t trade_id = 0;
  int64_t lots = 0;
};

// An OperatorAck "ok" to a trading halt or resume, to a suspension or reinstatement, or to a
// call auction's start or uncross: the product or participant reached the state asked for. The
// ack names no journal sequence, so the test bounds it by its run: its command is in the
// journal between the end the journal had when the run began and its end after the kill that
// ended the run (0 until then).
enum class Control : uint8_t { halt, resume, suspend, reinstate, auction, uncross };
struct AckedControl {
  Control control = Control::halt;
  std::string target;          // the product's symbol, or the participant's name
  bool cancel_orders = false;  // a halt that canceled the product's resting orders
  // A call auction's start: when the exchange uncrosses it by itself (0: the operator does).
  int64_t uncross_time_ns = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
};

struct AckLog {
  std::vector<AckedOrder> orders;
  std::vector<AckedFill> fills;
  std::vector<AckedFailure> failures;
  std::vector<AckedControl> controls;

  void append(const AckLog& other) {
    orders.insert(orders.end(), other.orders.begin(), other.orders.end());
    fills.insert(fills.end(), other.fills.begin(), other.fills.end());
    failures.insert(failures.end(), other.failures.begin(), other.failures.end());
    controls.insert(controls.end(), other.controls.begin(), other.controls.end());
  }
};

}  // namespace ghx::recovery
