#pragma once
// BatchWriter: applies one batch inside one LMDB write transaction.
//
// Each operation first checks everything that could reject it, then moves balances, so a
// rejected operation changes nothing. An LMDB error stops the batch (sticky rc_); the caller
// aborts the transaction and rolls the cache back. Internal to ledger/.

#include <lmdb.h>

#include <cstdint>
#include <span>
#include <vector>

#include "ledger/batch.h"
#include "ledger/cache.h"
#include "ledger/lmdb_env.h"

namespace ghx::ledger {

// Kept messages per LMDB entry at most (a bound on the value a resend reads at once).
constexpr size_t kept_chunk_messages_max = 1024;

class BatchWriter {
 public:
  BatchWriter(MDB_txn* txn, const Dbis& dbis, Cache& cache, const Options& options,
              std::vector<uint64_t>& scratch);
  // Applies every operation, recording per-op results; then writes balances and meta.
  // Returns an LMDB error code, 0 on success.
  int write(Batch& batch);

 private:
  Result apply(const Batch& batch, const Op& op);
  Result apply_amount(const Op& op);
  Result upsert_participant(const Batch& batch, const Op& op);
  Result list_product(const Batch& batch, const Op& op);
  Result settle(const Fill& fill);
  Result deliver(const Op& op);
  // ok, unknown_trade, or storage_error (LMDB failed: rc_ set).
  Result read_trade(TradeId id, TradeRecord& out);
  Result read_open_trade(uint64_t id, TradeRecord& out);
  Result fail_trade(const Op& op);
  Result fail_seller(const Op& op);
  Result fail_lots(TradeRecord& trade, Lots lots, Timestamp at);
  Result close_trade(TradeRecord& trade, TradeState state, Timestamp at);
  bool collect_open_trades(ProductId product);
  void move(TransferKind kind, const AccountKey& from, const AccountKey& to, int64_t amount,
            TradeId trade = {});
  Slot& slot(const AccountKey& key);
  int64_t balance(const AccountKey& key);
  bool known(ParticipantId p) const { return cache_.roles.contains(p.value); }
  void put(MDB_dbi dbi, std::span<const uint8_t> key, std::span<const uint8_t> value,
           unsigned flags);
  int finish(const Batch& batch);
  // Appends through a cursor kept for the whole batch: MDB_APPEND then skips the tree search
  // that mdb_put repeats on every call.
  void append(MDB_cursor*& cursor, MDB_dbi dbi, std::span<const uint8_t> key,
              std::span<const uint8_t> value);
  void close_cursors();
  void write_kept_messages(const Batch& batch);
  void write_requests(const Batch& batch);
  void write_kept_chunk(MDB_cursor* cursor, const Batch& batch, std::span<const uint32_t> run);

  MDB_txn* txn_;
  const Dbis& dbis_;
  Cache& cache_;
  const Options& options_;
  std::vector<uint64_t>& scratch_;
  SequenceNumber sequence_;  // of the command being applied
  Timestamp at_;
  int rc_ = 0;
  MDB_cursor* transfers_ = nullptr;
  MDB_cursor* journal_ = nullptr;
  MDB_cursor* trades_ = nullptr;
};

}  // namespace ghx::ledger
