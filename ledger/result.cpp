#include "ledger/result.h"

#include "ledger/types.h"

namespace ghx::ledger {

const char* to_string(Result result) {
  switch (result) {
    case Result::ok: return "ok";
    case Result::already_applied: return "batch already applied (replay skipped)";
    case Result::sequence_overlap:
      return "batch begins among the committed journal sequences and goes past them; nothing "
             "was written";
    case Result::sequence_gap: return "journal sequence gap: batch does not follow the last applied sequence";
    case Result::sequence_not_contiguous: return "journal sequences inside the batch are not consecutive";
    case Result::batch_full: return "batch is full";
    case Result::map_full: return "LMDB map reached its maximum size; nothing was written";
    case Result::storage_error: return "storage error (LMDB); nothing was written";
    case Result::read_only: return "ledger is opened read-only";
    case Result::invalid_amount: return "amount must be positive";
    case Result::invalid_argument: return "invalid argument";
    case Result::unknown_participant: return "unknown participant";
    case Result::unknown_product: return "unknown product";
    case Result::missing_role: return "participant lacks the role for this operation";
    case Result::insufficient_cash: return "insufficient cash";
    case Result::insufficient_capacity: return "insufficient capacity";
    case Result::notional_mismatch: return "notional is not price x lots x lot size x hours";
    case Result::trade_already_settled: return "trade already settled (nothing changed)";
    case Result::unknown_trade: return "unknown trade";
    case Result::trade_not_open: return "trade already delivered or failed";
    case Result::delivery_window_open: return "delivery window has not ended";
    case Result::not_found: return "not found";
    case Result::required_operation_refused:
      return "an operation the batch requires was refused; nothing was written";
  }
  return "unknown result";
}

const char* to_string(AccountKind kind) {
  switch (kind) {
    case AccountKind::external: return "external";
    case AccountKind::fee: return "fee";
    case AccountKind::available: return "available";
    case AccountKind::held: return "held";
    case AccountKind::escrow: return "escrow";
    case AccountKind::received: return "received";
  }
  return "unknown";
}

const char* to_string(TransferKind kind) {
  switch (kind) {
    case TransferKind::deposit: return "deposit";
    case TransferKind::withdrawal: return "withdrawal";
    case TransferKind::hold: return "hold";
    case TransferKind::release: return "release";
    case TransferKind::register_capacity: return "register_capacity";
    case TransferKind::fill_payment: return "fill_payment";
    case TransferKind::fill_fee: return "fill_fee";
    case TransferKind::fill_refund: return "fill_refund";
    case TransferKind::fill_capacity: return "fill_capacity";
    case TransferKind::delivery_payment: return "delivery_payment";
    case TransferKind::delivery_fee: return "delivery_fee";
    case TransferKind::delivery_consumed: return "delivery_consumed";
    case TransferKind::failure_refund: return "failure_refund";
    case TransferKind::failure_penalty: return "failure_penalty";
    case TransferKind::failure_capacity: return "failure_capacity";
  }
  return "unknown";
}

const char* to_string(TradeState state) {
  switch (state) {
    case TradeState::open: return "open";
    case TradeState::delivered: return "delivered";
    case TradeState::failed: return "failed";
  }
  return "unknown";
}

}  // namespace ghx::ledger
