#pragma once
// Verification of the ledger's invariants on a snapshot (`ghx ledger check` and the tests):
// every asset sums to zero, stored balances equal the sum of the transfers, participant
// balances are not negative, every trade is settled exactly once and closed at most once, its
// failed lots agree with its state and transfers, escrow and received capacity are what the
// open lots of open trades owe, the open-trade index agrees with the trades, and the journal
// has no gap.

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/snapshot.h"

namespace ghx::ledger {

struct CheckReport {
  uint64_t transfers = 0;
  uint64_t trades = 0;
  uint64_t accounts = 0;
  uint64_t journal_entries = 0;
  SequenceNumber last_sequence;
  std::vector<std::string> problems;  // empty when every invariant holds
  bool ok() const { return problems.empty(); }
};

// Reads the whole ledger once; memory grows with the number of accounts and trades.
CheckReport check_ledger(const Snapshot& snapshot);

std::string describe(const AccountKey& account);
std::string describe(const Asset& asset);

}  // namespace ghx::ledger
