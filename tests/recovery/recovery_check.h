#pragma once
// The checks after each restart of the crash test, on a ledger directory that no ghxd has
// open (the test kills ghxd first): the ledger's invariants (ledger/check.h), a clean replay
// of the whole journal from sequence 1 into a fresh engine, every acknowledgement the clients
// received compared with what is durable, and a look into the snapshot a restart recovers from.

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
  uint64_t lost = 0;        // acknowledged, but not in the journal or the ledger
  uint64_t duplicated = 0;  // acknowledged or settled more than once
  uint64_t last_sequence = 0;
  uint64_t journal_entries = 0;
  uint64_t state_hash = 0;  // of the clean replay
  // The snapshot ghxd's recovery starts from (the newest it can use; 0: none) and what it
  // holds of the operator's controls.
  uint64_t snapshot_sequence = 0;
  uint32_t snapshot_halted_products = 0;
  uint32_t snapshot_suspended_participants = 0;
  std::vector<std::string> problems;  // lost and duplicated ones included, with details
  bool ok() const { return problems.empty(); }
};

RecoveryCheck check_recovery(const std::string& ledger_dir, const std::string& snapshot_dir,
                             const AckLog& acks);

}  // namespace ghx::recovery
