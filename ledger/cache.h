#pragma once
// The writer's in-memory state: balances, participants' roles and product parameters.
//
// Settling a fill reads and writes several balances; reading them from LMDB each time and
// writing each once per touch would dominate the cost of a batch. The cache holds every balance,
// and a batch writes each touched balance once, at the end. `committed` is the value in LMDB, so
// an aborted transaction rolls the cache back without rereading the file.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "ledger/lmdb_env.h"
#include "ledger/types.h"

namespace ghx::ledger {

struct AccountHash {
  size_t operator()(const AccountKey& k) const {
    uint64_t h = (uint64_t{k.asset.product.value} << 32) | k.owner.value;
    h ^= (uint64_t{static_cast<uint8_t>(k.kind)} << 8 | static_cast<uint8_t>(k.asset.kind)) *
         0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h * 0xBF58476D1CE4E5B9ull >> 7);
  }
};

struct Slot {
  int64_t balance = 0;
  int64_t committed = 0;
  uint64_t dirty_epoch = 0;  // == Cache::epoch when touched by the batch being written
};

struct ProductParams {
  int64_t lot_size_gpus = 0;
  int64_t hours = 0;
  Timestamp delivery_end;
};

struct Cache {
  std::unordered_map<AccountKey, Slot, AccountHash> balances;
  std::unordered_map<uint32_t, uint8_t> roles;
  std::unordered_map<uint32_t, ProductParams> products;
  std::vector<AccountKey> dirty;
  uint64_t epoch = 1;
  // Saved before a write transaction and restored if it aborts.
  struct Counters {
    SequenceNumber last_sequence;
    uint64_t next_transfer_id = 1;
    uint64_t max_trade_id = 0;  // trades above it are appended with MDB_APPEND
  } counters;
  std::vector<uint64_t> scratch;  // trade ids of one delivery; reused across batches

  // Loads everything from LMDB; returns an LMDB error code (0 on success).
  int load(MDB_env* env, const Dbis& dbis);
  // Reloads roles and products (small) after an aborted transaction changed them.
  int load_reference_data(MDB_txn* txn, const Dbis& dbis);
};

}  // namespace ghx::ledger
