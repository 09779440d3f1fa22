#include "tools/ghx/audit.h"

#include <algorithm>
#include <map>

#include "gateway/exchange_command.h"
#include "matching/engine.h"
#include "tools/ghx/report_writers.h"

namespace ghx::cli {
namespace {

using matching::CommandType;
using matching::Event;
using matching::EventType;

class AuditReplay {
 public:
  explicit AuditReplay(const ledger::Snapshot& snapshot) {
    snapshot.for_each_participant([&](const ledger::ParticipantRecord& record) {
      names_[record.id.value] = record.name;
      return true;
    });
  }

  // Runs one journal entry; returns true and fills `entry` when an operator asked for it.
  bool run(const gateway::ExchangeCommand& command, AuditEntry& entry) {
    if (command.kind == gateway::ExchangeCommandKind::add_participant && command.issuer != 0) {
      // The ledger has the participant unless it refused the registration (the gateway
      // refuses bad ones before they are journaled, so it should not have).
      const uint32_t id = command.engine.participant.value;
      entry.sequence = command.engine.sequence.value;
      entry.time_ns = command.engine.timestamp.ns;
      entry.issuer = name(command.issuer - 1);
      entry.action = "add participant " + command.name + " (" + roles_text(command.roles) + ")";
      entry.done = name(id) == command.name;
      entry.outcome = entry.done ? "done: id " + std::to_string(id) : "refused by the ledger";
      return true;
    }
    if (command.kind != gateway::ExchangeCommandKind::engine) return false;
    events_.clear();
    engine_.process(command.engine, events_);
    if (command.issuer == 0) return false;
    const matching::Command& c = command.engine;
    entry.sequence = c.sequence.value;
    entry.time_ns = c.timestamp.ns;
    entry.issuer = name(command.issuer - 1);
    entry.action = action(c);
    const auto refused = std::find_if(events_.begin(), events_.end(), [](const Event& event) {
      return event.type == EventType::rejected;
    });
    entry.done = refused == events_.end();
    entry.outcome = entry.done ? "done" + details(c)
                               : "refused: " + std::string(to_string(refused->reject_reason));
    return true;
  }

 private:
  std::string name(uint32_t participant) const {
    const auto found = names_.find(participant);
    return found == names_.end() ? "participant " + std::to_string(participant) : found->second;
  }
  std::string symbol(matching::ProductId product) const {
    return product.value < engine_.product_count()
               ? matching::format_symbol(engine_.product_spec(product))
               : "product " + std::to_string(product.value);
  }

  std::string action(const matching::Command& c) const {
    switch (c.type) {
      case CommandType::deposit:
        return "deposit " + money(c.amount.value) + " to " + name(c.participant.value);
      case CommandType::withdraw:
        return "withdraw " + money(c.amount.value) + " from " + name(c.participant.value);
      case CommandType::register_capacity:
        return "register " + std::to_string(c.capacity.value) + " lots of " + symbol(c.product) +
               " for " + name(c.participant.value);
      case CommandType::fail_trade:
        return "delivery failed: " + std::to_string(c.quantity.value) + " lots of trade " +
               std::to_string(c.trade_id.value) + " (" + symbol(c.product) + ", seller " +
               name(c.participant.value) + ", buyer " + name(c.counterparty.value) + ")";
      case CommandType::halt_product:
        return "halt " + symbol(c.product) + (c.cancel_orders ? ", canceling its orders" : "");
      case CommandType::resume_product: return "resume " + symbol(c.product);
      case CommandType::suspend_participant: return "suspend " + name(c.participant.value);
      case CommandType::reinstate_participant: return "reinstate " + name(c.participant.value);
      case CommandType::start_auction:
        return "call auction of " + symbol(c.product) + ", uncrossing " +
               (c.expire_time.ns == 0 ? "when told" : "at " + iso_time({c.expire_time.ns}));
      case CommandType::uncross_auction: return "uncross " + symbol(c.product);
      default: return "command " + std::to_string(static_cast<int>(c.type));
    }
  }

  // What a done request did, from its events (after whatever fell due before it).
  std::string details(const matching::Command& c) const {
    size_t canceled = 0;
    for (const Event& event : events_) {
      switch (event.type) {
        case EventType::balance:
          return ": available " + money(event.available_cash.value) + ", held " +
                 money(event.held_cash.value);
        case EventType::capacity:
          return ": " + std::to_string(event.available_capacity.value) + " lots available";
        case EventType::trade_failed:
          return ": refund " + money(event.notional.value) + ", penalty " +
                 money(event.penalty.value);
        case EventType::canceled:
          if (event.cancel_reason == matching::CancelReason::product_halted ||
              event.cancel_reason == matching::CancelReason::participant_suspended) {
            ++canceled;
          }
          break;
        case EventType::product_state:
          if (c.type == CommandType::uncross_auction && event.product == c.product) {
            if (event.quantity.value == 0) return ": nothing crossed";
            return ": uncrossed " + std::to_string(event.quantity.value) + " lots at " +
                   money(event.price.value);
          }
          break;
        default: break;
      }
    }
    if (c.type == CommandType::halt_product || c.type == CommandType::suspend_participant) {
      return ": " + std::to_string(canceled) + (canceled == 1 ? " order" : " orders") +
             " canceled";
    }
    return "";
  }

  matching::Engine engine_{matching::EngineConfig{}};  // ghxd's
  std::vector<Event> events_;
  std::map<uint32_t, std::string> names_;
};

}  // namespace

std::string roles_text(uint8_t roles) {
  std::string out;
  for (const auto& [bit, role] :
       {std::pair{ledger::role_buyer, "buyer"}, std::pair{ledger::role_seller, "seller"},
        std::pair{ledger::role_operator, "operator"}}) {
    if ((roles & bit) != 0) out += out.empty() ? role : std::string(", ") + role;
  }
  return out;
}

ledger::Result read_audit_trail(const ledger::Snapshot& snapshot, int64_t from_ns, int64_t to_ns,
                                std::vector<AuditEntry>& out) {
  AuditReplay replay(snapshot);
  bool decoded = true;
  const ledger::Result result = snapshot.for_each_journal(
      ledger::SequenceNumber{1}, [&](ledger::SequenceNumber, std::span<const uint8_t> bytes) {
        gateway::ExchangeCommand command;
        if (!gateway::decode(bytes, command)) return decoded = false;
        AuditEntry entry;
        if (replay.run(command, entry) && entry.time_ns >= from_ns && entry.time_ns < to_ns) {
          out.push_back(std::move(entry));
        }
        return true;
      });
  if (result != ledger::Result::ok) return result;
  return decoded ? ledger::Result::ok : ledger::Result::invalid_argument;
}

std::string audit_line(const AuditEntry& entry) {
  return iso_time({entry.time_ns}) + "  #" + std::to_string(entry.sequence) + "  " +
         entry.issuer + ": " + entry.action + " -- " + entry.outcome;
}

std::string audit_json(const AuditEntry& entry) {
  return "{\"sequence\":" + std::to_string(entry.sequence) +
         ",\"time\":" + json_string(iso_time({entry.time_ns})) +
         ",\"operator\":" + json_string(entry.issuer) +
         ",\"action\":" + json_string(entry.action) +
         ",\"done\":" + (entry.done ? "true" : "false") +
         ",\"outcome\":" + json_string(entry.outcome) + "}";
}

}  // namespace ghx::cli
