#pragma once
// One client thread of the crash test: logs on as a buyer or a seller and trades until its
// connection dies (ghxd was killed), recording every acknowledgement it receives. Orders go
// out in small windows and each window's answers are awaited, so that an order's outcome is
// known unless the connection died under it.

#include <cstdint>
#include <string>
#include <vector>

#include "tests/recovery/ack_log.h"
#include "tests/recovery/market_setup.h"

namespace ghx::recovery {

struct TraderPlan {
  std::string name;
  bool seller = false;
  uint16_t port = 0;
  std::string data_dir;
  std::vector<MarketProduct> products;
  // Client order ids of this run start above it: a fresh range after each restart, since the
  // exchange remembers (and refuses) every id it has seen.
  uint64_t client_order_id_base = 0;
  uint32_t seed = 1;
  // The participant's last execution report seen in earlier runs: the trader logs on asking for
  // every later one, and checks that report numbers then go on without a gap or a repeat.
  uint64_t last_report_sequence = 0;
  // The halting operator may suspend this participant: only then are its orders refused or
  // canceled for a suspension (anyone's may be for a halt: every traded product is halted).
  bool may_be_suspended = false;
};

struct TraderResult {
  AckLog acks;
  uint64_t orders_sent = 0;
  uint64_t rejects = 0;         // orders the exchange refused (busy, risk)
  uint64_t unanswered = 0;      // orders in flight when the connection died
  uint64_t reports = 0;         // execution reports received (resent or live)
  uint64_t last_report_sequence = 0;
  // The operator's controls at work, expected outcomes counted apart from `rejects`: orders
  // refused ProductHalted, ParticipantSuspended or, in a call phase, InvalidInAuction (IOC),
  // resting orders canceled for a halt or a suspension.
  uint64_t halted_rejects = 0;
  uint64_t suspended_rejects = 0;
  uint64_t auction_rejects = 0;
  uint64_t halt_cancels = 0;
  uint64_t suspension_cancels = 0;
  // Block orders over two windows: sent, refused whole as their rule says (a window could not
  // fill in full, or was halted or in its call phase: not counted in `rejects`), and the fill
  // reports of those that traded.
  uint64_t blocks_sent = 0;
  uint64_t block_refusals = 0;
  uint64_t block_fill_reports = 0;
  std::vector<std::string> report_problems;  // numbers out of sequence: a gap or a repeat
  // Other broken expectations: a trader never suspended told of a suspension, a control
  // refused that should have passed.
  std::vector<std::string> problems;
  std::string end;              // why the run ended
};

void run_trader(const TraderPlan& plan, TraderResult& result);

// The operator, beside the traders: reports delivery failures of `trades` (fills acknowledged
// in earlier runs, so durable), one at a time, each awaiting its OperatorAck, until its
// connection dies. A trade of several lots fails in two steps when its id is even (one lot,
// then the rest), else whole. Acknowledged failures go to result.acks.failures; refused ones
// count as rejects, and end that trade's steps.
struct TradeToFail {
  uint64_t trade_id = 0;
  int64_t lots = 0;  // the trade's: all of them fail
};
void run_failing_operator(uint16_t port, const std::string& data_dir,
                          const std::vector<TradeToFail>& trades, TraderResult& result);

}  // namespace ghx::recovery
