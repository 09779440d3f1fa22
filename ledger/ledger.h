#pragma once
// Ledger: the exchange's LMDB ledger (journal, accounts, settlements), written by one thread.
//
// Caveats, read first:
// - Single writer. Exactly one thread calls commit(); snapshot() may be called from any thread.
// - commit() returns after the transaction is durable (fsync). Acknowledge nothing that depends
//   on a batch before its commit returned Result::ok.
// - A rejected operation (Batch::result(i) != ok) wrote nothing; the rest of the batch did.
// - The map grows by itself when full (up to Options::map_size_max_bytes). Growing waits until
//   no Snapshot is open in this process (those of other threads end; the committing thread must
//   hold none itself, or it waits for ever): keep snapshots short.
// - Balances are cached in memory; the ledger must be the only writer of its directory (LMDB's
//   lock serialises writers, but a second process would make this cache stale).
//
// Every movement is a Transfer between two accounts of one asset, so the balances of each asset
// always sum to zero and can be rebuilt from the transfers (see check.h).

#include <chrono>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>

#include "ledger/batch.h"
#include "ledger/lmdb_env.h"
#include "ledger/result.h"
#include "ledger/snapshot.h"
#include "ledger/types.h"

namespace ghx::ledger {

struct Cache;

class Ledger {
 public:
  // Opens (or creates) the ledger in `directory`. Throws OpenError naming the path and the
  // problem: missing parent, not a directory, not writable, corrupt or foreign data file.
  Ledger(const std::string& directory, const Options& options = {});
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Writes the whole batch in one durable write transaction. Returns:
  //   ok                       committed (check per-operation results in the batch)
  //   already_applied          the batch's journal sequences were committed before; skipped
  //   sequence_gap / sequence_not_contiguous / sequence_overlap   nothing written
  //   map_full / storage_error nothing written; the batch may be committed again later
  //   read_only
  Result commit(Batch& batch);

  SequenceNumber last_applied_sequence() const;
  // Calls fn for each journal entry with sequence >= from, in order, until fn returns false.
  Result read_journal(SequenceNumber from,
                      const std::function<bool(SequenceNumber, std::span<const uint8_t>)>& fn)
      const;
  Snapshot snapshot() const;

  // Writer's cached balance; zero for an account never used.
  int64_t balance(const AccountKey& key) const;
  const Options& options() const { return options_; }
  uint64_t map_size_bytes() const { return env_->map_size_bytes(); }
  // Of Options::map_size_max_bytes (see Env::used_bytes). Any thread: it waits while the map
  // grows (LMDB reads the size from the mapped file, which growing unmaps and maps again).
  uint64_t used_bytes() const;
  // mdb_strerror of the last storage_error, for the caller's log.
  const char* last_storage_error() const { return last_storage_error_; }
  // Reader slots of dead processes freed by commits (Options::stale_reader_check_interval_ms).
  uint64_t stale_readers_cleared() const { return stale_readers_cleared_; }

 private:
  int try_commit(Batch& batch);
  void rollback_cache();
  void clear_stale_readers();

  Options options_;
  std::unique_ptr<Env> env_;
  std::unique_ptr<Cache> cache_;
  // Shared by every open Snapshot, exclusive while the map grows.
  mutable std::shared_mutex map_mutex_;
  const char* last_storage_error_ = "";
  std::chrono::steady_clock::time_point stale_readers_checked_{};
  uint64_t stale_readers_cleared_ = 0;
};

inline AccountKey cash_account(ParticipantId p, AccountKind kind) {
  return {Asset::cash(), p, kind};
}
inline AccountKey capacity_account(ParticipantId p, ProductId product, AccountKind kind) {
  return {Asset::capacity(product), p, kind};
}
inline AccountKey fee_account() { return {Asset::cash(), {}, AccountKind::fee}; }
inline AccountKey external_account(Asset asset) { return {asset, {}, AccountKind::external}; }

}  // namespace ghx::ledger
