// Settlement, delivery and delivery failure: the BatchWriter operations that concern trades.
#include <algorithm>

#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "ledger/ledger_assert.h"
#include "ledger/trade_amounts.h"
#include "ledger/writer.h"

namespace ghx::ledger {
namespace {

bool notional_matches(const Fill& f, const ProductParams& p) {
  int64_t n = 0;
  return !__builtin_mul_overflow(f.price.value, f.lots.value, &n) &&
         !__builtin_mul_overflow(n, p.lot_size_gpus, &n) &&
         !__builtin_mul_overflow(n, p.hours, &n) && n == f.notional.value;
}

}  // namespace

Result BatchWriter::settle(const Fill& f) {
  const auto product = cache_.products.find(f.product.value);
  if (product == cache_.products.end()) return Result::unknown_product;
  if (!known(f.buyer) || !known(f.seller)) return Result::unknown_participant;
  if ((cache_.roles[f.buyer.value] & role_buyer) == 0 ||
      (cache_.roles[f.seller.value] & role_seller) == 0) {
    return Result::missing_role;
  }
  if (!notional_matches(f, product->second)) return Result::notional_mismatch;
  int64_t paid = 0;
  if (__builtin_add_overflow(f.notional.value, f.buyer_fee.value, &paid) ||
      f.buyer_hold_released.value < paid) {
    return Result::invalid_amount;
  }
  const codec::U64Key key = codec::u64_key(f.trade_id.value);
  // Trade ids above every settled one cannot be settled yet (the usual case: the engine numbers
  // trades in order); only an older id needs the lookup.
  const bool in_order = f.trade_id.value > cache_.counters.max_trade_id;
  if (!in_order) {
    MDB_val k = val(key);
    MDB_val existing{};
    const int found = mdb_get(txn_, dbis_.trades, &k, &existing);
    if (found == 0) return Result::trade_already_settled;
    if (found != MDB_NOTFOUND) { rc_ = found; return Result::storage_error; }
  }

  const AccountKey buyer_held = cash_account(f.buyer, AccountKind::held);
  const AccountKey seller_capacity = capacity_account(f.seller, f.product, AccountKind::held);
  if (balance(buyer_held) < f.buyer_hold_released.value) return Result::insufficient_cash;
  if (balance(seller_capacity) < f.lots.value) return Result::insufficient_capacity;

  move(TransferKind::fill_payment, buyer_held, cash_account(f.buyer, AccountKind::escrow),
       f.notional.value, f.trade_id);
  move(TransferKind::fill_fee, buyer_held, fee_account(), f.buyer_fee.value, f.trade_id);
  move(TransferKind::fill_refund, buyer_held, cash_account(f.buyer, AccountKind::available),
       f.buyer_hold_released.value - paid, f.trade_id);
  move(TransferKind::fill_capacity, seller_capacity,
       capacity_account(f.buyer, f.product, AccountKind::received), f.lots.value, f.trade_id);

  const TradeRecord record{f, TradeState::open, {}};
  if (in_order) append(trades_, dbis_.trades, key, codec::encode(record));
  else put(dbis_.trades, key, codec::encode(record), MDB_NOOVERWRITE);
  cache_.counters.max_trade_id = std::max(cache_.counters.max_trade_id, f.trade_id.value);
  put(dbis_.open_trades, codec::open_trade_key(f.product, f.trade_id), {}, 0);
  return rc_ == 0 ? Result::ok : Result::storage_error;
}

// Collects the open trades of a product into scratch_ (reused, so no allocation once warm):
// closing a trade deletes from the tree being scanned, so scanning and closing are separate.
bool BatchWriter::collect_open_trades(ProductId product) {
  scratch_.clear();
  MDB_cursor* cursor = nullptr;
  if ((rc_ = mdb_cursor_open(txn_, dbis_.open_trades, &cursor)) != 0) return false;
  const codec::OpenTradeKey start = codec::open_trade_key(product, {});
  MDB_val key = val(start);
  MDB_val value{};
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
  while (rc == 0) {
    ProductId p;
    TradeId t;
    GHX_LEDGER_ASSERT(codec::read_open_trade_key(span(key), p, t));
    if (p != product) break;
    scratch_.push_back(t.value);
    rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  if (rc != 0 && rc != MDB_NOTFOUND) rc_ = rc;
  return rc_ == 0;
}

Result BatchWriter::read_trade(TradeId id, TradeRecord& out) {
  const codec::U64Key key = codec::u64_key(id.value);
  MDB_val k = val(key);
  MDB_val v{};
  const int found = mdb_get(txn_, dbis_.trades, &k, &v);
  if (found == MDB_NOTFOUND) return Result::unknown_trade;
  if (found != 0) {
    rc_ = found;
    return Result::storage_error;
  }
  GHX_LEDGER_ASSERT(codec::decode(span(v), out));
  return Result::ok;
}

// A trade named by the open-trade index (collect_open_trades): one that is not stored, or not
// open, means the index and the trades disagree, so the batch stops rather than guess.
Result BatchWriter::read_open_trade(uint64_t id, TradeRecord& out) {
  const Result found = read_trade(TradeId{id}, out);
  if (found == Result::unknown_trade) rc_ = MDB_NOTFOUND;
  if (found != Result::ok) return Result::storage_error;
  GHX_LEDGER_ASSERT(out.state == TradeState::open && open_lots(out).value > 0);
  return Result::ok;
}

// Pays each open trade's seller for the lots it did not fail: their notional less the seller
// fee left (the fee of the failed lots was never earned), out of the buyer's escrow, which
// holds exactly the notional of the open lots.
Result BatchWriter::deliver(const Op& op) {
  const auto product = cache_.products.find(op.product.value);
  if (product == cache_.products.end()) return Result::unknown_product;
  if (op.at < product->second.delivery_end) return Result::delivery_window_open;
  if (!collect_open_trades(op.product)) return Result::storage_error;
  for (const uint64_t id : scratch_) {
    TradeRecord trade;
    if (read_open_trade(id, trade) != Result::ok) return Result::storage_error;
    const Fill& f = trade.fill;
    const Lots delivered = open_lots(trade);
    const Cash paid = notional_of(f, delivered);
    const Cash fee = seller_fee_left(f, trade.failed_lots);
    GHX_LEDGER_ASSERT(fee <= paid);
    const AccountKey escrow = cash_account(f.buyer, AccountKind::escrow);
    move(TransferKind::delivery_payment, escrow, cash_account(f.seller, AccountKind::available),
         paid.value - fee.value, f.trade_id);
    move(TransferKind::delivery_fee, escrow, fee_account(), fee.value, f.trade_id);
    move(TransferKind::delivery_consumed,
         capacity_account(f.buyer, f.product, AccountKind::received),
         external_account(Asset::capacity(f.product)), delivered.value, f.trade_id);
    if (close_trade(trade, TradeState::delivered, op.at) != Result::ok) {
      return Result::storage_error;
    }
  }
  return Result::ok;
}

Result BatchWriter::close_trade(TradeRecord& trade, TradeState state, Timestamp at) {
  trade.state = state;
  trade.closed_at = at;
  put(dbis_.trades, codec::u64_key(trade.fill.trade_id.value), codec::encode(trade), 0);
  if (rc_ != 0) return Result::storage_error;
  const codec::OpenTradeKey key = codec::open_trade_key(trade.fill.product, trade.fill.trade_id);
  MDB_val k = val(key);
  rc_ = mdb_del(txn_, dbis_.open_trades, &k, nullptr);
  return rc_ == 0 ? Result::ok : Result::storage_error;
}

Result BatchWriter::fail_trade(const Op& op) {
  TradeRecord trade;
  const Result found = read_trade(op.trade, trade);
  if (found != Result::ok) return found;
  if (trade.state != TradeState::open) return Result::trade_not_open;
  const Lots open = open_lots(trade);
  GHX_LEDGER_ASSERT(open.value > 0);
  // lots_open_after 0 fails the rest whatever `amount` says: journals from before partial
  // failures always failed the whole trade and replay this way.
  if (op.lots_open_after.value == 0) return fail_lots(trade, open, op.at);
  int64_t lots_total = 0;
  if (op.amount <= 0 || op.lots_open_after.value < 0 ||
      __builtin_add_overflow(op.amount, op.lots_open_after.value, &lots_total) ||
      lots_total != open.value) {
    return Result::invalid_argument;  // the engine and the ledger disagree on the trade
  }
  return fail_lots(trade, Lots{op.amount}, op.at);
}

// Fails `lots` of the trade's open lots: refund, penalty, capacity back; closes the trade as
// failed once every lot has, else stores the new failed_lots and leaves it open.
Result BatchWriter::fail_lots(TradeRecord& trade, Lots lots, Timestamp at) {
  GHX_LEDGER_ASSERT(lots.value > 0 && lots <= open_lots(trade));
  const Fill& f = trade.fill;
  at_ = at;
  const AccountKey buyer_available = cash_account(f.buyer, AccountKind::available);
  const AccountKey seller_available = cash_account(f.seller, AccountKind::available);
  const Cash refund = notional_of(f, lots);
  move(TransferKind::failure_refund, cash_account(f.buyer, AccountKind::escrow), buyer_available,
       refund.value, f.trade_id);
  // The penalty is capped at what the seller has: the ledger never lends.
  // Split so that refund x bps cannot overflow (bps <= 10000 is checked at open).
  const int64_t n = refund.value;
  const int64_t penalty_full = n / 10'000 * options_.penalty_bps +
                               n % 10'000 * options_.penalty_bps / 10'000;
  const int64_t penalty =
      std::min(penalty_full, std::max<int64_t>(0, balance(seller_available)));
  if (f.buyer != f.seller) {
    move(TransferKind::failure_penalty, seller_available, buyer_available, penalty, f.trade_id);
  }
  move(TransferKind::failure_capacity, capacity_account(f.buyer, f.product, AccountKind::received),
       external_account(Asset::capacity(f.product)), lots.value, f.trade_id);
  trade.failed_lots.value += lots.value;
  if (trade.failed_lots == f.lots) return close_trade(trade, TradeState::failed, at);
  put(dbis_.trades, codec::u64_key(f.trade_id.value), codec::encode(trade), 0);
  return rc_ == 0 ? Result::ok : Result::storage_error;
}

Result BatchWriter::fail_seller(const Op& op) {
  if (!cache_.products.contains(op.product.value)) return Result::unknown_product;
  if (!collect_open_trades(op.product)) return Result::storage_error;
  size_t failed = 0;
  for (const uint64_t id : scratch_) {
    TradeRecord record;
    if (read_open_trade(id, record) != Result::ok) return Result::storage_error;
    if (record.fill.seller != op.participant) continue;
    const Result r = fail_lots(record, open_lots(record), op.at);
    if (r != Result::ok) return r;
    ++failed;
  }
  return failed == 0 ? Result::not_found : Result::ok;
}

int BatchWriter::finish(const Batch& batch) {
  for (const AccountKey& account : cache_.dirty) {
    const Slot& s = cache_.balances[account];
    GHX_LEDGER_ASSERT(!account.is_participant() || s.balance >= 0);
    uint8_t value[8];
    codec::Writer(value).i64(s.balance);
    put(dbis_.balances, codec::account_key(account), value, 0);
  }
  if (batch.last_sequence().value != 0) cache_.counters.last_sequence = batch.last_sequence();
  uint8_t sequence[8];
  uint8_t next_id[8];
  codec::Writer(sequence).u64(cache_.counters.last_sequence.value);
  codec::Writer(next_id).u64(cache_.counters.next_transfer_id);
  const std::string_view sequence_key = "last_sequence";
  const std::string_view next_key = "next_transfer_id";
  put(dbis_.meta, {reinterpret_cast<const uint8_t*>(sequence_key.data()), sequence_key.size()},
      sequence, 0);
  put(dbis_.meta, {reinterpret_cast<const uint8_t*>(next_key.data()), next_key.size()}, next_id,
      0);
  return rc_;
}

}  // namespace ghx::ledger
