#include "ledger/batch.h"

#include <cstring>

#include "ledger/ledger_assert.h"

namespace ghx::ledger {

Batch::Batch(size_t ops_reserved, size_t bytes_reserved)
    : ops_reserved_(ops_reserved), bytes_reserved_(bytes_reserved) {
  GHX_LEDGER_ASSERT(ops_reserved > 0);
  GHX_LEDGER_ASSERT(bytes_reserved <= UINT32_MAX);
  reserve();
}

void Batch::reserve() {
  ops_.reserve(ops_reserved_);
  results_.reserve(ops_reserved_);
  bytes_.reserve(bytes_reserved_);
}

void Batch::clear() {
  // A batch that grew for one large command gives the memory back rather than keep it for
  // ever: such commands are rare, and four batches are in flight.
  if (ops_.capacity() > ops_reserved_ || bytes_.capacity() > bytes_reserved_) {
    ops_ = {};
    results_ = {};
    bytes_ = {};
    reserve();
  }
  ops_.clear();
  results_.clear();
  bytes_.clear();
  first_sequence_ = {};
  last_sequence_ = {};
  contiguous_ = true;
  kept_.clear();
  kept_bytes_.clear();
  dropped_.clear();
  requests_.clear();
}

void Batch::require_from(size_t first) {
  for (size_t i = first; i < ops_.size(); ++i) ops_[i].required = true;
}

std::optional<size_t> Batch::first_refused_required() const {
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (ops_[i].required && results_[i] != Result::ok) return i;
  }
  return std::nullopt;
}

void Batch::keep_message(ParticipantId p, uint64_t message_sequence,
                         std::span<const uint8_t> bytes) {
  GHX_LEDGER_ASSERT(kept_bytes_.size() + bytes.size() <= UINT32_MAX);
  kept_.push_back({p, message_sequence, static_cast<uint32_t>(kept_bytes_.size()),
                   static_cast<uint32_t>(bytes.size())});
  kept_bytes_.insert(kept_bytes_.end(), bytes.begin(), bytes.end());
}

void Batch::record_request(ParticipantId issuer, uint64_t request_id, SequenceNumber sequence,
                           bool done, uint8_t what, uint64_t digest) {
  requests_.push_back({issuer, request_id, sequence, done, what, digest});
}

void Batch::drop_kept_through(ParticipantId p, uint64_t message_sequence) {
  dropped_.emplace_back(p, message_sequence);
}

Result Batch::push(const Op& op, std::span<const uint8_t> data) {
  if (bytes_.size() + data.size() > UINT32_MAX) return Result::batch_full;
  Op& stored = ops_.emplace_back(op);
  stored.bytes_offset = static_cast<uint32_t>(bytes_.size());
  stored.bytes_size = static_cast<uint32_t>(data.size());
  bytes_.insert(bytes_.end(), data.begin(), data.end());
  results_.push_back(Result::ok);
  GHX_LEDGER_ASSERT(ops_.size() == results_.size());
  return Result::ok;
}

static std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

Result Batch::journal(SequenceNumber sequence, std::span<const uint8_t> command_bytes) {
  if (sequence.value == 0) return Result::invalid_argument;
  Op op;
  op.kind = OpKind::journal;
  op.sequence = sequence;
  const Result r = push(op, command_bytes);
  if (r != Result::ok) return r;
  if (first_sequence_.value == 0) {
    first_sequence_ = sequence;
  } else if (sequence.value != last_sequence_.value + 1) {
    contiguous_ = false;  // reported by commit, which refuses the whole batch
  }
  last_sequence_ = sequence;
  return Result::ok;
}

Result Batch::upsert_participant(ParticipantId id, std::string_view name, uint8_t roles) {
  if (name.empty() || (roles & ~(role_buyer | role_seller | role_operator)) != 0) {
    return Result::invalid_argument;
  }
  Op op;
  op.kind = OpKind::upsert_participant;
  op.participant = id;
  op.roles = roles;
  return push(op, as_bytes(name));
}

Result Batch::list_product(ProductId id, std::string_view symbol, int64_t lot_size_gpus,
                           int64_t hours, Timestamp delivery_start, Timestamp delivery_end) {
  if (symbol.empty() || lot_size_gpus <= 0 || hours <= 0 || delivery_end < delivery_start) {
    return Result::invalid_argument;
  }
  Op op;
  op.kind = OpKind::list_product;
  op.product = id;
  op.lot_size_gpus = lot_size_gpus;
  op.hours = hours;
  op.delivery_start = delivery_start;
  op.delivery_end = delivery_end;
  return push(op, as_bytes(symbol));
}

Result Batch::push_amount(OpKind kind, ParticipantId p, ProductId product, int64_t amount,
                          Timestamp at) {
  if (amount <= 0) return Result::invalid_amount;
  Op op;
  op.kind = kind;
  op.participant = p;
  op.product = product;
  op.amount = amount;
  op.at = at;
  return push(op, {});
}

Result Batch::deposit(ParticipantId p, Cash amount, Timestamp at) {
  return push_amount(OpKind::deposit, p, {}, amount.value, at);
}
Result Batch::withdraw(ParticipantId p, Cash amount, Timestamp at) {
  return push_amount(OpKind::withdraw, p, {}, amount.value, at);
}
Result Batch::hold_cash(ParticipantId p, Cash amount, Timestamp at) {
  return push_amount(OpKind::hold_cash, p, {}, amount.value, at);
}
Result Batch::release_cash(ParticipantId p, Cash amount, Timestamp at) {
  return push_amount(OpKind::release_cash, p, {}, amount.value, at);
}
Result Batch::register_capacity(ParticipantId p, ProductId product, Lots lots, Timestamp at) {
  return push_amount(OpKind::register_capacity, p, product, lots.value, at);
}
Result Batch::hold_capacity(ParticipantId p, ProductId product, Lots lots, Timestamp at) {
  return push_amount(OpKind::hold_capacity, p, product, lots.value, at);
}
Result Batch::release_capacity(ParticipantId p, ProductId product, Lots lots, Timestamp at) {
  return push_amount(OpKind::release_capacity, p, product, lots.value, at);
}

Result Batch::settle_fill(const Fill& fill) {
  if (fill.lots.value <= 0 || fill.notional.value < 0 || fill.buyer_fee.value < 0 ||
      fill.seller_fee.value < 0 || fill.seller_fee > fill.notional || fill.price.value < 0) {
    return Result::invalid_amount;
  }
  Op op;
  op.kind = OpKind::settle_fill;
  op.fill = fill;
  op.at = fill.timestamp_ns;
  return push(op, {});
}

Result Batch::deliver(ProductId product, Timestamp at) {
  Op op;
  op.kind = OpKind::deliver;
  op.product = product;
  op.at = at;
  return push(op, {});
}

// The lots are checked against the trade when the batch is committed: only the ledger knows
// how many are still open.
Result Batch::delivery_failure(TradeId trade, Lots lots, Lots lots_open_after, Timestamp at) {
  Op op;
  op.kind = OpKind::fail_trade;
  op.trade = trade;
  op.amount = lots.value;
  op.lots_open_after = lots_open_after;
  op.at = at;
  return push(op, {});
}

Result Batch::delivery_failure(ProductId product, ParticipantId seller, Timestamp at) {
  Op op;
  op.kind = OpKind::fail_seller;
  op.product = product;
  op.participant = seller;
  op.at = at;
  return push(op, {});
}

}  // namespace ghx::ledger
