#pragma once
// The operators' audit trail: every request an operator made (deposits, withdrawals,
// registrations, delivery failures, halts, suspensions, call auctions), who made it, when, and
// what came of it, read from the journal of a stopped or running exchange (read-only).
//
// The journal says who asked (ExchangeCommand::issuer, since journal version 9); what came of
// it is the engine's answer, so the whole journal is replayed into a fresh engine with ghxd's
// configuration, as ghxd's own recovery does.

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace ghx::cli {

struct AuditEntry {
  uint64_t sequence = 0;
  int64_t time_ns = 0;
  std::string issuer;   // the operator's name
  std::string action;   // e.g. "halt H100SXM.CN-EAST-1.2026-12-01T08.1H, canceling its orders"
  bool done = false;    // false: the exchange refused it
  std::string outcome;  // e.g. "done: 3 orders canceled", "refused: product_halted"
};

// The operators' requests sequenced in [from_ns, to_ns), oldest first. Not ok when the journal
// cannot be read or an entry does not decode.
ledger::Result read_audit_trail(const ledger::Snapshot& snapshot, int64_t from_ns, int64_t to_ns,
                                std::vector<AuditEntry>& out);

// Roles (ledger::RoleBits) as words: "buyer, seller".
std::string roles_text(uint8_t roles);

std::string audit_line(const AuditEntry& entry);  // one line of text, no newline
std::string audit_json(const AuditEntry& entry);  // one JSON object, no newline

}  // namespace ghx::cli
