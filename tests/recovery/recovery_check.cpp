#include "tests/recovery/recovery_check.h"

#include <map>
#include <set>
#include <utility>

#include "gateway/exchange_command.h"
#include "ledger/check.h"
#include "ledger/ledger.h"
#include "matching/engine.h"

namespace ghx::recovery {
namespace {

// Details of the first problems are enough to debug; the counts carry the rest.
constexpr size_t problems_detailed_max = 20;

using OrderKey = std::pair<uint32_t, uint64_t>;  // participant id, client order id

// What the journal says happened, rebuilt by a clean replay from sequence 1.
struct Replayed {
  std::set<OrderKey> new_orders;               // every journaled new order command
  std::map<OrderKey, uint64_t> accepted;       // order id the engine gave
  uint64_t duplicate_accepts = 0;              // one client order id accepted twice
  std::map<uint64_t, uint32_t> fill_transfers; // trade id -> fill_capacity transfers
  std::map<uint64_t, ledger::Fill> trades;
  std::map<uint64_t, int64_t> failed_lots;  // trades with lots failed -> how many
  std::map<std::string, uint32_t> participants;
};

void add_problem(RecoveryCheck& check, std::string text) {
  if (check.problems.size() < problems_detailed_max) {
    check.problems.push_back(std::move(text));
  } else if (check.problems.size() == problems_detailed_max) {
    check.problems.push_back("... (more problems not listed)");
  }
}

// Replays the whole journal into a fresh engine with ghxd's default configuration, as ghxd's
// start-up does, but independently of gateway::ExchangeCore.
void replay(const ledger::Snapshot& snapshot, Replayed& out, RecoveryCheck& check) {
  matching::Engine engine(matching::EngineConfig{});
  std::vector<matching::Event> events;
  uint64_t expected = 1;
  const ledger::Result result = snapshot.for_each_journal(
      ledger::SequenceNumber{1}, [&](ledger::SequenceNumber sequence, auto bytes) {
        gateway::ExchangeCommand command;
        if (sequence.value != expected || !gateway::decode(bytes, command) ||
            command.sequence().value != sequence.value) {
          add_problem(check, "journal entry " + std::to_string(sequence.value) +
                                 " is out of order or does not decode");
          return false;
        }
        ++expected;
        if (command.kind != gateway::ExchangeCommandKind::engine) return true;
        const matching::Command& engine_command = command.engine;
        if (engine_command.type == matching::CommandType::new_order) {
          out.new_orders.insert({engine_command.participant.value,
                                 engine_command.client_order_id.value});
        }
        events.clear();
        engine.process(engine_command, events);
        for (const matching::Event& event : events) {
          if (event.type != matching::EventType::accepted) continue;
          const OrderKey key{event.participant.value, event.client_order_id.value};
          if (!out.accepted.emplace(key, event.order_id.value).second) ++out.duplicate_accepts;
        }
        return true;
      });
  if (result != ledger::Result::ok) {
    add_problem(check, std::string("journal read: ") + ledger::to_string(result));
  }
  check.journal_entries = expected - 1;
  check.state_hash = engine.state_hash();
}

void read_ledger(const ledger::Snapshot& snapshot, Replayed& out, RecoveryCheck& check) {
  snapshot.for_each_participant([&](const ledger::ParticipantRecord& record) {
    out.participants[record.name] = record.id.value;
    return true;
  });
  snapshot.for_each_trade([&](const ledger::TradeRecord& record) {
    out.trades[record.fill.trade_id.value] = record.fill;
    if (record.failed_lots.value > 0) {
      out.failed_lots[record.fill.trade_id.value] = record.failed_lots.value;
    }
    return true;
  });
  snapshot.for_each_transfer([&](const ledger::Transfer& transfer) {
    if (transfer.kind == ledger::TransferKind::fill_capacity) {
      ++out.fill_transfers[transfer.trade_id.value];
    }
    return true;
  });
  for (const auto& [trade_id, count] : out.fill_transfers) {
    if (count != 1 || !out.trades.contains(trade_id)) {
      ++check.duplicated;
      add_problem(check, "trade " + std::to_string(trade_id) + " settled " +
                             std::to_string(count) + " times");
    }
  }
  if (out.duplicate_accepts > 0) {
    check.duplicated += out.duplicate_accepts;
    add_problem(check, std::to_string(out.duplicate_accepts) +
                           " client order ids accepted twice in the journal");
  }
}

uint32_t participant_id(const Replayed& replayed, const std::string& name) {
  const auto found = replayed.participants.find(name);
  return found == replayed.participants.end() ? UINT32_MAX : found->second;
}

void compare_orders(const AckLog& acks, const Replayed& replayed, RecoveryCheck& check) {
  std::set<OrderKey> seen;
  for (const AckedOrder& order : acks.orders) {
    ++check.orders_checked;
    const OrderKey key{participant_id(replayed, order.participant), order.client_order_id};
    const std::string what =
        order.participant + " order " + std::to_string(order.client_order_id);
    if (!seen.insert(key).second) {
      ++check.duplicated;
      add_problem(check, what + " was acknowledged twice");
    }
    const auto accepted = replayed.accepted.find(key);
    if (!replayed.new_orders.contains(key) || accepted == replayed.accepted.end()) {
      ++check.lost;
      add_problem(check, what + " was acknowledged but is not in the journal");
    } else if (accepted->second != order.order_id) {
      add_problem(check, what + " was acknowledged as order " + std::to_string(order.order_id) +
                             " but replays as " + std::to_string(accepted->second));
    }
  }
}

bool same_fill(const AckedFill& acked, const ledger::Fill& fill, uint32_t participant) {
  const uint32_t owner = acked.buy ? fill.buyer.value : fill.seller.value;
  const uint64_t order = acked.buy ? fill.buyer_order_id.value : fill.seller_order_id.value;
  return owner == participant && order == acked.order_id && fill.lots.value == acked.lots &&
         fill.price.value == acked.price;
}

void compare_fills(const AckLog& acks, const Replayed& replayed, RecoveryCheck& check) {
  std::set<std::pair<uint64_t, bool>> seen;  // trade id, buy side
  for (const AckedFill& fill : acks.fills) {
    ++check.fills_checked;
    const std::string what = fill.participant + " fill of trade " + std::to_string(fill.trade_id);
    if (!seen.insert({fill.trade_id, fill.buy}).second) {
      ++check.duplicated;
      add_problem(check, what + " was reported twice");
    }
    const auto trade = replayed.trades.find(fill.trade_id);
    if (trade == replayed.trades.end()) {
      ++check.lost;
      add_problem(check, what + " was acknowledged but is not in the ledger");
    } else if (!same_fill(fill, trade->second, participant_id(replayed, fill.participant))) {
      add_problem(check, what + " differs from the ledger's trade");
    }
  }
}

// An acknowledged delivery failure is durable: the ledger has at least the acknowledged lots of
// each trade failed (more if a failure committed but its acknowledgement was lost in a kill),
// and never more lots acknowledged than the trade has.
void compare_failures(const AckLog& acks, const Replayed& replayed, RecoveryCheck& check) {
  std::map<uint64_t, int64_t> acked_lots;
  for (const AckedFailure& failure : acks.failures) {
    ++check.failures_checked;
    acked_lots[failure.trade_id] += failure.lots;
  }
  for (const auto& [trade_id, lots] : acked_lots) {
    const std::string what = "delivery failure of " + std::to_string(lots) + " lots of trade " +
                             std::to_string(trade_id);
    const auto trade = replayed.trades.find(trade_id);
    if (trade != replayed.trades.end() && lots > trade->second.lots.value) {
      ++check.duplicated;
      add_problem(check, what + " was acknowledged, more than its " +
                             std::to_string(trade->second.lots.value));
    }
    const auto failed = replayed.failed_lots.find(trade_id);
    if (failed == replayed.failed_lots.end() || failed->second < lots) {
      ++check.lost;
      add_problem(check,
                  what + " was acknowledged but the ledger has " +
                      std::to_string(failed == replayed.failed_lots.end() ? 0 : failed->second) +
                      " failed");
    }
  }
}

}  // namespace

RecoveryCheck check_recovery(const std::string& ledger_dir, const AckLog& acks) {
  RecoveryCheck check;
  ledger::Options options;
  options.read_only = true;
  ledger::Ledger ledger(ledger_dir, options);
  const ledger::Snapshot snapshot = ledger.snapshot();
  if (snapshot.status() != ledger::Result::ok) {
    add_problem(check, "cannot open a snapshot of " + ledger_dir);
    return check;
  }
  check.last_sequence = snapshot.last_applied_sequence().value;
  const ledger::CheckReport report = ledger::check_ledger(snapshot);
  for (const std::string& problem : report.problems) add_problem(check, "ledger check: " + problem);
  Replayed replayed;
  replay(snapshot, replayed, check);
  if (check.journal_entries != check.last_sequence) {
    add_problem(check, "the journal ends at " + std::to_string(check.journal_entries) +
                           " but the ledger applied up to " +
                           std::to_string(check.last_sequence));
  }
  read_ledger(snapshot, replayed, check);
  compare_orders(acks, replayed, check);
  compare_fills(acks, replayed, check);
  compare_failures(acks, replayed, check);
  return check;
}

}  // namespace ghx::recovery
