#include "ledger/writer.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <numeric>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "ledger/ledger_assert.h"

namespace ghx::ledger {

BatchWriter::BatchWriter(MDB_txn* txn, const Dbis& dbis, Cache& cache, const Options& options,
                         std::vector<uint64_t>& scratch)
    : txn_(txn), dbis_(dbis), cache_(cache), options_(options), scratch_(scratch) {
  sequence_ = cache.counters.last_sequence;
}

int BatchWriter::write(Batch& batch) {
  GHX_LEDGER_ASSERT(cache_.dirty.empty());
  for (size_t i = 0; i < batch.ops_.size() && rc_ == 0; ++i) {
    batch.results_[i] = apply(batch, batch.ops_[i]);
  }
  if (rc_ == 0) write_kept_messages(batch);
  if (rc_ == 0) write_requests(batch);
  if (rc_ == 0) finish(batch);
  close_cursors();
  return rc_;
}

void BatchWriter::write_requests(const Batch& batch) {
  if (batch.requests_.empty()) return;
  if (!dbis_.has_requests) {
    rc_ = EACCES;  // a read-only ledger never writes; a writable one always has the database
    return;
  }
  for (const Batch::RecordedRequest& request : batch.requests_) {
    const codec::KeptKey key = codec::kept_key(request.issuer, request.request_id);
    // sequence (be64), done (0 or 1), what, digest (be64; records before it have none)
    std::array<uint8_t, codec::request_record_size> value{};
    const codec::U64Key sequence = codec::u64_key(request.sequence.value);
    std::copy(sequence.begin(), sequence.end(), value.begin());
    value[codec::u64_key_size] = request.done ? 1 : 0;
    value[codec::u64_key_size + 1] = request.what;
    const codec::U64Key digest = codec::u64_key(request.digest);
    std::copy(digest.begin(), digest.end(), value.begin() + codec::u64_key_size + 2);
    MDB_val k = val(key);
    MDB_val v = val(value);
    if ((rc_ = mdb_put(txn_, dbis_.requests, &k, &v, 0)) != 0) return;
  }
}

void BatchWriter::write_kept_messages(const Batch& batch) {
  if (batch.kept_.empty() && batch.dropped_.empty()) return;
  if (!dbis_.has_reports) {
    rc_ = EACCES;  // a read-only ledger never writes; a writable one always has the database
    return;
  }
  MDB_cursor* cursor = nullptr;
  if ((rc_ = mdb_cursor_open(txn_, dbis_.reports, &cursor)) != 0) return;
  // Per participant, runs of consecutive numbers become one chunk each. The messages in
  // participant order (a stable sort keeps each participant's in the order they were numbered):
  // one pass, however many participants the batch holds.
  std::vector<uint32_t> order(batch.kept_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return batch.kept_[a].participant.value < batch.kept_[b].participant.value;
  });
  std::vector<uint32_t> run;
  for (const uint32_t i : order) {
    const Batch::KeptMessage& kept = batch.kept_[i];
    if (!run.empty()) {
      const Batch::KeptMessage& last = batch.kept_[run.back()];
      if (kept.participant != last.participant || kept.sequence != last.sequence + 1 ||
          run.size() == kept_chunk_messages_max) {
        write_kept_chunk(cursor, batch, run);
        run.clear();
      }
    }
    run.push_back(i);
  }
  if (!run.empty()) write_kept_chunk(cursor, batch, run);
  for (const auto& [participant, through] : batch.dropped_) {
    if (rc_ != 0) break;
    const codec::KeptKey start = codec::kept_key(participant, 0);
    MDB_val k = val(start);
    MDB_val v{};
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    while (rc == 0) {  // whole chunks only: one that holds a newer message stays
      ParticipantId owner;
      uint64_t first = 0;
      const codec::KeptChunkReader chunk(span(v));
      if (!codec::read_kept_key(span(k), owner, first) || owner != participant || !chunk.ok() ||
          first + chunk.count() - 1 > through) {
        break;
      }
      if ((rc = mdb_cursor_del(cursor, 0)) != 0) break;
      rc = mdb_cursor_get(cursor, &k, &v, MDB_GET_CURRENT);  // the entry after the deleted one
    }
    if (rc != 0 && rc != MDB_NOTFOUND) rc_ = rc;
  }
  mdb_cursor_close(cursor);
}

// One chunk of kept messages, written straight into the page LMDB reserves for it.
void BatchWriter::write_kept_chunk(MDB_cursor* cursor, const Batch& batch,
                                   std::span<const uint32_t> run) {
  if (rc_ != 0) return;
  size_t size = varint_size(run.size());
  for (const uint32_t i : run) {
    size += varint_size(batch.kept_[i].size) + batch.kept_[i].size;
  }
  const Batch::KeptMessage& first = batch.kept_[run.front()];
  const codec::KeptKey key = codec::kept_key(first.participant, first.sequence);
  MDB_val k = val(key);
  MDB_val v{size, nullptr};
  if ((rc_ = mdb_cursor_put(cursor, &k, &v, MDB_RESERVE)) != 0) return;
  uint8_t* out = put_varint(static_cast<uint8_t*>(v.mv_data), run.size());
  for (const uint32_t i : run) {
    const Batch::KeptMessage& kept = batch.kept_[i];
    out = put_varint(out, kept.size);
    std::memcpy(out, batch.kept_bytes_.data() + kept.offset, kept.size);
    out += kept.size;
  }
  GHX_LEDGER_ASSERT(out == static_cast<uint8_t*>(v.mv_data) + size);
}

void BatchWriter::append(MDB_cursor*& cursor, MDB_dbi dbi, std::span<const uint8_t> key,
                         std::span<const uint8_t> value) {
  if (rc_ != 0) return;
  if (cursor == nullptr && (rc_ = mdb_cursor_open(txn_, dbi, &cursor)) != 0) return;
  MDB_val k = val(key);
  MDB_val v = val(value);
  rc_ = mdb_cursor_put(cursor, &k, &v, MDB_APPEND);
}

void BatchWriter::close_cursors() {
  for (MDB_cursor** c : {&transfers_, &journal_, &trades_}) {
    if (*c != nullptr) mdb_cursor_close(*c);
    *c = nullptr;
  }
}

void BatchWriter::put(MDB_dbi dbi, std::span<const uint8_t> key, std::span<const uint8_t> value,
                      unsigned flags) {
  if (rc_ != 0) return;
  MDB_val k = val(key);
  MDB_val v = val(value);
  rc_ = mdb_put(txn_, dbi, &k, &v, flags);
}

Slot& BatchWriter::slot(const AccountKey& key) {
  Slot& s = cache_.balances[key];  // allocates only the first time an account is used
  if (s.dirty_epoch != cache_.epoch) {
    s.dirty_epoch = cache_.epoch;
    cache_.dirty.push_back(key);
  }
  return s;
}

int64_t BatchWriter::balance(const AccountKey& key) {
  const auto it = cache_.balances.find(key);
  return it == cache_.balances.end() ? 0 : it->second.balance;
}

void BatchWriter::move(TransferKind kind, const AccountKey& from, const AccountKey& to,
                       int64_t amount, TradeId trade) {
  GHX_LEDGER_ASSERT(amount >= 0);
  GHX_LEDGER_ASSERT(from.asset == to.asset);
  if (amount == 0) return;  // a zero transfer moves nothing and would only add noise
  Slot& source = slot(from);
  Slot& target = slot(to);
  GHX_LEDGER_ASSERT(!__builtin_sub_overflow(source.balance, amount, &source.balance));
  GHX_LEDGER_ASSERT(!__builtin_add_overflow(target.balance, amount, &target.balance));
  // Callers check funds first; a negative participant balance here is a ledger bug.
  GHX_LEDGER_ASSERT(!from.is_participant() || source.balance >= 0);
  Transfer t;
  t.id = cache_.counters.next_transfer_id++;
  t.sequence = sequence_;
  t.timestamp = at_;
  t.trade_id = trade;
  t.amount = amount;
  t.debit = from;
  t.credit = to;
  t.kind = kind;
  append(transfers_, dbis_.transfers, codec::u64_key(t.id), codec::encode(t));
}

Result BatchWriter::apply(const Batch& batch, const Op& op) {
  at_ = op.at;
  switch (op.kind) {
    case OpKind::journal:
      sequence_ = op.sequence;
      append(journal_, dbis_.journal, codec::u64_key(op.sequence.value), batch.bytes(op));
      return Result::ok;
    case OpKind::upsert_participant: return upsert_participant(batch, op);
    case OpKind::list_product: return list_product(batch, op);
    case OpKind::settle_fill: {
      // The fill's own sequence names the command that matched it; later ops keep the batch's.
      const SequenceNumber command = sequence_;
      if (op.fill.sequence.value != 0) sequence_ = op.fill.sequence;
      const Result r = settle(op.fill);
      sequence_ = command;
      return r;
    }
    case OpKind::deliver: return deliver(op);
    case OpKind::fail_trade:
      return fail_trade(op);
    case OpKind::fail_seller: return fail_seller(op);
    default: return apply_amount(op);
  }
}

Result BatchWriter::upsert_participant(const Batch& batch, const Op& op) {
  uint8_t value[1 + 256];
  const auto name = batch.bytes(op);
  if (name.size() > 256) return Result::invalid_argument;
  value[0] = op.roles;
  std::memcpy(value + 1, name.data(), name.size());
  put(dbis_.participants, codec::u32_key(op.participant.value), {value, 1 + name.size()}, 0);
  cache_.roles[op.participant.value] = op.roles;
  return Result::ok;
}

Result BatchWriter::list_product(const Batch& batch, const Op& op) {
  uint8_t value[codec::product_fixed_size + 256];
  const auto symbol = batch.bytes(op);
  if (symbol.size() > 256) return Result::invalid_argument;
  codec::Writer w(value);
  w.i64(op.lot_size_gpus);
  w.i64(op.hours);
  w.i64(op.delivery_start.ns);
  w.i64(op.delivery_end.ns);
  w.raw(symbol.data(), symbol.size());
  put(dbis_.products, codec::u32_key(op.product.value), {value, w.size()}, 0);
  cache_.products[op.product.value] = {op.lot_size_gpus, op.hours, op.delivery_end};
  return Result::ok;
}

// Deposits, withdrawals, holds, releases and capacity registration: one transfer each.
Result BatchWriter::apply_amount(const Op& op) {
  if (!known(op.participant)) return Result::unknown_participant;
  const ParticipantId p = op.participant;
  const bool capacity = op.kind == OpKind::register_capacity || op.kind == OpKind::hold_capacity ||
                        op.kind == OpKind::release_capacity;
  if (capacity && !cache_.products.contains(op.product.value)) return Result::unknown_product;
  const Asset asset = capacity ? Asset::capacity(op.product) : Asset::cash();
  const AccountKey external = external_account(asset);
  const AccountKey available{asset, p, AccountKind::available};
  const AccountKey held{asset, p, AccountKind::held};
  const Result short_of = capacity ? Result::insufficient_capacity : Result::insufficient_cash;
  switch (op.kind) {
    case OpKind::deposit: move(TransferKind::deposit, external, available, op.amount); break;
    case OpKind::withdraw:
      if (balance(available) < op.amount) return short_of;
      move(TransferKind::withdrawal, available, external, op.amount);
      break;
    case OpKind::register_capacity:
      if ((cache_.roles[p.value] & role_seller) == 0) return Result::missing_role;
      move(TransferKind::register_capacity, external, available, op.amount);
      break;
    case OpKind::hold_cash:
    case OpKind::hold_capacity:
      if (balance(available) < op.amount) return short_of;
      move(TransferKind::hold, available, held, op.amount);
      break;
    case OpKind::release_cash:
    case OpKind::release_capacity:
      if (balance(held) < op.amount) return short_of;
      move(TransferKind::release, held, available, op.amount);
      break;
    default: GHX_LEDGER_ASSERT(false && "operation without an amount handler");
  }
  return Result::ok;
}

}  // namespace ghx::ledger
