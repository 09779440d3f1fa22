#pragma once
// The checks after each restart of the crash test, on a ledger directory that no ghxd has
// open (the test kills ghxd first): the ledger's invariants (ledger/check.h), a clean replay
// of the whole journal from sequence 1 into a fresh engine, and every acknowledgement the
// clients received compared with what is durable.

#include <cstdint>
#include <string>
#include <vector>

#include "tests/recovery/ack_log.h"

namespace ghx::recovery {

struct RecoveryCheck {
  uint64_t orders_checked = 0;
  uint64_t fills_checked = 0;
  uint64_t failures_checked = 0;
  uint64_t lost = 0;        // acknowledged, but not in the journal or the ledger
  uint64_t duplicated = 0;  // acknowledged or settled more than once
  uint64_t last_sequence = 0;
  uint64_t journal_entries = 0;
  uint64_t state_hash = 0;  // of the clean replay
  std::vector<std::string> problems;  // lost and duplicated ones included, with details
  bool ok() const { return problems.empty(); }
};

RecoveryCheck check_recovery(const std::string& ledger_dir, const AckLog& acks);

}  // namespace ghx::recovery
