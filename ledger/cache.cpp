#include "ledger/cache.h"

#include "ledger/codec.h"
#include "ledger/snapshot.h"

namespace ghx::ledger {
namespace {

template <typename Fn>
int scan(MDB_txn* txn, MDB_dbi dbi, Fn&& fn) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cursor);
  if (rc != 0) return rc;
  MDB_val key{};
  MDB_val value{};
  rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
  while (rc == 0) {
    if (!fn(span(key), span(value))) { rc = MDB_CORRUPTED; break; }
    rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

uint64_t meta_u64(MDB_txn* txn, MDB_dbi meta, std::string_view name, uint64_t fallback) {
  MDB_val key{name.size(), const_cast<char*>(name.data())};
  MDB_val value{};
  if (mdb_get(txn, meta, &key, &value) != 0 || value.mv_size != 8) return fallback;
  return codec::Reader(span(value)).u64();
}

}  // namespace

int Cache::load_reference_data(MDB_txn* txn, const Dbis& dbis) {
  roles.clear();
  products.clear();
  int rc = scan(txn, dbis.participants, [&](auto key, auto value) {
    ParticipantRecord p;
    if (!decode_participant(key, value, p)) return false;
    roles[p.id.value] = p.roles;
    return true;
  });
  if (rc != 0) return rc;
  return scan(txn, dbis.products, [&](auto key, auto value) {
    ProductRecord p;
    if (!decode_product(key, value, p)) return false;
    products[p.id.value] = {p.lot_size_gpus, p.hours, p.delivery_end};
    return true;
  });
}

int Cache::load(MDB_env* env, const Dbis& dbis) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return rc;
  balances.clear();
  dirty.clear();
  rc = scan(txn, dbis.balances, [&](auto key, auto value) {
    AccountKey account;
    if (!codec::read_account_key(key, account) || value.size() != 8) return false;
    const int64_t amount = codec::Reader(value).i64();
    balances[account] = Slot{amount, amount, 0};
    return true;
  });
  if (rc == 0) rc = load_reference_data(txn, dbis);
  counters.last_sequence.value = meta_u64(txn, dbis.meta, "last_sequence", 0);
  counters.next_transfer_id = meta_u64(txn, dbis.meta, "next_transfer_id", 1);
  counters.max_trade_id = 0;
  MDB_cursor* cursor = nullptr;
  if (rc == 0 && (rc = mdb_cursor_open(txn, dbis.trades, &cursor)) == 0) {
    MDB_val key{};
    MDB_val value{};
    if (mdb_cursor_get(cursor, &key, &value, MDB_LAST) == 0) {
      counters.max_trade_id = codec::read_u64_key(span(key));
    }
    mdb_cursor_close(cursor);
  }
  mdb_txn_abort(txn);
  return rc;
}

}  // namespace ghx::ledger
