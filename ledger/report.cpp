#include "ledger/report.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <tuple>

#include "ledger/trade_amounts.h"

namespace ghx::ledger {
namespace {

std::string label(const AccountKey& account, ParticipantId self) {
  if (account.kind == AccountKind::fee) return "exchange fees";
  if (account.kind == AccountKind::external) return "external";
  if (account.owner == self) return to_string(account.kind);
  return std::string("counterparty ") + to_string(account.kind);
}

bool owned(const AccountKey& account, ParticipantId p) {
  return account.is_participant() && account.owner == p && account.asset == Asset::cash();
}

void add_to(CashBalances& b, AccountKind kind, int64_t amount) {
  if (kind == AccountKind::available) b.available.value += amount;
  if (kind == AccountKind::held) b.held.value += amount;
  if (kind == AccountKind::escrow) b.escrow.value += amount;
}

constexpr size_t no_line = SIZE_MAX;

// One of the participant's trades executed before the period's end, followed through the
// transfers until it is delivered or has failed whole.
struct Position {
  ProductId product;
  bool buy = false;
  Lots lots;
  Lots failed;
  size_t line = no_line;  // its TradeLine when it executed in the period
};

// Reads the transfers before the period's end, once, in any order of time: each is judged by
// its own timestamp. A trade is followed from its fill_capacity transfer (its lots, buyer and
// seller) through its delivery_consumed or failure_capacity ones (the lots delivered or failed),
// so its state at the period's end needs nothing written later.
class ReportBuilder {
 public:
  ReportBuilder(const Snapshot& snapshot, Report& report) : s_(snapshot), r_(report) {}

  // False when a trade the transfers name is not stored (the ledger is damaged).
  bool add(const Transfer& t) {
    if (!(t.timestamp < r_.to)) return true;  // after the period: no part of its report
    r_.through_sequence = std::max(r_.through_sequence, t.sequence);
    add_cash(t);
    switch (t.kind) {
      case TransferKind::fill_capacity:
        return add_fill(t);
      case TransferKind::failure_refund:
      case TransferKind::delivery_payment:
        outcome_cash(t).notional.value += t.amount;
        break;
      case TransferKind::delivery_fee:  // the seller's fee, out of the buyer's escrow
        outcome_cash(t).notional.value += t.amount;
        outcome_cash(t).fee.value += t.amount;
        break;
      case TransferKind::failure_penalty:
        outcome_cash(t).penalty.value += t.amount;
        break;
      case TransferKind::delivery_consumed:
      case TransferKind::failure_capacity:
        close_lots(t);
        break;
      default:
        break;
    }
    return true;
  }

  // The trades still open at the period's end become its obligations. False as add().
  bool finish() {
    std::map<uint32_t, ObligationLine> by_product;
    for (const auto& [id, position] : open_) {
      if (!add_obligation(TradeId{id}, position, by_product)) return false;
    }
    for (auto& [id, line] : by_product) r_.obligations_at_period_end.push_back(std::move(line));
    std::sort(r_.trades.begin(), r_.trades.end(),
              [](const TradeLine& a, const TradeLine& b) { return a.trade < b.trade; });
    return true;
  }

 private:
  void add_cash(const Transfer& t) {
    const ParticipantId p = r_.participant.id;
    const bool debit = owned(t.debit, p);
    const bool credit = owned(t.credit, p);
    if (!debit && !credit) return;
    for (const auto& [own, account, sign] :
         {std::tuple{debit, t.debit, -1}, std::tuple{credit, t.credit, 1}}) {
      if (!own) continue;
      if (t.timestamp < r_.from) add_to(r_.opening, account.kind, sign * t.amount);
      add_to(r_.closing, account.kind, sign * t.amount);
    }
    if (t.timestamp < r_.from) return;
    r_.movements.push_back({t.timestamp, t.id, t.kind, label(t.debit, p), label(t.credit, p),
                            Cash{t.amount}, t.trade_id});
  }

  // fill_capacity: the seller's held capacity to the buyer's received, the fill's lots.
  bool add_fill(const Transfer& t) {
    const ParticipantId p = r_.participant.id;
    const bool buy = t.credit.owner == p;  // a self-trade is listed as a buy; the engine prevents
    if (!buy && t.debit.owner != p) return true;
    Position position{t.credit.asset.product, buy, Lots{t.amount}};
    if (!(t.timestamp < r_.from)) {
      const auto trade = s_.trade(t.trade_id);
      if (!trade) return false;
      const Fill& f = trade->fill;
      position.line = r_.trades.size();
      // A buyer pays its fee at the fill (fill_fee); a seller at delivery.
      const Cash fee = buy ? f.buyer_fee : Cash{};
      r_.trades.push_back({f.timestamp_ns, f.trade_id, f.product, symbol(f.product), buy, f.lots,
                           f.price, f.notional, fee});
      SideTotals& side = buy ? r_.bought : r_.sold;
      side.executed_lots.value += f.lots.value;
      side.executed_notional.value += f.notional.value;
      side.fees_charged.value += fee.value;
    }
    open_[t.trade_id.value] = position;
    return true;
  }

  // The cash transfers of one delivery or failure come just before its capacity transfer (see
  // BatchWriter::deliver and fail_lots), with the same trade id.
  DeliveryLine& outcome_cash(const Transfer& t) {
    if (outcome_.trade != t.trade_id) outcome_ = DeliveryLine{.trade = t.trade_id};
    return outcome_;
  }

  // delivery_consumed (the open lots, delivered) or failure_capacity (some lots, failed).
  void close_lots(const Transfer& t) {
    const DeliveryLine cash = outcome_.trade == t.trade_id ? outcome_ : DeliveryLine{};
    outcome_ = DeliveryLine{};
    const auto it = open_.find(t.trade_id.value);
    if (it == open_.end()) return;  // another participant's trade
    Position& position = it->second;
    const bool failed = t.kind == TransferKind::failure_capacity;
    if (!(t.timestamp < r_.from)) add_delivery(t, position, failed, cash);
    if (failed) position.failed.value += t.amount;
    const bool closed = !failed || position.failed == position.lots;
    if (position.line != no_line) {
      TradeLine& line = r_.trades[position.line];
      line.failed_lots_at_period_end = position.failed;
      if (closed) line.state_at_period_end = failed ? TradeState::failed : TradeState::delivered;
    }
    if (closed) open_.erase(it);
  }

  void add_delivery(const Transfer& t, const Position& position, bool failed,
                    const DeliveryLine& cash) {
    // The delivery fee leaves the buyer's escrow but is the seller's.
    const Cash fee = position.buy ? Cash{} : cash.fee;
    r_.deliveries.push_back({t.timestamp, t.trade_id, position.product, symbol(position.product),
                             position.buy, failed ? TradeState::failed : TradeState::delivered,
                             Lots{t.amount}, cash.notional, fee, cash.penalty});
    SideTotals& side = position.buy ? r_.bought : r_.sold;
    Lots& lots = failed ? side.failed_lots : side.delivered_lots;
    Cash& notional = failed ? side.failed_notional : side.delivered_notional;
    lots.value += t.amount;
    notional.value += cash.notional.value;
    side.penalties.value += cash.penalty.value;
    side.fees_charged.value += fee.value;
  }

  bool add_obligation(TradeId id, const Position& position,
                      std::map<uint32_t, ObligationLine>& by_product) {
    const auto trade = s_.trade(id);
    const auto product = s_.product(position.product);
    if (!trade || !product) return false;
    const Fill& f = trade->fill;
    ObligationLine& line = by_product[product->id.value];
    line.product = product->id;
    line.symbol = product->symbol;
    line.delivery_start = product->delivery_start;
    line.delivery_end = product->delivery_end;
    // Only the lots not failed are still owed; their notional is what escrow still holds.
    const Lots open{f.lots.value - position.failed.value};
    const int64_t gpu_hours = open.value * product->lot_size_gpus * product->hours;
    const Cash open_notional = notional_of(f, open);
    if (position.buy) {
      line.gpu_hours_to_receive += gpu_hours;
      line.escrow_paid.value += open_notional.value;
    } else {
      line.gpu_hours_to_deliver += gpu_hours;
      line.proceeds_pending.value +=
          open_notional.value - seller_fee_left(f, position.failed).value;
    }
    return true;
  }

  const std::string& symbol(ProductId id) {
    auto found = symbols_.find(id.value);
    if (found == symbols_.end()) {
      const auto product = s_.product(id);
      found = symbols_.emplace(id.value, product ? product->symbol : "?").first;
    }
    return found->second;
  }

  const Snapshot& s_;
  Report& r_;
  std::map<uint64_t, Position> open_;  // the participant's trades open so far, by trade id
  std::map<uint32_t, std::string> symbols_;
  DeliveryLine outcome_;  // the cash of the delivery or failure being read
};

}  // namespace

std::optional<ParticipantRecord> find_participant(const Snapshot& snapshot,
                                                  std::string_view id_or_name) {
  uint32_t id = 0;
  const char* end = id_or_name.data() + id_or_name.size();
  const auto parsed = std::from_chars(id_or_name.data(), end, id);
  if (parsed.ec == std::errc() && parsed.ptr == end) {
    if (auto p = snapshot.participant(ParticipantId{id})) return p;
  }
  std::optional<ParticipantRecord> found;
  snapshot.for_each_participant([&](const ParticipantRecord& p) {
    if (p.name == id_or_name) found = p;
    return !found;
  });
  return found;
}

Result build_report(const Snapshot& snapshot, const ParticipantRecord& participant,
                    Timestamp from, Timestamp to, Report& out) {
  out = Report{};
  out.participant = participant;
  out.from = from;
  out.to = to;
  ReportBuilder builder(snapshot, out);
  bool damaged = false;
  const Result scanned = snapshot.for_each_transfer([&](const Transfer& t) {
    damaged = !builder.add(t);
    return !damaged;
  });
  if (scanned != Result::ok) return scanned;
  return damaged || !builder.finish() ? Result::storage_error : Result::ok;
}

}  // namespace ghx::ledger
