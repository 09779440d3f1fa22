#pragma once
// Snapshot: a read-only LMDB transaction over the whole ledger.
//
// Readers never block the writer's commits and see one committed state from start to end, so
// reports and `ghx ledger check` can run alongside the exchange. Only growing the map waits for
// the snapshots open in this process (LMDB remaps the file, moving every page they point
// into). Keep snapshots short: while one is open the writer cannot reuse the pages it still
// sees, and the map cannot grow in this process.
// Scans call `fn` in key order until it returns false; they return Result::storage_error on an
// LMDB error or a record that does not decode (corruption).

#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>

#include "ledger/result.h"
#include "ledger/types.h"

struct MDB_txn;
struct MDB_env;

namespace ghx::ledger {

struct Dbis;

class Snapshot {
 public:
  Snapshot(Snapshot&& other) noexcept;
  Snapshot& operator=(Snapshot&&) = delete;
  Snapshot(const Snapshot&) = delete;
  ~Snapshot();

  // ok, or storage_error when the read transaction could not start.
  Result status() const { return status_; }
  // The read could not start because another process grew the map past this one's view of it
  // (Ledger::snapshot adopts the new size and reads again).
  bool map_resized() const { return map_resized_; }
  SequenceNumber last_applied_sequence() const;
  uint64_t transfer_count() const;

  Result for_each_journal(SequenceNumber from,
                          const std::function<bool(SequenceNumber, std::span<const uint8_t>)>& fn)
      const;
  Result for_each_transfer(const std::function<bool(const Transfer&)>& fn) const;
  Result for_each_trade(const std::function<bool(const TradeRecord&)>& fn) const;
  // Newest (highest trade id, latest) first, until `fn` returns false.
  Result for_each_trade_newest_first(const std::function<bool(const TradeRecord&)>& fn) const;
  Result for_each_balance(const std::function<bool(const AccountKey&, int64_t)>& fn) const;
  Result for_each_participant(const std::function<bool(const ParticipantRecord&)>& fn) const;
  Result for_each_product(const std::function<bool(const ProductRecord&)>& fn) const;
  // Trades neither delivered nor failed, by product then trade id. A partly failed trade is
  // open: only its open lots are owed (open_lots in ledger/trade_amounts.h).
  Result for_each_open_trade(const std::function<bool(ProductId, TradeId)>& fn) const;

  // Messages kept for participant `p` with a sequence above `after`, in order (see
  // Batch::keep_message). None in a ledger older than the kept-message database.
  Result for_each_kept_message(
      ParticipantId p, uint64_t after,
      const std::function<bool(uint64_t, std::span<const uint8_t>)>& fn) const;
  // The sequence of the newest message kept for each participant that has one.
  Result for_each_last_kept(const std::function<bool(ParticipantId, uint64_t)>& fn) const;
  // An operator's request (Batch::record_request): `found` is set when it was sequenced, with
  // the sequence and whether it was done. storage_error when the ledger cannot say.
  struct RequestRecord {
    SequenceNumber sequence;
    bool done = false;
    uint8_t what = 0;
    uint64_t digest = 0;  // 0: recorded before digests were (what alone tells requests apart)
  };
  Result find_request(ParticipantId issuer, uint64_t request_id,
                      std::optional<RequestRecord>& found) const;

  std::optional<TradeRecord> trade(TradeId id) const;
  std::optional<ParticipantRecord> participant(ParticipantId id) const;
  std::optional<ProductRecord> product(ProductId id) const;
  int64_t balance(const AccountKey& key) const;  // zero for an account never used

 private:
  friend class Ledger;
  // Holds `map_mutex` shared for its whole life: the map cannot be moved under its pointers.
  Snapshot(MDB_env* env, const Dbis* dbis, std::shared_mutex& map_mutex);
  Result scan(unsigned dbi, std::span<const uint8_t> start,
              const std::function<bool(std::span<const uint8_t>, std::span<const uint8_t>)>& fn)
      const;
  uint64_t meta_u64(const char* name) const;

  std::shared_lock<std::shared_mutex> map_lock_;  // taken before txn_ begins, freed after it ends
  MDB_txn* txn_ = nullptr;
  const Dbis* dbis_ = nullptr;
  Result status_ = Result::ok;
  bool map_resized_ = false;
};

// Decoders shared by the snapshot and the writer's cache loading.
bool decode_participant(std::span<const uint8_t> key, std::span<const uint8_t> value,
                        ParticipantRecord& out);
bool decode_product(std::span<const uint8_t> key, std::span<const uint8_t> value,
                    ProductRecord& out);

}  // namespace ghx::ledger
