#pragma once
// Amounts of a trade that is partly failed: what its open lots owe and what they are worth.
//
// The engine (matching/) computes the same amounts independently and ghxd compares engine and
// ledger cash at start-up, so these formulas are a contract: change them in both or in neither.

#include <cstdint>

#include "ledger/ledger_assert.h"
#include "ledger/types.h"

namespace ghx::ledger {

// Lots still to deliver (or to fail): those the seller has not failed yet.
inline Lots open_lots(const TradeRecord& trade) {
  return Lots{trade.fill.lots.value - trade.failed_lots.value};
}

// The notional of `lots` lots of the fill. Exact: settlement verified that the notional is
// price x lots x lot_size_gpus x hours, a multiple of the fill's lots.
inline Cash notional_of(const Fill& fill, Lots lots) {
  GHX_LEDGER_ASSERT(fill.lots.value > 0 && lots.value >= 0 && lots <= fill.lots);
  return Cash{fill.notional.value / fill.lots.value * lots.value};
}

// The seller's fee still due once `failed` lots have failed, floor(fee x open / lots): the fee
// is charged at delivery on the lots delivered, and flooring favours the seller by under one
// minor unit. In 128 bits because fee x lots may exceed int64.
inline Cash seller_fee_left(const Fill& fill, Lots failed) {
  GHX_LEDGER_ASSERT(fill.lots.value > 0 && failed.value >= 0 && failed <= fill.lots);
  __extension__ using Int128 = __int128;  // GCC and Clang
  const Int128 left = static_cast<Int128>(fill.seller_fee.value) *
                      (fill.lots.value - failed.value) / fill.lots.value;
  return Cash{static_cast<int64_t>(left)};
}

}  // namespace ghx::ledger
