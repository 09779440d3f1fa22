#include "ledger/snapshot.h"

#include <cstring>

#include "ledger/codec.h"
#include "ledger/lmdb_env.h"

namespace ghx::ledger {

bool decode_participant(std::span<const uint8_t> key, std::span<const uint8_t> value,
                        ParticipantRecord& out) {
  if (key.size() != 4 || value.empty()) return false;
  codec::Reader r(value);
  out.id.value = codec::read_u32_key(key);
  out.roles = r.u8();
  out.name = std::string(r.rest());
  return r.ok();
}

bool decode_product(std::span<const uint8_t> key, std::span<const uint8_t> value,
                    ProductRecord& out) {
  if (key.size() != 4 || value.size() < codec::product_fixed_size) return false;
  codec::Reader r(value);
  out.id.value = codec::read_u32_key(key);
  out.lot_size_gpus = r.i64();
  out.hours = r.i64();
  out.delivery_start.ns = r.i64();
  out.delivery_end.ns = r.i64();
  out.symbol = std::string(r.rest());
  return r.ok();
}

Snapshot::Snapshot(MDB_env* env, const Dbis* dbis, std::shared_mutex& map_mutex)
    : map_lock_(map_mutex), dbis_(dbis) {
  const int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_);
  if (rc != 0) {
    txn_ = nullptr;
    status_ = Result::storage_error;
    map_resized_ = rc == MDB_MAP_RESIZED;
  }
}

Snapshot::Snapshot(Snapshot&& other) noexcept
    : map_lock_(std::move(other.map_lock_)),
      txn_(other.txn_),
      dbis_(other.dbis_),
      status_(other.status_),
      map_resized_(other.map_resized_) {
  other.txn_ = nullptr;
}

Snapshot::~Snapshot() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

uint64_t Snapshot::meta_u64(const char* name) const {
  if (txn_ == nullptr) return 0;
  MDB_val key{std::strlen(name), const_cast<char*>(name)};
  MDB_val value{};
  if (mdb_get(txn_, dbis_->meta, &key, &value) != 0 || value.mv_size != 8) return 0;
  return codec::Reader(span(value)).u64();
}

SequenceNumber Snapshot::last_applied_sequence() const { return {meta_u64("last_sequence")}; }

uint64_t Snapshot::transfer_count() const {
  const uint64_t next = meta_u64("next_transfer_id");
  return next == 0 ? 0 : next - 1;
}

Result Snapshot::scan(
    unsigned dbi, std::span<const uint8_t> start,
    const std::function<bool(std::span<const uint8_t>, std::span<const uint8_t>)>& fn) const {
  if (txn_ == nullptr) return Result::storage_error;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn_, dbi, &cursor) != 0) return Result::storage_error;
  MDB_val key = val(start);
  MDB_val value{};
  int rc = start.empty() ? mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
                         : mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
  while (rc == 0 && fn(span(key), span(value))) {
    rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  return (rc == 0 || rc == MDB_NOTFOUND) ? Result::ok : Result::storage_error;
}

Result Snapshot::for_each_journal(
    SequenceNumber from,
    const std::function<bool(SequenceNumber, std::span<const uint8_t>)>& fn) const {
  const codec::U64Key start = codec::u64_key(from.value);
  return scan(dbis_->journal, start, [&](auto key, auto value) {
    return fn(SequenceNumber{codec::read_u64_key(key)}, value);
  });
}

Result Snapshot::for_each_kept_message(
    ParticipantId p, uint64_t after,
    const std::function<bool(uint64_t, std::span<const uint8_t>)>& fn) const {
  if (txn_ == nullptr) return Result::storage_error;
  if (!dbis_->has_reports || after == UINT64_MAX) return Result::ok;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn_, dbis_->reports, &cursor) != 0) return Result::storage_error;
  // The chunk holding message after + 1 starts at or before it: the last chunk of `p` that
  // starts at or before after + 1, else p's first chunk after it.
  const codec::KeptKey start = codec::kept_key(p, after + 1);
  MDB_val key = val(start);
  MDB_val value{};
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
  ParticipantId owner;
  uint64_t first = 0;
  const bool exact = rc == 0 && codec::read_kept_key(span(key), owner, first) && owner == p &&
                     first == after + 1;
  if (!exact) {
    MDB_val before_key{};
    MDB_val before_value{};
    const int before = mdb_cursor_get(cursor, &before_key, &before_value,
                                      rc == 0 ? MDB_PREV : MDB_LAST);
    if (before == 0 && codec::read_kept_key(span(before_key), owner, first) && owner == p) {
      key = before_key;
      value = before_value;
      rc = 0;
    } else {
      key = val(start);
      rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
    }
  }
  bool bad = false;
  bool more = true;
  while (rc == 0 && more) {
    if (!codec::read_kept_key(span(key), owner, first)) { bad = true; break; }
    if (owner != p) break;
    codec::KeptChunkReader chunk(span(value));
    std::span<const uint8_t> message;
    for (uint64_t sequence = first; more && chunk.next(message); ++sequence) {
      if (sequence > after) more = fn(sequence, message);
    }
    if (!chunk.ok()) { bad = true; break; }
    if (more) rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  if (bad) return Result::storage_error;
  return (rc == 0 || rc == MDB_NOTFOUND) ? Result::ok : Result::storage_error;
}

Result Snapshot::for_each_last_kept(
    const std::function<bool(ParticipantId, uint64_t)>& fn) const {
  if (txn_ == nullptr) return Result::storage_error;
  if (!dbis_->has_reports) return Result::ok;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn_, dbis_->reports, &cursor) != 0) return Result::storage_error;
  // From the end backwards: a participant's last chunk, then below its first one.
  MDB_val key{};
  MDB_val value{};
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST);
  bool bad = false;
  while (rc == 0) {
    ParticipantId owner;
    uint64_t first = 0;
    const codec::KeptChunkReader chunk(span(value));
    if (!codec::read_kept_key(span(key), owner, first) || !chunk.ok()) { bad = true; break; }
    if (!fn(owner, first + chunk.count() - 1) || owner.value == 0) break;
    const codec::KeptKey below = codec::kept_key(owner, 0);
    key = val(below);
    rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);  // owner's first chunk
    if (rc == 0) rc = mdb_cursor_get(cursor, &key, &value, MDB_PREV);
  }
  mdb_cursor_close(cursor);
  if (bad) return Result::storage_error;
  return (rc == 0 || rc == MDB_NOTFOUND) ? Result::ok : Result::storage_error;
}

Result Snapshot::for_each_transfer(const std::function<bool(const Transfer&)>& fn) const {
  bool bad = false;
  const Result r = scan(dbis_->transfers, {}, [&](auto, auto value) {
    Transfer t;
    if (!codec::decode(value, t)) return !(bad = true);
    return fn(t);
  });
  return bad ? Result::storage_error : r;
}

Result Snapshot::for_each_trade(const std::function<bool(const TradeRecord&)>& fn) const {
  bool bad = false;
  const Result r = scan(dbis_->trades, {}, [&](auto, auto value) {
    TradeRecord t;
    if (!codec::decode(value, t)) return !(bad = true);
    return fn(t);
  });
  return bad ? Result::storage_error : r;
}

Result Snapshot::for_each_trade_newest_first(
    const std::function<bool(const TradeRecord&)>& fn) const {
  if (txn_ == nullptr) return Result::storage_error;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn_, dbis_->trades, &cursor) != 0) return Result::storage_error;
  MDB_val key{};
  MDB_val value{};
  bool bad = false;
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST);
  while (rc == 0) {
    TradeRecord trade;
    if (!codec::decode(span(value), trade)) {
      bad = true;
      break;
    }
    if (!fn(trade)) break;
    rc = mdb_cursor_get(cursor, &key, &value, MDB_PREV);
  }
  mdb_cursor_close(cursor);
  if (bad || (rc != 0 && rc != MDB_NOTFOUND)) return Result::storage_error;
  return Result::ok;
}

Result Snapshot::for_each_balance(
    const std::function<bool(const AccountKey&, int64_t)>& fn) const {
  bool bad = false;
  const Result r = scan(dbis_->balances, {}, [&](auto key, auto value) {
    AccountKey account;
    if (!codec::read_account_key(key, account) || value.size() != 8) return !(bad = true);
    return fn(account, codec::Reader(value).i64());
  });
  return bad ? Result::storage_error : r;
}

Result Snapshot::for_each_participant(
    const std::function<bool(const ParticipantRecord&)>& fn) const {
  bool bad = false;
  const Result r = scan(dbis_->participants, {}, [&](auto key, auto value) {
    ParticipantRecord p;
    if (!decode_participant(key, value, p)) return !(bad = true);
    return fn(p);
  });
  return bad ? Result::storage_error : r;
}

Result Snapshot::for_each_product(const std::function<bool(const ProductRecord&)>& fn) const {
  bool bad = false;
  const Result r = scan(dbis_->products, {}, [&](auto key, auto value) {
    ProductRecord p;
    if (!decode_product(key, value, p)) return !(bad = true);
    return fn(p);
  });
  return bad ? Result::storage_error : r;
}

Result Snapshot::for_each_open_trade(const std::function<bool(ProductId, TradeId)>& fn) const {
  bool bad = false;
  const Result r = scan(dbis_->open_trades, {}, [&](auto key, auto) {
    ProductId product;
    TradeId trade;
    if (!codec::read_open_trade_key(key, product, trade)) return !(bad = true);
    return fn(product, trade);
  });
  return bad ? Result::storage_error : r;
}

Result Snapshot::find_request(ParticipantId issuer, uint64_t request_id,
                              std::optional<RequestRecord>& found) const {
  found.reset();
  if (txn_ == nullptr) return Result::storage_error;
  if (!dbis_->has_requests) return Result::ok;  // a read-only open of an older ledger
  const codec::KeptKey k = codec::kept_key(issuer, request_id);
  MDB_val key = val(k);
  MDB_val value{};
  const int rc = mdb_get(txn_, dbis_->requests, &key, &value);
  if (rc == MDB_NOTFOUND) return Result::ok;
  const bool without_digest = value.mv_size == codec::request_record_size_without_digest;
  if (rc != 0 || (value.mv_size != codec::request_record_size && !without_digest)) {
    return Result::storage_error;
  }
  const std::span<const uint8_t> bytes = span(value);
  found = RequestRecord{
      SequenceNumber{codec::read_u64_key(bytes.first(codec::u64_key_size))},
      bytes[codec::u64_key_size] == 1, bytes[codec::u64_key_size + 1],
      without_digest ? 0 : codec::read_u64_key(bytes.subspan(codec::u64_key_size + 2))};
  return Result::ok;
}

std::optional<TradeRecord> Snapshot::trade(TradeId id) const {
  const codec::U64Key k = codec::u64_key(id.value);
  MDB_val key = val(k);
  MDB_val value{};
  TradeRecord t;
  if (txn_ == nullptr || mdb_get(txn_, dbis_->trades, &key, &value) != 0) return std::nullopt;
  if (!codec::decode(span(value), t)) return std::nullopt;
  return t;
}

std::optional<ParticipantRecord> Snapshot::participant(ParticipantId id) const {
  const auto k = codec::u32_key(id.value);
  MDB_val key = val(k);
  MDB_val value{};
  ParticipantRecord p;
  if (txn_ == nullptr || mdb_get(txn_, dbis_->participants, &key, &value) != 0) return {};
  if (!decode_participant(k, span(value), p)) return std::nullopt;
  return p;
}

std::optional<ProductRecord> Snapshot::product(ProductId id) const {
  const auto k = codec::u32_key(id.value);
  MDB_val key = val(k);
  MDB_val value{};
  ProductRecord p;
  if (txn_ == nullptr || mdb_get(txn_, dbis_->products, &key, &value) != 0) return {};
  if (!decode_product(k, span(value), p)) return std::nullopt;
  return p;
}

int64_t Snapshot::balance(const AccountKey& account) const {
  const codec::AccountKeyBytes k = codec::account_key(account);
  MDB_val key = val(k);
  MDB_val value{};
  if (txn_ == nullptr || mdb_get(txn_, dbis_->balances, &key, &value) != 0) return 0;
  return value.mv_size == 8 ? codec::Reader(span(value)).i64() : 0;
}

}  // namespace ghx::ledger
