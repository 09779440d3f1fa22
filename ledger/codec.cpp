#include "ledger/codec.h"

#include <bit>

namespace ghx::ledger::codec {

static_assert(std::endian::native == std::endian::little,
              "value layouts are little-endian; a big-endian port must byte-swap in Writer/Reader");

U64Key u64_key(uint64_t v) {
  U64Key key{};
  Writer(key).be64(v);
  return key;
}

uint64_t read_u64_key(std::span<const uint8_t> key) { return Reader(key).be64(); }

std::array<uint8_t, 4> u32_key(uint32_t v) {
  std::array<uint8_t, 4> key{};
  Writer(key).be32(v);
  return key;
}

uint32_t read_u32_key(std::span<const uint8_t> key) { return Reader(key).be32(); }

AccountKeyBytes account_key(const AccountKey& key) {
  AccountKeyBytes bytes{};
  Writer w(bytes);
  w.u8(static_cast<uint8_t>(key.asset.kind));
  w.be32(key.asset.product.value);
  w.be32(key.owner.value);
  w.u8(static_cast<uint8_t>(key.kind));
  return bytes;
}

bool read_account_key(std::span<const uint8_t> bytes, AccountKey& out) {
  if (bytes.size() != account_key_size) return false;
  Reader r(bytes);
  const uint8_t asset_kind = r.u8();
  out.asset.product.value = r.be32();
  out.owner.value = r.be32();
  const uint8_t kind = r.u8();
  if (asset_kind > 1 || kind > static_cast<uint8_t>(AccountKind::received)) return false;
  out.asset.kind = static_cast<AssetKind>(asset_kind);
  out.kind = static_cast<AccountKind>(kind);
  return r.ok();
}

OpenTradeKey open_trade_key(ProductId product, TradeId trade) {
  OpenTradeKey key{};
  Writer w(key);
  w.be32(product.value);
  w.be64(trade.value);
  return key;
}

bool read_open_trade_key(std::span<const uint8_t> bytes, ProductId& product, TradeId& trade) {
  if (bytes.size() != open_trade_key_size) return false;
  Reader r(bytes);
  product.value = r.be32();
  trade.value = r.be64();
  return r.ok();
}

KeptKey kept_key(ParticipantId participant, uint64_t sequence) {
  KeptKey key{};
  Writer w(key);
  w.be32(participant.value);
  w.be64(sequence);
  return key;
}

bool read_kept_key(std::span<const uint8_t> bytes, ParticipantId& participant,
                   uint64_t& sequence) {
  if (bytes.size() != std::tuple_size_v<KeptKey>) return false;
  Reader r(bytes);
  participant.value = r.be32();
  sequence = r.be64();
  return r.ok();
}

KeptChunkReader::KeptChunkReader(std::span<const uint8_t> value) : in_(value) {
  ok_ = in_.varint(count_) && count_ > 0;
}

bool KeptChunkReader::next(std::span<const uint8_t>& message) {
  if (!ok_ || read_ == count_) {
    if (ok_ && !in_.done()) ok_ = false;  // bytes after the last message
    return false;
  }
  if (!in_.bytes(message)) return ok_ = false;
  ++read_;
  return true;
}

static void write_account(Writer& w, const AccountKey& key) {
  w.u8(static_cast<uint8_t>(key.asset.kind));
  w.u32(key.asset.product.value);
  w.u32(key.owner.value);
  w.u8(static_cast<uint8_t>(key.kind));
}

static bool read_account(Reader& r, AccountKey& key) {
  const uint8_t asset_kind = r.u8();
  key.asset.product.value = r.u32();
  key.owner.value = r.u32();
  const uint8_t kind = r.u8();
  key.asset.kind = static_cast<AssetKind>(asset_kind);
  key.kind = static_cast<AccountKind>(kind);
  return asset_kind <= 1 && kind <= static_cast<uint8_t>(AccountKind::received);
}

TransferBytes encode(const Transfer& t) {
  TransferBytes bytes{};
  Writer w(bytes);
  w.u64(t.id);
  w.u64(t.sequence.value);
  w.i64(t.timestamp.ns);
  w.u64(t.trade_id.value);
  w.i64(t.amount);
  write_account(w, t.debit);
  write_account(w, t.credit);
  w.u8(static_cast<uint8_t>(t.kind));
  GHX_LEDGER_ASSERT(w.size() == transfer_value_size);
  return bytes;
}

bool decode(std::span<const uint8_t> bytes, Transfer& out) {
  if (bytes.size() != transfer_value_size) return false;
  Reader r(bytes);
  out.id = r.u64();
  out.sequence.value = r.u64();
  out.timestamp.ns = r.i64();
  out.trade_id.value = r.u64();
  out.amount = r.i64();
  bool ok = read_account(r, out.debit) && read_account(r, out.credit);
  const uint8_t kind = r.u8();
  out.kind = static_cast<TransferKind>(kind);
  ok = ok && kind >= 1 && kind <= static_cast<uint8_t>(TransferKind::failure_capacity);
  return ok && r.ok() && r.at_end();
}

TradeBytes encode(const TradeRecord& t) {
  TradeBytes bytes{};
  Writer w(bytes);
  const Fill& f = t.fill;
  w.u64(f.trade_id.value);
  w.u64(f.sequence.value);
  w.i64(f.timestamp_ns.ns);
  w.u32(f.product.value);
  w.u32(f.buyer.value);
  w.u32(f.seller.value);
  w.u64(f.buyer_order_id.value);
  w.u64(f.seller_order_id.value);
  w.i64(f.price.value);
  w.i64(f.lots.value);
  w.i64(f.notional.value);
  w.i64(f.buyer_fee.value);
  w.i64(f.seller_fee.value);
  w.i64(f.buyer_hold_released.value);
  w.u8(static_cast<uint8_t>(t.state));
  w.i64(t.closed_at.ns);
  w.i64(t.failed_lots.value);
  GHX_LEDGER_ASSERT(w.size() == trade_value_size);
  return bytes;
}

bool decode(std::span<const uint8_t> bytes, TradeRecord& out) {
  const bool has_failed_lots = bytes.size() == trade_value_size;
  if (!has_failed_lots && bytes.size() != trade_value_size_without_failed_lots) return false;
  Reader r(bytes);
  Fill& f = out.fill;
  f.trade_id.value = r.u64();
  f.sequence.value = r.u64();
  f.timestamp_ns.ns = r.i64();
  f.product.value = r.u32();
  f.buyer.value = r.u32();
  f.seller.value = r.u32();
  f.buyer_order_id.value = r.u64();
  f.seller_order_id.value = r.u64();
  f.price.value = r.i64();
  f.lots.value = r.i64();
  f.notional.value = r.i64();
  f.buyer_fee.value = r.i64();
  f.seller_fee.value = r.i64();
  f.buyer_hold_released.value = r.i64();
  const uint8_t state = r.u8();
  out.state = static_cast<TradeState>(state);
  out.closed_at.ns = r.i64();
  // An older record has no failed_lots: a failed trade had failed every lot, others none.
  const Lots failed_before_partial_failures = out.state == TradeState::failed ? f.lots : Lots{};
  out.failed_lots = has_failed_lots ? Lots{r.i64()} : failed_before_partial_failures;
  // Whether the state agrees with failed_lots is for check_ledger to name, not a decoding error.
  const bool lots_ok = f.lots.value > 0 && out.failed_lots.value >= 0 && out.failed_lots <= f.lots;
  return state <= 2 && lots_ok && r.ok() && r.at_end();
}

}  // namespace ghx::ledger::codec
