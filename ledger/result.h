#pragma once
// Outcomes of ledger operations. Expected outcomes (a rejected operation, a replayed batch, a
// full map) are values, not exceptions; to_string gives a message a person can act on.

#include <cstdint>

namespace ghx::ledger {

enum class Result : uint8_t {
  ok = 0,
  // Whole-batch outcomes of Ledger::commit.
  already_applied,          // every journal sequence of the batch was committed before: skipped
  sequence_gap,             // the batch's first sequence is not last_applied + 1
  sequence_not_contiguous,  // journal sequences inside the batch are not consecutive
  // The batch begins among the committed sequences and goes past them: not a replay of one
  // batch, so nothing is written (skipping it whole would lose the sequences past them).
  sequence_overlap,
  batch_full,     // the batch's byte arena would pass 4 GiB
  map_full,       // the map reached its configured maximum; nothing was written
  storage_error,  // LMDB failed (disk full, I/O error); nothing was written
  read_only,      // the ledger was opened read-only
  // Per-operation outcomes (Batch::result(i)); a rejected operation writes nothing.
  invalid_amount,
  invalid_argument,
  unknown_participant,
  unknown_product,
  missing_role,
  insufficient_cash,
  insufficient_capacity,
  notional_mismatch,
  trade_already_settled,  // idempotent replay of a settled trade: nothing changed
  unknown_trade,
  trade_not_open,
  delivery_window_open,
  not_found,
  // Whole-batch outcome of Ledger::commit: an operation the batch requires (Batch::require_from)
  // was refused; nothing was written.
  required_operation_refused,
};

const char* to_string(Result result);

// True for outcomes after which the batch was durably written (possibly with rejected ops).
constexpr bool committed(Result r) { return r == Result::ok; }

}  // namespace ghx::ledger
