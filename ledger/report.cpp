#include "ledger/report.h"

#include <charconv>
#include <map>

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

Result collect_trades(const Snapshot& s, Report& r) {
  const ParticipantId p = r.participant.id;
  std::map<uint32_t, std::string> symbols;
  return s.for_each_trade([&](const TradeRecord& t) {
    const Fill& f = t.fill;
    if ((f.buyer != p && f.seller != p) || f.timestamp_ns < r.from || !(f.timestamp_ns < r.to)) {
      return true;
    }
    auto symbol = symbols.find(f.product.value);
    if (symbol == symbols.end()) {
      const auto product = s.product(f.product);
      symbol = symbols.emplace(f.product.value, product ? product->symbol : "?").first;
    }
    const bool buy = f.buyer == p;  // a self-trade is listed as a buy; the engine prevents them
    // A buyer pays its fee at the fill; a seller pays at delivery, on the lots it did not fail.
    const Cash fee = buy ? f.buyer_fee : seller_fee_left(f, t.failed_lots);
    r.trades.push_back({f.timestamp_ns, f.trade_id, f.product, symbol->second, buy, f.lots, f.price,
                        f.notional, fee, t.state, t.failed_lots});
    Lots& lots = buy ? r.bought_lots : r.sold_lots;
    Cash& notional = buy ? r.bought_notional : r.sold_notional;
    lots.value += f.lots.value;
    notional.value += f.notional.value;
    r.fees.value += fee.value;
    return true;
  });
}

Result collect_movements(const Snapshot& s, Report& r) {
  const ParticipantId p = r.participant.id;
  return s.for_each_transfer([&](const Transfer& t) {
    const bool debit = owned(t.debit, p);
    const bool credit = owned(t.credit, p);
    if (!debit && !credit) return true;
    for (const auto& [own, account, sign] :
         {std::tuple{debit, t.debit, -1}, std::tuple{credit, t.credit, 1}}) {
      if (!own) continue;
      if (t.timestamp < r.from) add_to(r.opening, account.kind, sign * t.amount);
      if (t.timestamp < r.to) add_to(r.closing, account.kind, sign * t.amount);
    }
    if (t.timestamp < r.from || !(t.timestamp < r.to)) return true;
    r.movements.push_back({t.timestamp, t.id, t.kind, label(t.debit, p), label(t.credit, p),
                           Cash{t.amount}, t.trade_id});
    return true;
  });
}

Result collect_obligations(const Snapshot& s, Report& r) {
  const ParticipantId p = r.participant.id;
  std::map<uint32_t, ObligationLine> by_product;
  bool bad = false;
  const Result scanned = s.for_each_open_trade([&](ProductId product_id, TradeId id) {
    const auto trade = s.trade(id);
    const auto product = s.product(product_id);
    if (!trade || !product) return !(bad = true);
    const Fill& f = trade->fill;
    if (f.buyer != p && f.seller != p) return true;
    ObligationLine& line = by_product[product_id.value];
    line.product = product_id;
    line.symbol = product->symbol;
    line.delivery_start = product->delivery_start;
    line.delivery_end = product->delivery_end;
    // Only the lots not failed are still owed; their notional is what escrow still holds.
    const Lots open = open_lots(*trade);
    const int64_t gpu_hours = open.value * product->lot_size_gpus * product->hours;
    const Cash open_notional = notional_of(f, open);
    if (f.buyer == p) {
      line.gpu_hours_to_receive += gpu_hours;
      line.escrow_paid.value += open_notional.value;
    }
    if (f.seller == p) {
      line.gpu_hours_to_deliver += gpu_hours;
      line.proceeds_pending.value +=
          open_notional.value - seller_fee_left(f, trade->failed_lots).value;
    }
    return true;
  });
  for (auto& [id, line] : by_product) r.obligations.push_back(std::move(line));
  return bad ? Result::storage_error : scanned;
}

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
  out.as_of_sequence = snapshot.last_applied_sequence();
  for (Result r : {collect_trades(snapshot, out), collect_movements(snapshot, out),
                   collect_obligations(snapshot, out)}) {
    if (r != Result::ok) return r;
  }
  return Result::ok;
}

}  // namespace ghx::ledger
