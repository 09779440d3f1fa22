// The HTML clearing report: one self-contained page (inline CSS, inline SVG, no scripts, no
// external assets) so that it can be mailed or archived and still read the same years later.
#include <algorithm>
#include <cstdio>

#include "tools/ghx/report_writers.h"

namespace ghx::cli {
namespace {

using namespace ghx::ledger;

std::string esc(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fmt(double v) {
  char out[32];
  std::snprintf(out, sizeof out, "%.1f", v);
  return out;
}

constexpr const char* style = R"(<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2733;}
h1{font-size:1.4rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem}
.sub{color:#5b6b7c;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #d8dee6;padding:.3rem .7rem;text-align:right}
th{background:#f1f4f8}td.l,th.l{text-align:left}
.buy{color:#1f5fbf}.sell{color:#c2571a}.empty{color:#5b6b7c;font-style:italic}
</style>
)";

// Bars: lots per trade (blue buys, orange sells); line: price per GPU-hour; x: the period.
std::string chart(const Report& r) {
  if (r.trades.empty()) return "<p class=\"empty\">No trades in this period.</p>\n";
  const double w = 720, h = 240, left = 60, right = 60, top = 20, bottom = 30;
  const double span = std::max<double>(1, static_cast<double>(r.to.ns - r.from.ns));
  int64_t lots_max = 1, price_min = r.trades[0].price.value, price_max = price_min;
  for (const TradeLine& t : r.trades) {
    lots_max = std::max(lots_max, t.lots.value);
    price_min = std::min(price_min, t.price.value);
    price_max = std::max(price_max, t.price.value);
  }
  const double price_span = std::max<double>(1, static_cast<double>(price_max - price_min));
  auto x = [&](Timestamp t) { return left + (w - left - right) * (t.ns - r.from.ns) / span; };
  auto y_price = [&](int64_t p) {
    return top + (h - top - bottom) * (1 - (p - price_min) / price_span);
  };
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"240\" "
                    "viewBox=\"0 0 720 240\" role=\"img\" aria-label=\"traded volume and prices\">\n";
  svg += "<rect x=\"" + fmt(left) + "\" y=\"" + fmt(top) + "\" width=\"" + fmt(w - left - right) +
         "\" height=\"" + fmt(h - top - bottom) + "\" fill=\"#f8fafc\" stroke=\"#d8dee6\"/>\n";
  std::string line;
  for (const TradeLine& t : r.trades) {
    const double bar = (h - top - bottom) * t.lots.value / lots_max;
    svg += "<rect x=\"" + fmt(x(t.time) - 2) + "\" y=\"" + fmt(h - bottom - bar) +
           "\" width=\"4\" height=\"" + fmt(bar) + "\" fill=\"" +
           (t.buy ? "#1f5fbf" : "#c2571a") + "\" opacity=\"0.6\"><title>" +
           esc(iso_time(t.time) + " " + (t.buy ? "buy " : "sell ") +
               std::to_string(t.lots.value) + " lots " + t.symbol) +
           "</title></rect>\n";
    line += (line.empty() ? "" : " ") + fmt(x(t.time)) + "," + fmt(y_price(t.price.value));
  }
  svg += "<polyline points=\"" + line + "\" fill=\"none\" stroke=\"#1d2733\" stroke-width=\"1.5\"/>\n";
  svg += "<text x=\"" + fmt(w - right + 4) + "\" y=\"" + fmt(top + 10) + "\" font-size=\"11\">" +
         money(price_max) + "</text>\n";
  svg += "<text x=\"" + fmt(w - right + 4) + "\" y=\"" + fmt(h - bottom) + "\" font-size=\"11\">" +
         money(price_min) + "</text>\n";
  svg += "<text x=\"4\" y=\"" + fmt(top + 10) + "\" font-size=\"11\">" +
         std::to_string(lots_max) + " lots</text>\n";
  svg += "<text x=\"" + fmt(left) + "\" y=\"" + fmt(h - 8) + "\" font-size=\"11\">" +
         esc(iso_time(r.from)) + "</text>\n";
  svg += "<text x=\"" + fmt(w - right) + "\" y=\"" + fmt(h - 8) +
         "\" font-size=\"11\" text-anchor=\"end\">" + esc(iso_time(r.to)) + "</text>\n";
  return svg + "</svg>\n";
}

std::string totals_row(const std::string& name, Lots lots, Cash notional,
                       const std::string& penalties) {
  return "<tr><td class=\"l\">" + name + "</td><td>" + std::to_string(lots.value) + "</td><td>" +
         money(notional.value) + "</td><td>" + penalties + "</td></tr>\n";
}

// Executed in the period (gross: lots that fail later stay counted), then the period's
// deliveries and failures.
std::string side_rows(const std::string& side, const SideTotals& t, const std::string& failed,
                      const std::string& penalties) {
  return totals_row(side + ", executed", t.executed_lots, t.executed_notional, "") +
         totals_row(side + ", delivered", t.delivered_lots, t.delivered_notional, "") +
         totals_row(side + ", " + failed, t.failed_lots, t.failed_notional,
                    money(t.penalties.value) + " " + penalties);
}

std::string balances_table(const Report& r) {
  std::string out = "<table><tr><th class=\"l\">balance</th><th>available</th><th>held</th>"
                    "<th>escrow</th></tr>\n";
  for (const auto& [name, b] : {std::pair{"opening", r.opening}, std::pair{"closing", r.closing}}) {
    out += std::string("<tr><td class=\"l\">") + name + "</td><td>" + money(b.available.value) +
           "</td><td>" + money(b.held.value) + "</td><td>" + money(b.escrow.value) + "</td></tr>\n";
  }
  out +=
      "</table>\n<table><tr><th class=\"l\">totals</th><th>lots</th><th>notional</th>"
      "<th>penalties</th></tr>\n";
  out += side_rows("bought", r.bought, "failed, refunded", "received");
  out += side_rows("sold", r.sold, "failed, proceeds lost", "paid");
  out += "<tr><td class=\"l\">sold, proceeds received</td><td></td><td>" +
         money(r.sold_proceeds_received().value) + "</td><td></td></tr>\n";
  out += "<tr><td class=\"l\">fees charged</td><td></td><td>" + money(r.fees_charged().value) +
         "</td><td></td></tr>\n";
  return out + "</table>\n";
}

std::string trades_table(const Report& r) {
  if (r.trades.empty()) return "<p class=\"empty\">None.</p>\n";
  std::string out =
      "<table><tr><th class=\"l\">time</th><th class=\"l\">product</th><th>side</th>"
      "<th>lots</th><th>price</th><th>notional</th><th>fee at fill</th><th>trade</th>"
      "<th class=\"l\">state at period end</th><th>failed lots at period end</th></tr>\n";
  for (const TradeLine& t : r.trades) {
    out += "<tr><td class=\"l\">" + esc(iso_time(t.time)) + "</td><td class=\"l\">" +
           esc(t.symbol) + "</td><td class=\"" + (t.buy ? "buy\">buy" : "sell\">sell") +
           "</td><td>" + std::to_string(t.lots.value) + "</td><td>" + money(t.price.value) +
           "</td><td>" + money(t.notional.value) + "</td><td>" + money(t.fee_at_fill.value) +
           "</td><td>" + std::to_string(t.trade.value) + "</td><td class=\"l\">" +
           to_string(t.state_at_period_end) + "</td><td>" +
           std::to_string(t.failed_lots_at_period_end.value) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string deliveries_table(const Report& r) {
  if (r.deliveries.empty()) return "<p class=\"empty\">None.</p>\n";
  std::string out =
      "<table><tr><th class=\"l\">time</th><th class=\"l\">product</th>"
      "<th>side</th><th>trade</th><th class=\"l\">outcome</th><th>lots</th>"
      "<th>notional</th><th>fee</th><th>penalty</th></tr>\n";
  for (const DeliveryLine& d : r.deliveries) {
    out += "<tr><td class=\"l\">" + esc(iso_time(d.time)) + "</td><td class=\"l\">" +
           esc(d.symbol) + "</td><td class=\"" + (d.buy ? "buy\">buy" : "sell\">sell") +
           "</td><td>" + std::to_string(d.trade.value) + "</td><td class=\"l\">" +
           to_string(d.outcome) + "</td><td>" + std::to_string(d.lots.value) + "</td><td>" +
           money(d.notional.value) + "</td><td>" + money(d.fee.value) + "</td><td>" +
           money(d.penalty.value) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string movements_table(const Report& r) {
  if (r.movements.empty()) return "<p class=\"empty\">None.</p>\n";
  std::string out = "<table><tr><th class=\"l\">time</th><th class=\"l\">kind</th>"
                    "<th class=\"l\">from</th><th class=\"l\">to</th><th>amount</th>"
                    "<th>trade</th></tr>\n";
  for (const MovementLine& m : r.movements) {
    out += "<tr><td class=\"l\">" + esc(iso_time(m.time)) + "</td><td class=\"l\">" +
           to_string(m.kind) + "</td><td class=\"l\">" + esc(m.from) + "</td><td class=\"l\">" +
           esc(m.to) + "</td><td>" + money(m.amount.value) + "</td><td>" +
           (m.trade.value ? std::to_string(m.trade.value) : "") + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string obligations_table(const Report& r) {
  if (r.obligations_at_period_end.empty()) return "<p class=\"empty\">None.</p>\n";
  std::string out = "<table><tr><th class=\"l\">product</th><th class=\"l\">window</th>"
                    "<th>GPU-hours to deliver</th><th>GPU-hours to receive</th>"
                    "<th>escrow paid</th><th>proceeds pending</th></tr>\n";
  for (const ObligationLine& o : r.obligations_at_period_end) {
    out += "<tr><td class=\"l\">" + esc(o.symbol) + "</td><td class=\"l\">" +
           esc(iso_time(o.delivery_start)) + " to " + esc(iso_time(o.delivery_end)) +
           "</td><td>" + std::to_string(o.gpu_hours_to_deliver) + "</td><td>" +
           std::to_string(o.gpu_hours_to_receive) + "</td><td>" + money(o.escrow_paid.value) +
           "</td><td>" + money(o.proceeds_pending.value) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

std::string render_html(const Report& r) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>ghx clearing report: " + esc(r.participant.name) + "</title>\n";
  out += style;
  out += "</head>\n<body>\n<h1>Clearing report: " + esc(r.participant.name) + " (participant " +
         std::to_string(r.participant.id.value) + ")</h1>\n";
  out += "<p class=\"sub\">Period " + esc(iso_time(r.from)) + " to " + esc(iso_time(r.to)) +
         " (end excluded), as the ledger stood at its end (through sequence " +
         std::to_string(r.through_sequence.value) +
         "). Amounts in exchange currency; prices per GPU-hour.</p>\n";
  out += "<h2>Balances</h2>\n" + balances_table(r);
  out += "<h2>Traded volume and prices</h2>\n" + chart(r);
  out += "<h2>Trades executed</h2>\n" + trades_table(r);
  out += "<h2>Deliveries and failures</h2>\n" + deliveries_table(r);
  out += "<h2>Cash movements</h2>\n" + movements_table(r);
  out += "<h2>Delivery obligations open at the period's end</h2>\n" + obligations_table(r);
  return out + "</body>\n</html>\n";
}

}  // namespace ghx::cli
