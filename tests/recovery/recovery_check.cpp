#include "tests/recovery/recovery_check.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <utility>

#include "gateway/core_snapshot.h"
#include "gateway/exchange_command.h"
#include "gateway/snapshot_store.h"
#include "ledger/check.h"
#include "ledger/ledger.h"
#include "matching/engine.h"
#include "matching/product.h"

namespace ghx::recovery {
namespace {

// Details of the first problems are enough to debug; the counts carry the rest.
constexpr size_t problems_detailed_max = 20;

using OrderKey = std::pair<uint32_t, uint64_t>;  // participant id, client order id
// A control, its product or participant id, whether a halt canceled the resting orders, and
// when an auction's start scheduled the uncross (0: none).
using ControlKey = std::tuple<Control, uint32_t, bool, int64_t>;

// What the journal says happened, rebuilt by a clean replay from sequence 1.
struct Replayed {
  std::set<OrderKey> new_orders;               // every journaled new order command
  std::map<OrderKey, uint64_t> accepted;       // order id the engine gave
  uint64_t duplicate_accepts = 0;              // one client order id accepted twice
  std::map<uint64_t, uint32_t> fill_transfers; // trade id -> fill_capacity transfers
  std::map<uint64_t, ledger::Fill> trades;
  std::map<uint64_t, int64_t> failed_lots;  // trades with lots failed -> how many
  std::map<std::string, uint32_t> participants;
  std::map<std::string, uint32_t> products;                    // symbol -> product id
  std::map<ControlKey, std::vector<uint64_t>> controls_taken;  // sequences, ascending
  // Products in their call phase -> the uncross time (0: the operator uncrosses).
  std::map<uint32_t, int64_t> in_call;
  std::set<uint64_t> uncross_trades;  // ids of the trades uncrosses made
};

void add_problem(RecoveryCheck& check, std::string text) {
  if (check.problems.size() < problems_detailed_max) {
    check.problems.push_back(std::move(text));
  } else if (check.problems.size() == problems_detailed_max) {
    check.problems.push_back("... (more problems not listed)");
  }
}

std::optional<Control> control_of(matching::CommandType type) {
  switch (type) {
    case matching::CommandType::halt_product:
      return Control::halt;
    case matching::CommandType::resume_product:
      return Control::resume;
    case matching::CommandType::suspend_participant:
      return Control::suspend;
    case matching::CommandType::reinstate_participant:
      return Control::reinstate;
    case matching::CommandType::start_auction:
      return Control::auction;
    case matching::CommandType::uncross_auction:
      return Control::uncross;
    default:
      return std::nullopt;
  }
}

bool of_product(Control control) {
  return control != Control::suspend && control != Control::reinstate;
}

matching::ProductState state_wanted(Control control) {
  switch (control) {
    case Control::halt:
      return matching::ProductState::halted;
    case Control::auction:
      return matching::ProductState::auction;
    default:
      return matching::ProductState::trading;
  }
}

bool any_rejected(const std::vector<matching::Event>& events) {
  return std::any_of(events.begin(), events.end(), [](const matching::Event& event) {
    return event.type == matching::EventType::rejected;
  });
}

// A journaled control took effect when its product or participant reached the state it asks
// for and the command was not refused, as ghxd decides its OperatorAck (a refused one is
// journaled too, and changes nothing; what fell due before it, a scheduled uncross of the same
// product say, may have reached that state).
void note_control(const matching::Command& command, const std::vector<matching::Event>& events,
                  Replayed& out) {
  const std::optional<Control> control = control_of(command.type);
  if (!control || any_rejected(events)) return;
  const bool on_product = of_product(*control);
  const matching::ProductState wanted = state_wanted(*control);
  for (const matching::Event& event : events) {
    const bool taken = on_product
                           ? event.type == matching::EventType::product_state &&
                                 event.product == command.product && event.product_state == wanted
                           : event.type == matching::EventType::participant_state &&
                                 event.participant == command.participant &&
                                 event.suspended == (*control == Control::suspend);
    if (!taken) continue;
    const uint32_t id = on_product ? command.product.value : command.participant.value;
    const int64_t uncross_time_ns = *control == Control::auction ? command.expire_time.ns : 0;
    out.controls_taken[{*control, id, command.cancel_orders, uncross_time_ns}].push_back(
        command.sequence.value);
    return;
  }
}

// A call phase ended (`event`): by the operator's uncross, by the exchange's at its time, or
// without an uncross (a halt that canceled the orders, the gate); never by itself early.
void note_call_end(const matching::Command& command, const std::vector<matching::Event>& events,
                   const matching::Event& event, int64_t uncross_time_ns, RecoveryCheck& check) {
  if (event.product_state != matching::ProductState::trading) return;
  if (command.type == matching::CommandType::uncross_auction && command.product == event.product &&
      !any_rejected(events)) {
    ++check.uncrosses_replayed;
  } else if (uncross_time_ns != 0 && command.timestamp.ns >= uncross_time_ns) {
    ++check.scheduled_uncrosses_replayed;
  } else {
    add_problem(check, "product " + std::to_string(event.product.value) +
                           " left its call phase at " + std::to_string(command.sequence.value) +
                           " without an uncross due or asked for");
  }
}

// Follows each product's call phases through the replay: the trades of a product in its call
// phase are its uncross's (the engine matches nothing else there, and the uncross reports the
// new state after its trades), and a call phase with an uncross time ends by itself at that
// time: no command stamped at or after it may find the product still in that call phase.
void note_auctions(const matching::Command& command, const std::vector<matching::Event>& events,
                   Replayed& out, RecoveryCheck& check) {
  for (const matching::Event& event : events) {
    const uint32_t product = event.product.value;
    if (event.type == matching::EventType::trade && out.in_call.contains(product)) {
      out.uncross_trades.insert(event.trade_id.value);
      ++check.uncross_trades_replayed;
    }
    if (event.type != matching::EventType::product_state) continue;
    const auto call = out.in_call.find(product);
    if (event.product_state == matching::ProductState::auction) {
      // A start_auction's, or a listing's with an opening auction: the command has the time.
      out.in_call[product] = command.expire_time.ns;
    } else if (call != out.in_call.end()) {
      note_call_end(command, events, event, call->second, check);
      out.in_call.erase(call);
    }
  }
  for (auto call = out.in_call.begin(); call != out.in_call.end();) {
    if (call->second == 0 || command.timestamp.ns < call->second) {
      ++call;
      continue;
    }
    add_problem(check, "product " + std::to_string(call->first) +
                           " is still in its call phase after command " +
                           std::to_string(command.sequence.value) + ", past its uncross time");
    call = out.in_call.erase(call);
  }
}

// A block order's events: one reject (and the status of a duplicate's original), or in each
// of its windows an accepted order whose own fills add up to the block's quantity.
void note_block(const matching::Command& command, const std::vector<matching::Event>& events,
                RecoveryCheck& check) {
  std::map<uint32_t, int64_t> filled;  // window's product -> lots the block took there
  size_t accepted = 0;
  for (const matching::Event& event : events) {
    if (event.order_id.value != command.sequence.value) continue;
    if (event.type == matching::EventType::accepted) {
      ++accepted;
      filled.emplace(event.product.value, 0);
    } else if (event.type == matching::EventType::fill) {
      filled[event.product.value] += event.quantity.value;
    }
  }
  // Whatever fell due before it (expiries, gate closures) comes first.
  const bool refused = std::any_of(events.begin(), events.end(), [&](const auto& event) {
    return event.type == matching::EventType::rejected &&
           event.participant == command.participant &&
           event.client_order_id == command.client_order_id;
  });
  if (accepted == 0 && refused) {
    ++check.blocks_refused_replayed;
    return;
  }
  const bool whole = accepted == command.windows && filled.size() == command.windows &&
                     std::all_of(filled.begin(), filled.end(), [&](const auto& window) {
                       return window.second == command.quantity.value;
                     });
  if (!whole) {
    add_problem(check, "block order " + std::to_string(command.sequence.value) +
                           " traded in part: " + std::to_string(accepted) + " of " +
                           std::to_string(command.windows) + " windows accepted");
    return;
  }
  ++check.blocks_filled_replayed;
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
        if (engine_command.type == matching::CommandType::new_order ||
            engine_command.type == matching::CommandType::new_block_order) {
          out.new_orders.insert({engine_command.participant.value,
                                 engine_command.client_order_id.value});
        }
        events.clear();
        engine.process(engine_command, events);
        note_control(engine_command, events, out);
        note_auctions(engine_command, events, out, check);
        if (engine_command.type == matching::CommandType::new_block_order) {
          note_block(engine_command, events, check);
        }
        for (const matching::Event& event : events) {
          if (event.type != matching::EventType::accepted) continue;
          const OrderKey key{event.participant.value, event.client_order_id.value};
          // A block order's windows are accepted one by one, all with its one order id.
          const auto [known, added] = out.accepted.emplace(key, event.order_id.value);
          if (!added && known->second != event.order_id.value) ++out.duplicate_accepts;
        }
        return true;
      });
  if (result != ledger::Result::ok) {
    add_problem(check, std::string("journal read: ") + ledger::to_string(result));
  }
  check.journal_entries = expected - 1;
  check.state_hash = engine.state_hash();
  for (uint32_t product = 0; product < engine.product_count(); ++product) {
    out.products[matching::format_symbol(engine.product_spec({product}))] = product;
  }
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
  std::set<std::pair<OrderKey, std::string>> seen;  // a block's once in each of its windows
  for (const AckedOrder& order : acks.orders) {
    ++check.orders_checked;
    const OrderKey key{participant_id(replayed, order.participant), order.client_order_id};
    const std::string what =
        order.participant + " order " + std::to_string(order.client_order_id);
    if (!seen.insert({key, order.product}).second) {
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
    check.uncross_fills_checked += replayed.uncross_trades.contains(fill.trade_id);
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

uint32_t product_id(const Replayed& replayed, const std::string& symbol) {
  const auto found = replayed.products.find(symbol);
  return found == replayed.products.end() ? UINT32_MAX : found->second;
}

std::string describe(const AckedControl& control) {
  switch (control.control) {
    case Control::halt:
      return std::string(control.cancel_orders ? "halt (canceling orders)" : "halt") + " of " +
             control.target;
    case Control::resume:
      return "resume of " + control.target;
    case Control::suspend:
      return "suspension of " + control.target;
    case Control::reinstate:
      return "reinstatement of " + control.target;
    case Control::auction:
      return "call auction of " + control.target +
             (control.uncross_time_ns == 0
                  ? std::string()
                  : " uncrossing at " + std::to_string(control.uncross_time_ns));
    case Control::uncross:
      return "uncross of " + control.target;
  }
  return "control of " + control.target;
}

// An acknowledged halt, resume, suspension, reinstatement, or call auction's start or uncross
// is durable: the journal of its run holds a command of its kind that took effect, for its
// product (canceling orders as it did, scheduling the uncross it did) or participant. Counted
// per run and kind, since the ack names no sequence: at least as many as were acknowledged
// (more when one committed but its ack died with ghxd).
void count_checked(Control control, RecoveryCheck& check) {
  switch (control) {
    case Control::halt:
    case Control::resume:
      ++check.halts_checked;
      return;
    case Control::suspend:
    case Control::reinstate:
      ++check.suspensions_checked;
      return;
    case Control::auction:
      ++check.auctions_checked;
      return;
    case Control::uncross:
      ++check.uncrosses_checked;
      return;
  }
}

void compare_controls(const AckLog& acks, const Replayed& replayed, RecoveryCheck& check) {
  struct Acked {
    uint64_t count = 0;
    const AckedControl* control = nullptr;
  };
  std::map<std::tuple<uint64_t, uint64_t, ControlKey>, Acked> acked;  // by run and kind
  for (const AckedControl& control : acks.controls) {
    count_checked(control.control, check);
    const uint32_t id = of_product(control.control) ? product_id(replayed, control.target)
                                                    : participant_id(replayed, control.target);
    const uint64_t last = control.last_sequence == 0 ? UINT64_MAX : control.last_sequence;
    const ControlKey key{control.control, id, control.cancel_orders, control.uncross_time_ns};
    Acked& run = acked[{control.first_sequence, last, key}];
    ++run.count;
    run.control = &control;
  }
  for (const auto& [run, ack] : acked) {
    const auto& [first, last, key] = run;
    const auto taken = replayed.controls_taken.find(key);
    uint64_t journaled = 0;
    if (taken != replayed.controls_taken.end()) {
      const std::vector<uint64_t>& sequences = taken->second;
      journaled =
          static_cast<uint64_t>(std::upper_bound(sequences.begin(), sequences.end(), last) -
                                std::lower_bound(sequences.begin(), sequences.end(), first));
    }
    if (journaled >= ack.count) continue;
    check.lost += ack.count - journaled;
    add_problem(check, describe(*ack.control) + " acknowledged " + std::to_string(ack.count) +
                           " times in the run of sequences " + std::to_string(first) + " to " +
                           std::to_string(ack.control->last_sequence) + ", but the journal has " +
                           std::to_string(journaled) + " taking effect there");
  }
}

bool journal_entry_hash_is(const ledger::Snapshot& snapshot, uint64_t sequence, uint64_t hash) {
  bool matches = false;
  const ledger::Result result = snapshot.for_each_journal(
      ledger::SequenceNumber{sequence}, [&](ledger::SequenceNumber at, auto bytes) {
        matches = at.value == sequence && gateway::xxh64(bytes) == hash;
        return false;  // that entry is all it takes
      });
  return result == ledger::Result::ok && matches;
}

// Finds the snapshot ghxd's recovery starts from as ExchangeCore::load_newest_snapshot does
// (the newest intact one up to the ledger's sequence, of this journal's entry, that the engine
// loads), independently of it, and counts the halted products and suspended participants in
// it and the products in their call phase: the state-hash comparison covers recovering them
// only when such snapshots are used.
void inspect_snapshot(const ledger::Snapshot& snapshot, const std::string& snapshot_dir,
                      const Replayed& replayed, RecoveryCheck& check) {
  std::unique_ptr<matching::Engine> engine;
  const gateway::SnapshotStore store(snapshot_dir);
  const gateway::SnapshotSearch search = store.find_newest(
      check.last_sequence, [&](uint64_t sequence, std::span<const uint8_t> payload) {
        std::span<const uint8_t> engine_bytes;
        gateway::CoreSnapshotState state;
        if (!gateway::split_payload(payload, engine_bytes, state) || state.sequence != sequence) {
          return std::string("the core's state does not decode");
        }
        if (!journal_entry_hash_is(snapshot, sequence, state.journal_entry_hash)) {
          return std::string("not of this journal");
        }
        engine = std::make_unique<matching::Engine>(matching::EngineConfig{});
        return engine->load(engine_bytes) ? std::string() : std::string("the engine refused it");
      });
  if (!search.sequence) return;
  check.snapshot_sequence = *search.sequence;
  for (uint32_t product = 0; product < engine->product_count(); ++product) {
    const matching::ProductState state = engine->product_state({product});
    check.snapshot_halted_products += state == matching::ProductState::halted;
    check.snapshot_auction_products += state == matching::ProductState::auction;
  }
  for (const auto& [name, id] : replayed.participants) {
    if (engine->account({id}).suspended) ++check.snapshot_suspended_participants;
  }
}

}  // namespace

RecoveryCheck check_recovery(const std::string& ledger_dir, const std::string& snapshot_dir,
                             const AckLog& acks) {
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
  compare_controls(acks, replayed, check);
  inspect_snapshot(snapshot, snapshot_dir, replayed, check);
  return check;
}

}  // namespace ghx::recovery
