#pragma once
// The checks after each restart of the crash test, on a ledger directory that no ghxd has
// open (the test kills ghxd first): the ledger's invariants (ledger/check.h), a clean replay
// of the whole journal from sequence 1 into a fresh engine, every acknowledgement the clients
// received compared with what is durable, and a look into the snapshot a restart recovers from.
// The replay also requires every call phase with an uncross time to end by itself at that time,
// and every block order to fill in full in each of its windows or not at all.

#include <cstdint>
#include <string>
#include <vector>

#include "tests/recovery/ack_log.h"

namespace ghx::recovery {

struct RecoveryCheck {
  uint64_t orders_checked = 0;
  uint64_t fills_checked = 0;
  uint64_t failures_checked = 0;
  uint64_t halts_checked = 0;        // halts and resumes
  uint64_t suspensions_checked = 0;  // suspensions and reinstatements
  uint64_t auctions_checked = 0;     // call auctions started (scheduled or not)
  uint64_t uncrosses_checked = 0;    // call auctions the operator uncrossed
  // Of fills_checked, those of trades an uncross made.
  uint64_t uncross_fills_checked = 0;
  uint64_t lost = 0;        // acknowledged, but not in the journal or the ledger
  uint64_t duplicated = 0;  // acknowledged or settled more than once
  uint64_t last_sequence = 0;
  uint64_t journal_entries = 0;
  uint64_t state_hash = 0;  // of the clean replay
  // Call phases in the clean replay: ended by an operator's uncross, by the exchange at their
  // scheduled time, and the trades those uncrosses made.
  uint64_t uncrosses_replayed = 0;
  uint64_t scheduled_uncrosses_replayed = 0;
  uint64_t uncross_trades_replayed = 0;
  // Block orders in the clean replay: filled in full in every window, or refused whole (one
  // that traded in part is a problem).
  uint64_t blocks_filled_replayed = 0;
  uint64_t blocks_refused_replayed = 0;
  // The snapshot ghxd's recovery starts from (the newest it can use; 0: none) and what it
  // holds of the operator's controls: products halted or in their call phase, participants
  // suspended.
  uint64_t snapshot_sequence = 0;
  uint32_t snapshot_halted_products = 0;
  uint32_t snapshot_suspended_participants = 0;
  uint32_t snapshot_auction_products = 0;
  std::vector<std::string> problems;  // lost and duplicated ones included, with details
  bool ok() const { return problems.empty(); }
};

RecoveryCheck check_recovery(const std::string& ledger_dir, const std::string& snapshot_dir,
                             const AckLog& acks);

}  // namespace ghx::recovery
