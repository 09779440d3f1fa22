#include "ledger/check.h"

#include <map>
#include <unordered_map>

#include "ledger/cache.h"
#include "ledger/ledger.h"
#include "ledger/trade_amounts.h"

namespace ghx::ledger {
namespace {

// Problems are capped so that a badly broken ledger still gives a readable answer.
constexpr size_t problems_max = 50;

void problem(CheckReport& report, std::string text) {
  if (report.problems.size() < problems_max) report.problems.push_back(std::move(text));
}

// What the capacity transfers of one trade say: settled once, then each failure and the
// delivery move some of its lots out of the buyer's received capacity.
struct TradeCounts {
  int settled = 0;
  int64_t delivered_lots = 0;
  int64_t failed_lots = 0;
};

void check_transfers(const Snapshot& s, CheckReport& report,
                     std::unordered_map<AccountKey, int64_t, AccountHash>& sums,
                     std::unordered_map<uint64_t, TradeCounts>& counts) {
  uint64_t expected_id = 1;
  const Result r = s.for_each_transfer([&](const Transfer& t) {
    if (t.id != expected_id) {
      problem(report, "transfer ids jump from " + std::to_string(expected_id - 1) + " to " +
                          std::to_string(t.id));
    }
    expected_id = t.id + 1;
    ++report.transfers;
    if (t.amount <= 0) problem(report, "transfer " + std::to_string(t.id) + " is not positive");
    if (t.debit.asset != t.credit.asset) {
      problem(report, "transfer " + std::to_string(t.id) + " moves between different assets");
    }
    sums[t.debit] -= t.amount;
    sums[t.credit] += t.amount;
    TradeCounts& c = counts[t.trade_id.value];
    c.settled += t.kind == TransferKind::fill_capacity;
    if (t.kind == TransferKind::delivery_consumed) c.delivered_lots += t.amount;
    if (t.kind == TransferKind::failure_capacity) c.failed_lots += t.amount;
    return true;
  });
  if (r != Result::ok) problem(report, "transfers cannot be read: a record is corrupt");
  if (report.transfers != s.transfer_count()) {
    problem(report, "meta says " + std::to_string(s.transfer_count()) + " transfers but " +
                        std::to_string(report.transfers) + " are stored");
  }
}

void check_balances(const Snapshot& s, CheckReport& report,
                    std::unordered_map<AccountKey, int64_t, AccountHash>& sums) {
  std::map<Asset, int64_t> per_asset;
  const Result r = s.for_each_balance([&](const AccountKey& account, int64_t balance) {
    ++report.accounts;
    per_asset[account.asset] += balance;
    if (account.is_participant() && balance < 0) {
      problem(report, describe(account) + " is negative: " + std::to_string(balance));
    }
    const auto it = sums.find(account);
    const int64_t from_transfers = it == sums.end() ? 0 : it->second;
    if (from_transfers != balance) {
      problem(report, describe(account) + " holds " + std::to_string(balance) +
                          " but its transfers sum to " + std::to_string(from_transfers));
    }
    if (it != sums.end()) sums.erase(it);
    return true;
  });
  if (r != Result::ok) problem(report, "balances cannot be read: a record is corrupt");
  for (const auto& [account, amount] : sums) {
    if (amount != 0) problem(report, describe(account) + " has transfers but no stored balance");
  }
  for (const auto& [asset, total] : per_asset) {
    if (total != 0) {
      problem(report, describe(asset) + " sums to " + std::to_string(total) + ", not zero");
    }
  }
}

// A trade's failed lots, its state and its delivery and failure transfers agree: failed once
// every lot failed, delivered of the lots that did not.
void check_trade_lots(const TradeRecord& t, const TradeCounts& c, const std::string& name,
                      CheckReport& report) {
  const bool all_failed = t.failed_lots == t.fill.lots;
  if (all_failed != (t.state == TradeState::failed)) {
    problem(report, name + " is " + to_string(t.state) + " with " +
                        std::to_string(t.failed_lots.value) + " of " +
                        std::to_string(t.fill.lots.value) + " lots failed");
  }
  const int64_t delivered = t.state == TradeState::delivered ? open_lots(t).value : 0;
  if (c.delivered_lots != delivered || c.failed_lots != t.failed_lots.value) {
    problem(report, name + " is " + to_string(t.state) + " with " +
                        std::to_string(t.failed_lots.value) +
                        " lots failed but its delivery transfers disagree");
  }
}

// Escrow holds the notional of the buyer's open lots and received capacity the open lots
// themselves: these are the only transfers in and out of those accounts.
void check_owed_by_open_trades(const Snapshot& s, CheckReport& report,
                               std::map<AccountKey, int64_t>& owed) {
  const Result r = s.for_each_balance([&](const AccountKey& account, int64_t balance) {
    if (account.kind != AccountKind::escrow && account.kind != AccountKind::received) {
      return true;
    }
    const auto it = owed.find(account);
    const int64_t expected = it == owed.end() ? 0 : it->second;
    if (balance != expected) {
      problem(report, describe(account) + " holds " + std::to_string(balance) +
                          " but its open trades owe " + std::to_string(expected));
    }
    if (it != owed.end()) owed.erase(it);
    return true;
  });
  if (r != Result::ok) problem(report, "balances cannot be read: a record is corrupt");
  for (const auto& [account, amount] : owed) {
    if (amount != 0) {
      problem(report, describe(account) + " has open trades owing " + std::to_string(amount) +
                          " but no stored balance");
    }
  }
}

void check_trades(const Snapshot& s, CheckReport& report,
                  std::unordered_map<uint64_t, TradeCounts>& counts) {
  std::unordered_map<uint64_t, bool> open_index;
  std::map<AccountKey, int64_t> owed;  // escrow and received capacity, by open trades
  s.for_each_open_trade([&](ProductId, TradeId t) { return open_index[t.value] = true; });
  const Result r = s.for_each_trade([&](const TradeRecord& t) {
    ++report.trades;
    const std::string name = "trade " + std::to_string(t.fill.trade_id.value);
    const TradeCounts c = counts[t.fill.trade_id.value];
    counts.erase(t.fill.trade_id.value);
    if (c.settled != 1) {
      problem(report, name + " is settled " + std::to_string(c.settled) + " times, not once");
    }
    check_trade_lots(t, c, name, report);
    const bool open = t.state == TradeState::open;
    if (open) {
      const Fill& f = t.fill;
      owed[cash_account(f.buyer, AccountKind::escrow)] += notional_of(f, open_lots(t)).value;
      owed[capacity_account(f.buyer, f.product, AccountKind::received)] += open_lots(t).value;
    }
    if (open != open_index.contains(t.fill.trade_id.value)) {
      problem(report, name + " is " + to_string(t.state) + " but the open-trade index disagrees");
    }
    open_index.erase(t.fill.trade_id.value);
    return true;
  });
  if (r != Result::ok) problem(report, "trades cannot be read: a record is corrupt");
  for (const auto& [id, c] : counts) {
    if (id != 0 && (c.settled || c.delivered_lots || c.failed_lots)) {
      problem(report, "transfers settle trade " + std::to_string(id) + " which is not recorded");
    }
  }
  for (const auto& [id, open] : open_index) {
    problem(report, "open-trade index names trade " + std::to_string(id) + " which is unknown");
  }
  if (r == Result::ok) check_owed_by_open_trades(s, report, owed);
}

void check_journal(const Snapshot& s, CheckReport& report) {
  uint64_t previous = 0;
  const Result r = s.for_each_journal({}, [&](SequenceNumber seq, std::span<const uint8_t>) {
    if (previous == 0 && seq.value != 1) {
      problem(report, "journal starts at sequence " + std::to_string(seq.value) +
                          ", not 1: the commands before it are lost");
    }
    if (previous != 0 && seq.value != previous + 1) {
      problem(report, "journal gap: sequence " + std::to_string(seq.value) + " follows " +
                          std::to_string(previous));
    }
    previous = seq.value;
    ++report.journal_entries;
    return true;
  });
  if (r != Result::ok) problem(report, "journal cannot be read");
  report.last_sequence = s.last_applied_sequence();
  if (previous != report.last_sequence.value) {
    problem(report, "journal ends at sequence " + std::to_string(previous) +
                        " but the last applied sequence is " +
                        std::to_string(report.last_sequence.value));
  }
}

}  // namespace

std::string describe(const Asset& asset) {
  if (asset.kind == AssetKind::cash) return "cash";
  return "capacity of product " + std::to_string(asset.product.value);
}

std::string describe(const AccountKey& account) {
  if (!account.is_participant()) {
    return std::string(to_string(account.kind)) + " account (" + describe(account.asset) + ")";
  }
  return "participant " + std::to_string(account.owner.value) + " " + to_string(account.kind) +
         " account (" + describe(account.asset) + ")";
}

CheckReport check_ledger(const Snapshot& snapshot) {
  CheckReport report;
  if (snapshot.status() != Result::ok) {
    problem(report, "cannot start a read transaction");
    return report;
  }
  std::unordered_map<AccountKey, int64_t, AccountHash> sums;
  std::unordered_map<uint64_t, TradeCounts> counts;
  check_transfers(snapshot, report, sums, counts);
  check_balances(snapshot, report, sums);
  check_trades(snapshot, report, counts);
  check_journal(snapshot, report);
  return report;
}

}  // namespace ghx::ledger
