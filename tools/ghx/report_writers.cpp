#include "tools/ghx/report_writers.h"

#include <ctime>
#include <cstdio>

namespace ghx::cli {

using namespace ghx::ledger;

std::string iso_time(Timestamp t) {
  const int64_t ns_per_second = 1'000'000'000;
  int64_t seconds = t.ns / ns_per_second;
  int64_t ns = t.ns % ns_per_second;
  if (ns < 0) { ns += ns_per_second; --seconds; }
  const std::time_t s = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ns / 1'000'000));
  return out;
}

std::string money(int64_t minor) {
  const bool negative = minor < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  char out[32];
  std::snprintf(out, sizeof out, "%s%llu.%02llu", negative ? "-" : "",
                static_cast<unsigned long long>(abs / 100),
                static_cast<unsigned long long>(abs % 100));
  return out;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

namespace {

// RFC 4180: quote fields holding separators, quotes or line breaks.
std::string csv(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string n(int64_t v) { return std::to_string(v); }

std::string balances_json(const CashBalances& b) {
  return "{\"available\":" + n(b.available.value) + ",\"held\":" + n(b.held.value) +
         ",\"escrow\":" + n(b.escrow.value) + "}";
}

// bought_lots and bought_notional are executed (gross); then delivered and failed in the
// period: "bought_lots_failed", "bought_notional_refunded", "penalties_received".
std::string side_totals_json(const std::string& side, const SideTotals& t,
                             const std::string& failed_notional, const std::string& penalties) {
  return "\"" + side + "_lots\": " + n(t.executed_lots.value) + ", \"" + side +
         "_notional\": " + n(t.executed_notional.value) + ", \"" + side +
         "_lots_delivered\": " + n(t.delivered_lots.value) + ", \"" + side +
         "_notional_delivered\": " + n(t.delivered_notional.value) + ", \"" + side +
         "_lots_failed\": " + n(t.failed_lots.value) + ", \"" + side + "_notional_" +
         failed_notional + "\": " + n(t.failed_notional.value) + ", \"penalties_" + penalties +
         "\": " + n(t.penalties.value);
}

}  // namespace

CsvFiles render_csv(const Report& r) {
  CsvFiles f;
  f.trades =
      "time,trade_id,product,symbol,side,lots,price,notional,fee_at_fill,state_at_period_end,"
      "failed_lots_at_period_end\n";
  for (const TradeLine& t : r.trades) {
    f.trades += iso_time(t.time) + "," + n(t.trade.value) + "," + n(t.product.value) + "," +
                csv(t.symbol) + "," + (t.buy ? "buy" : "sell") + "," + n(t.lots.value) + "," +
                n(t.price.value) + "," + n(t.notional.value) + "," + n(t.fee_at_fill.value) + "," +
                to_string(t.state_at_period_end) + "," + n(t.failed_lots_at_period_end.value) +
                "\n";
  }
  f.deliveries = "time,trade_id,product,symbol,side,outcome,lots,notional,fee,penalty\n";
  for (const DeliveryLine& d : r.deliveries) {
    f.deliveries += iso_time(d.time) + "," + n(d.trade.value) + "," + n(d.product.value) + "," +
                    csv(d.symbol) + "," + (d.buy ? "buy" : "sell") + "," + to_string(d.outcome) +
                    "," + n(d.lots.value) + "," + n(d.notional.value) + "," + n(d.fee.value) + "," +
                    n(d.penalty.value) + "\n";
  }
  f.movements = "time,transfer_id,kind,from,to,amount,trade_id\n";
  for (const MovementLine& m : r.movements) {
    f.movements += iso_time(m.time) + "," + std::to_string(m.transfer_id) + "," +
                   to_string(m.kind) + "," + csv(m.from) + "," + csv(m.to) + "," +
                   n(m.amount.value) + "," + (m.trade.value ? n(m.trade.value) : "") + "\n";
  }
  f.obligations = "product,symbol,delivery_start,delivery_end,gpu_hours_to_deliver,"
                  "gpu_hours_to_receive,escrow_paid,proceeds_pending\n";
  for (const ObligationLine& o : r.obligations_at_period_end) {
    f.obligations += n(o.product.value) + "," + csv(o.symbol) + "," + iso_time(o.delivery_start) +
                     "," + iso_time(o.delivery_end) + "," + n(o.gpu_hours_to_deliver) + "," +
                     n(o.gpu_hours_to_receive) + "," + n(o.escrow_paid.value) + "," +
                     n(o.proceeds_pending.value) + "\n";
  }
  f.balances = "balance,available,held,escrow\n";
  for (const auto& [name, b] : {std::pair{"opening", r.opening}, std::pair{"closing", r.closing}}) {
    f.balances += std::string(name) + "," + n(b.available.value) + "," + n(b.held.value) + "," +
                  n(b.escrow.value) + "\n";
  }
  return f;
}

std::string render_json(const Report& r) {
  std::string out = "{\n  \"participant\": {\"id\": " + n(r.participant.id.value) +
                    ", \"name\": " + json_string(r.participant.name) + "},\n";
  out += "  \"from\": " + json_string(iso_time(r.from)) +
         ",\n  \"to\": " + json_string(iso_time(r.to)) + ",\n";
  out += "  \"through_sequence\": " + std::to_string(r.through_sequence.value) + ",\n";
  out += "  \"currency_minor_units\": true,\n";
  out += "  \"opening\": " + balances_json(r.opening) + ",\n";
  out += "  \"closing\": " + balances_json(r.closing) + ",\n";
  out += "  \"totals\": {" + side_totals_json("bought", r.bought, "refunded", "received") + ", " +
         side_totals_json("sold", r.sold, "failed", "paid") +
         ", \"sold_proceeds_received\": " + n(r.sold_proceeds_received().value) +
         ", \"fees_charged\": " + n(r.fees_charged().value) + "},\n";
  out += "  \"trades\": [";
  for (size_t i = 0; i < r.trades.size(); ++i) {
    const TradeLine& t = r.trades[i];
    out += std::string(i ? "," : "") + "\n    {\"time\": " + json_string(iso_time(t.time)) +
           ", \"trade_id\": " + n(t.trade.value) + ", \"product\": " + n(t.product.value) +
           ", \"symbol\": " + json_string(t.symbol) +
           ", \"side\": " + (t.buy ? "\"buy\"" : "\"sell\"") + ", \"lots\": " + n(t.lots.value) +
           ", \"price\": " + n(t.price.value) + ", \"notional\": " + n(t.notional.value) +
           ", \"fee_at_fill\": " + n(t.fee_at_fill.value) +
           ", \"state_at_period_end\": " + json_string(to_string(t.state_at_period_end)) +
           ", \"failed_lots_at_period_end\": " + n(t.failed_lots_at_period_end.value) + "}";
  }
  out += r.trades.empty() ? "],\n" : "\n  ],\n";
  out += "  \"deliveries\": [";
  for (size_t i = 0; i < r.deliveries.size(); ++i) {
    const DeliveryLine& d = r.deliveries[i];
    out += std::string(i ? "," : "") + "\n    {\"time\": " + json_string(iso_time(d.time)) +
           ", \"trade_id\": " + n(d.trade.value) + ", \"product\": " + n(d.product.value) +
           ", \"symbol\": " + json_string(d.symbol) +
           ", \"side\": " + (d.buy ? "\"buy\"" : "\"sell\"") +
           ", \"outcome\": " + json_string(to_string(d.outcome)) +
           ", \"lots\": " + n(d.lots.value) + ", \"notional\": " + n(d.notional.value) +
           ", \"fee\": " + n(d.fee.value) + ", \"penalty\": " + n(d.penalty.value) + "}";
  }
  out += r.deliveries.empty() ? "],\n" : "\n  ],\n";
  out += "  \"movements\": [";
  for (size_t i = 0; i < r.movements.size(); ++i) {
    const MovementLine& m = r.movements[i];
    out += std::string(i ? "," : "") + "\n    {\"time\": " + json_string(iso_time(m.time)) +
           ", \"transfer_id\": " + std::to_string(m.transfer_id) +
           ", \"kind\": " + json_string(to_string(m.kind)) + ", \"from\": " + json_string(m.from) +
           ", \"to\": " + json_string(m.to) + ", \"amount\": " + n(m.amount.value) +
           ", \"trade_id\": " + (m.trade.value ? n(m.trade.value) : "null") + "}";
  }
  out += r.movements.empty() ? "],\n" : "\n  ],\n";
  out += "  \"obligations_at_period_end\": [";
  const std::vector<ObligationLine>& obligations = r.obligations_at_period_end;
  for (size_t i = 0; i < obligations.size(); ++i) {
    const ObligationLine& o = obligations[i];
    out += std::string(i ? "," : "") + "\n    {\"product\": " + n(o.product.value) +
           ", \"symbol\": " + json_string(o.symbol) +
           ", \"delivery_start\": " + json_string(iso_time(o.delivery_start)) +
           ", \"delivery_end\": " + json_string(iso_time(o.delivery_end)) +
           ", \"gpu_hours_to_deliver\": " + n(o.gpu_hours_to_deliver) +
           ", \"gpu_hours_to_receive\": " + n(o.gpu_hours_to_receive) +
           ", \"escrow_paid\": " + n(o.escrow_paid.value) +
           ", \"proceeds_pending\": " + n(o.proceeds_pending.value) + "}";
  }
  out += obligations.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace ghx::cli
