#include "ledger/ledger.h"

#include <mutex>

#include "ledger/cache.h"
#include "ledger/codec.h"
#include "ledger/ledger_assert.h"
#include "ledger/writer.h"

namespace ghx::ledger {
namespace {

// Bounds the grow-and-retry loop: doubling from any start reaches any sane maximum long before.
constexpr int commit_attempts_max = 48;
// try_commit's code for a required operation refused: no LMDB code (errno values are
// positive, LMDB's own below -30700).
constexpr int required_refused_rc = -1;

}  // namespace

Ledger::Ledger(const std::string& directory, const Options& options)
    : options_(options), env_(std::make_unique<Env>(directory, options)),
      cache_(std::make_unique<Cache>()) {
  if (options.penalty_bps < 0 || options.penalty_bps > 10'000) {
    throw OpenError("ledger " + directory + ": penalty_bps must be within 0..10000");
  }
  if (!options.read_only) {
    const int rc = cache_->load(env_->get(), env_->dbis());
    if (rc != 0) {
      throw OpenError("ledger " + directory + ": cannot load balances: " + mdb_strerror(rc));
    }
  }
}

Ledger::~Ledger() = default;

Result Ledger::commit(Batch& batch) {
  if (env_->read_only()) return Result::read_only;
  if (!batch.sequences_contiguous()) return Result::sequence_not_contiguous;
  const SequenceNumber first = batch.first_sequence();
  if (first.value != 0) {
    // A replayed batch is skipped whole: its effects are already durable.
    if (first <= cache_->counters.last_sequence) {
      return batch.last_sequence() <= cache_->counters.last_sequence ? Result::already_applied
                                                                     : Result::sequence_overlap;
    }
    if (first.value != cache_->counters.last_sequence.value + 1) return Result::sequence_gap;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - stale_readers_checked_ >=
      std::chrono::milliseconds(options_.stale_reader_check_interval_ms)) {
    stale_readers_checked_ = now;
    clear_stale_readers();
  }
  for (int attempt = 0; attempt < commit_attempts_max; ++attempt) {
    const Cache::Counters saved = cache_->counters;
    const int rc = try_commit(batch);
    if (rc == 0) return Result::ok;
    cache_->counters = saved;
    rollback_cache();
    if (rc == required_refused_rc) return Result::required_operation_refused;
    if (rc != MDB_MAP_FULL) {
      last_storage_error_ = mdb_strerror(rc);
      return Result::storage_error;
    }
    // A dead reader's slot may be what keeps freed pages from reuse: free it before growing.
    clear_stale_readers();
    Result grown;
    {
      // Waits for this process's snapshots to end: a remap would move the pages they read.
      std::unique_lock lock(map_mutex_);
      grown = env_->grow_map();  // the aborted batch is then retried whole
    }
    if (grown != Result::ok) return grown;
  }
  return Result::map_full;
}

uint64_t Ledger::used_bytes() const {
  std::shared_lock lock(map_mutex_);
  return env_->used_bytes();
}

void Ledger::clear_stale_readers() {
  stale_readers_cleared_ += static_cast<uint64_t>(env_->clear_stale_readers());
}

// Returns an LMDB error code; on any error the transaction is already aborted.
int Ledger::try_commit(Batch& batch) {
  for (Result& r : batch.results_) r = Result::ok;
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->get(), nullptr, 0, &txn);
  if (rc != 0) return rc;
  BatchWriter writer(txn, env_->dbis(), *cache_, options_, cache_->scratch);
  rc = writer.write(batch);
  if (rc == 0 && batch.first_refused_required()) rc = required_refused_rc;
  if (rc != 0) {
    mdb_txn_abort(txn);  // never reused: LMDB forbids it after an error
    return rc;
  }
  rc = mdb_txn_commit(txn);  // frees txn whatever the outcome; syncs before returning
  if (rc != 0) return rc;
  for (const AccountKey& account : cache_->dirty) {
    Slot& s = cache_->balances[account];
    s.committed = s.balance;
  }
  cache_->dirty.clear();
  ++cache_->epoch;
  return 0;
}

void Ledger::rollback_cache() {
  for (const AccountKey& account : cache_->dirty) {
    Slot& s = cache_->balances[account];
    s.balance = s.committed;
  }
  cache_->dirty.clear();
  ++cache_->epoch;
  // Reference data is reread: they are small and this path is rare.
  MDB_txn* txn = nullptr;
  GHX_LEDGER_ASSERT(mdb_txn_begin(env_->get(), nullptr, MDB_RDONLY, &txn) == 0);
  GHX_LEDGER_ASSERT(cache_->load_reference_data(txn, env_->dbis()) == 0);
  mdb_txn_abort(txn);
}

SequenceNumber Ledger::last_applied_sequence() const {
  if (!env_->read_only()) return cache_->counters.last_sequence;
  return snapshot().last_applied_sequence();
}

Result Ledger::read_journal(
    SequenceNumber from,
    const std::function<bool(SequenceNumber, std::span<const uint8_t>)>& fn) const {
  return snapshot().for_each_journal(from, fn);
}

Snapshot Ledger::snapshot() const {
  {
    Snapshot snapshot(env_->get(), &env_->dbis(), map_mutex_);
    if (!snapshot.map_resized()) return snapshot;
  }
  // A reader beside a running exchange: the exchange grew the map past this reader's. Take its
  // size, once no snapshot of this process holds the map, and read again.
  {
    std::unique_lock lock(map_mutex_);
    env_->adopt_map_size();
  }
  return Snapshot(env_->get(), &env_->dbis(), map_mutex_);
}

int64_t Ledger::balance(const AccountKey& key) const {
  if (env_->read_only()) return snapshot().balance(key);
  const auto it = cache_->balances.find(key);
  return it == cache_->balances.end() ? 0 : it->second.balance;
}

}  // namespace ghx::ledger
