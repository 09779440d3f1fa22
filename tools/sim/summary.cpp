#include "tools/sim/summary.h"

#include <cinttypes>
#include <string>

namespace ghx::sim {
namespace {

constexpr int64_t minor_units_per_major = 100;

double percent(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::string vwap_text(const ProductTotals& totals) {
  if (totals.lots == 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f",
                static_cast<double>(totals.price_lots) / static_cast<double>(totals.lots) /
                    static_cast<double>(minor_units_per_major));
  return text;
}

void print_products(std::FILE* out, const std::vector<SimProduct>& products,
                    const std::vector<ProductTotals>& totals) {
  std::fprintf(out, "\n%-38s %7s %7s %10s %10s %15s\n", "product", "trades", "lots", "GPU-hours",
               "VWAP CNY", "low..high CNY");
  ProductTotals all;
  for (size_t i = 0; i < products.size(); ++i) {
    const ProductTotals& t = totals[i];
    const std::string range =
        t.trades == 0 ? "-" : format_money(t.low) + ".." + format_money(t.high);
    std::fprintf(out, "%-38s %7" PRIu64 " %7" PRId64 " %10" PRId64 " %10s %15s\n",
                 products[i].row.symbol.c_str(), t.trades, t.lots, t.gpu_hours,
                 vwap_text(t).c_str(), range.c_str());
    all.trades += t.trades;
    all.lots += t.lots;
    all.gpu_hours += t.gpu_hours;
  }
  std::fprintf(out, "%-38s %7" PRIu64 " %7" PRId64 " %10" PRId64 "\n", "total", all.trades,
               all.lots, all.gpu_hours);
}

void print_participants(std::FILE* out, const std::vector<ParticipantTotals>& participants) {
  std::fprintf(out, "\n%-12s %-6s %7s %8s %12s %11s %10s %16s\n", "participant", "role", "orders",
               "rejects", "lots ordered", "lots filled", "fill rate", "notional CNY");
  for (const ParticipantTotals& p : participants) {
    std::fprintf(out, "%-12s %-6s %7" PRIu64 " %8" PRIu64 " %12" PRId64 " %11" PRId64
                      " %9.1f%% %16s\n",
                 p.name.c_str(), p.buyer ? "buyer" : "seller", p.orders, p.rejects,
                 p.lots_ordered, p.lots_filled, percent(p.lots_filled, p.lots_ordered),
                 format_money(p.notional).c_str());
  }
}

}  // namespace

std::string format_money(int64_t minor_units) {
  const char* sign = minor_units < 0 ? "-" : "";
  const int64_t magnitude = minor_units < 0 ? -minor_units : minor_units;
  char text[40];
  std::snprintf(text, sizeof text, "%s%" PRId64 ".%02" PRId64, sign,
                magnitude / minor_units_per_major, magnitude % minor_units_per_major);
  return text;
}

void print_progress(std::FILE* out, bool tty, double elapsed_s, double total_s,
                    const LiveCounters& live) {
  std::fprintf(out,
               "%s[%4.0f/%.0f s] orders %6" PRIu64 "  rejects %4" PRIu64 "  trades %5" PRIu64
               "  volume %6" PRIu64 " lots = %7" PRIu64 " GPU-h  notional %s CNY%s",
               tty ? "\r" : "", elapsed_s, total_s, live.orders_sent.load(), live.rejects.load(),
               live.fills.load(), live.lots_traded.load(), live.gpu_hours_traded.load(),
               format_money(static_cast<int64_t>(live.notional_traded.load())).c_str(),
               tty ? "   " : "\n");
  std::fflush(out);
}

void print_summary(std::FILE* out, double elapsed_s, const std::vector<SimProduct>& products,
                   const std::vector<ProductTotals>& totals,
                   const std::vector<ParticipantTotals>& participants) {
  std::fprintf(out, "\nghx-sim: market summary after %.1f s (%zu products, %zu participants)\n",
               elapsed_s, products.size(), participants.size());
  print_products(out, products, totals);
  print_participants(out, participants);
  std::fflush(out);
}

}  // namespace ghx::sim
