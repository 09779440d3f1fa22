#pragma once
// Clearing report queries: what a participant traded, paid, earned and owes in a period.
//
// Built from one Snapshot (a read-only transaction), so a report is consistent even while the
// exchange commits. A period's report depends only on what happened before the period's end:
// it is read from the transfers with an earlier timestamp (each transfer keeps its time and the
// trade it settles) and from what trades executed, never from a trade's state now. Regenerating
// a closed period gives the same report, and its closing balances are its opening balances plus
// its movements. Formatting (CSV, JSON, HTML) belongs to the tools, not here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/snapshot.h"

namespace ghx::ledger {

struct TradeLine {
  Timestamp time;
  TradeId trade;
  ProductId product;
  std::string symbol;
  bool buy = false;  // the participant's side
  Lots lots;
  Price price;
  Cash notional;
  // The participant's own fee charged at the fill: a buyer's (it stays paid if lots fail). Zero
  // for a seller, whose fee is charged at delivery (DeliveryLine::fee).
  Cash fee_at_fill;
  // As of the period's end: delivered, failed (every lot) or open, and the lots failed by then.
  TradeState state_at_period_end = TradeState::open;
  Lots failed_lots_at_period_end;
};

// A delivery outcome in the period of one of the participant's trades, executed in the period
// or before: the lots delivered when the window ended, or lots the seller failed to deliver.
struct DeliveryLine {
  Timestamp time;
  TradeId trade;
  ProductId product;
  std::string symbol;
  bool buy = false;                            // the participant's side
  TradeState outcome = TradeState::delivered;  // delivered or failed
  Lots lots;
  // The notional of these lots: delivered, paid out of the buyer's escrow (to the seller and,
  // its fee, to the exchange); failed, refunded from the buyer's escrow to the buyer.
  Cash notional;
  // The participant's own fee charged now: a seller's at delivery, on the lots it did not fail
  // (floor(fee x open lots / lots)). Zero for a buyer and for failed lots.
  Cash fee;
  Cash penalty;  // failed: paid by the seller to the buyer (capped at the seller's cash then)
};

// What the participant's trades on one side did in the period. Executed: the trades executed
// in it, gross (lots that fail later stay counted). Delivered and failed: the delivery outcomes
// in it, of trades executed in it or before.
struct SideTotals {
  Lots executed_lots;
  Cash executed_notional;
  Lots delivered_lots;
  Cash delivered_notional;
  Lots failed_lots;
  Cash failed_notional;  // bought: refunded to the participant; sold: proceeds it lost
  Cash penalties;        // bought: received; sold: paid
  Cash fees_charged;     // bought: at the fills; sold: at delivery
  bool operator==(const SideTotals&) const = default;
};

// One cash transfer touching one of the participant's accounts. Accounts of the participant are
// named by kind ("available"); others as "counterparty escrow", "exchange fees", "external".
struct MovementLine {
  Timestamp time;
  uint64_t transfer_id = 0;
  TransferKind kind = TransferKind::deposit;
  std::string from;
  std::string to;
  Cash amount;
  TradeId trade;
};

// Trades of one product window open (neither delivered nor failed) at the period's end: their
// lots still open then (a partly failed trade owes nothing for the lots that failed).
struct ObligationLine {
  ProductId product;
  std::string symbol;
  Timestamp delivery_start;
  Timestamp delivery_end;
  int64_t gpu_hours_to_deliver = 0;
  int64_t gpu_hours_to_receive = 0;
  Cash escrow_paid;        // as buyer: cash held in escrow until delivery
  Cash proceeds_pending;   // as seller: notional - seller fee left, paid on delivery
};

struct CashBalances {
  Cash available;
  Cash held;
  Cash escrow;
  bool operator==(const CashBalances&) const = default;
};

struct Report {
  ParticipantRecord participant;
  Timestamp from;  // inclusive
  Timestamp to;    // exclusive
  // The highest sequence number of the transfers before the period's end: the report shows the
  // ledger through that command (zero when nothing moved before it).
  SequenceNumber through_sequence;
  std::vector<TradeLine> trades;         // executed in the period, by trade id
  std::vector<DeliveryLine> deliveries;  // in the period, in the ledger's order
  std::vector<MovementLine> movements;
  std::vector<ObligationLine> obligations_at_period_end;
  CashBalances opening;
  CashBalances closing;
  SideTotals bought;  // the sums over its trades and deliveries lines
  SideTotals sold;
  // The participant's fees charged in the period, never one still to come (a seller's fee on
  // an open trade is charged at delivery, maybe in a later period, or never if it fails).
  Cash fees_charged() const { return Cash{bought.fees_charged.value + sold.fees_charged.value}; }
  // A seller's proceeds paid in the period: delivered notional less its fees.
  Cash sold_proceeds_received() const {
    return Cash{sold.delivered_notional.value - sold.fees_charged.value};
  }
};

// Finds a participant by decimal id or by exact name.
std::optional<ParticipantRecord> find_participant(const Snapshot& snapshot,
                                                  std::string_view id_or_name);

// Fills `out` for the period [from, to). storage_error if the snapshot cannot be read.
Result build_report(const Snapshot& snapshot, const ParticipantRecord& participant,
                    Timestamp from, Timestamp to, Report& out);

}  // namespace ghx::ledger
