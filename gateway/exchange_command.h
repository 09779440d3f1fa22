#pragma once
// ExchangeCommand: one entry of the sequenced stream, as journaled. Most are engine commands;
// a few change only the ledger (participants, delivery failures) but are sequenced and journaled
// all the same, so that replaying the journal rebuilds everything.
//
// The byte encoding is explicit (a version byte, then every field in a fixed order as varints,
// bytes and length-prefixed text), not a memory image, so a journal outlives compiler and
// struct-layout changes, and small: the journal is most of what each commit writes.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "matching/command.h"

namespace ghx::gateway {

enum class ExchangeCommandKind : uint8_t {
  engine = 1,
  add_participant = 2,   // upsert: id, roles (ledger RoleBits), name
  // The seller of engine.trade_id did not deliver: a ledger-only command of journals before
  // version 3. Since then a failure is an engine command (fail_trade), with the trade's facts.
  delivery_failure = 3,
  // A session with cancel-on-disconnect logged on / ended (after its orders were canceled).
  // Journaled so that a restart can cancel the orders of sessions a crash cut off.
  session_opened = 4,
  session_closed = 5,
};

struct ExchangeCommand {
  ExchangeCommandKind kind = ExchangeCommandKind::engine;
  matching::Command engine;  // sequence and timestamp live here for every kind
  uint8_t roles = 0;
  std::string name;
  // Who asked for it, for the audit trail: the operator's participant id + 1 for an operator's
  // request (a deposit, a halt, a suspension...); 0 for a participant's own orders (their
  // participant says whose) and for what the exchange does by itself (listings, ticks,
  // sessions), and in entries before version 9.
  uint32_t issuer = 0;

  matching::SequenceNumber sequence() const { return engine.sequence; }
};

// 1: fixed-width fields (before 2026-11-29); 2: no fail_trade facts (counterparty, fee);
// 3: a fail_trade failed the whole trade (no lots named); 4: no halt_product or resume_product,
// and no cancel_orders flag (version 5 appends it); 5: no suspend_participant or
// reinstate_participant (version 6 adds only those types: its layout is version 5's); 6: no
// start_auction or uncross_auction, and no listing with an uncross time (version 7 adds only
// those: a start's or a listing's uncross time travels in expire_time); 7: no new_block_order,
// and no windows (version 8 appends it; older entries decode with windows 0); 8: no issuer
// (version 9 appends it; older entries decode with issuer 0). Version 2 to 8 entries still
// decode, so a journal written before the change replays; an older ghxd refuses a newer entry
// by its version rather than mistaking it for damage.
constexpr uint8_t exchange_command_version = 9;

// What a request is, in one byte (the ledger keeps it with an operator's request id, so that
// an id used again for another request is told apart from a repeat): the engine command type,
// or 0x80 + the kind of the others.
inline uint8_t request_kind(ExchangeCommandKind kind, matching::CommandType type) {
  return kind == ExchangeCommandKind::engine ? static_cast<uint8_t>(type)
                                             : static_cast<uint8_t>(0x80 | static_cast<int>(kind));
}
constexpr size_t participant_name_bytes_max = 64;

// What an operator's request asks, as 64 bits (never 0): the ledger keeps it with the request
// id, so that an id used again for a request that asks anything else (another participant,
// amount, product, trade or lots) is told apart from a repeat. Covers every field an operator's
// request sets (not what the exchange adds: sequence, time, a new participant's id, the issuer,
// by which the ledger keys requests already), over a fixed list rather than the journal
// encoding, so that a retry after an upgrade is still recognised.
uint64_t request_digest(const ExchangeCommand& command);

// Appends the encoding of `command` to `out` (cleared first).
void encode(const ExchangeCommand& command, std::vector<uint8_t>& out);
// False when the bytes are not a whole, valid encoding (corrupt journal entry).
bool decode(std::span<const uint8_t> bytes, ExchangeCommand& out);

}  // namespace ghx::gateway
