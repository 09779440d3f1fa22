#include "tools/sim/summary.h"

#include <cinttypes>
#include <ctime>
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
  std::fprintf(out, "\n%-12s %-6s %7s %8s %8s %12s %11s %10s %16s\n", "participant", "role",
               "orders", "rejects", "in call", "lots ordered", "lots filled", "fill rate",
               "notional CNY");
  uint64_t refused_in_call = 0;
  ParticipantTotals blocks;
  for (const ParticipantTotals& p : participants) {
    std::fprintf(out,
                 "%-12s %-6s %7" PRIu64 " %8" PRIu64 " %8" PRIu64 " %12" PRId64 " %11" PRId64
                 " %9.1f%% %16s\n",
                 p.name.c_str(), p.buyer ? "buyer" : "seller", p.orders, p.rejects,
                 p.refused_in_call, p.lots_ordered, p.lots_filled,
                 percent(p.lots_filled, p.lots_ordered), format_money(p.notional).c_str());
    refused_in_call += p.refused_in_call;
    blocks.blocks += p.blocks;
    blocks.blocks_filled += p.blocks_filled;
    blocks.blocks_refused += p.blocks_refused;
  }
  if (refused_in_call > 0) {
    std::fprintf(out,
                 "(in call: IOC and minimum-quantity orders that a call phase refuses, as its "
                 "rules say; not rejects)\n");
  }
  if (blocks.blocks > 0) {
    std::fprintf(out,
                 "block orders (the same GPUs over two consecutive windows, all or nothing): "
                 "%" PRIu64 " sent, %" PRIu64 " filled in both windows, %" PRIu64
                 " refused whole\n(a window could not fill in full at the block's price, or was "
                 "in its call phase; not rejects)\n",
                 blocks.blocks, blocks.blocks_filled, blocks.blocks_refused);
  }
}

// "08:15:37 UTC" from ns since the epoch.
std::string utc_time_text(int64_t time_ns) {
  const auto time_s = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm utc{};
  gmtime_r(&time_s, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &utc);
  return std::string(text) + " UTC";
}

// What became of an auction: the words after "opening auction of SYMBOL: ".
std::string auction_outcome_text(const SimProduct& product, const OpeningAuction& auction,
                                 const std::string& error) {
  switch (auction.outcome) {
    case OpeningAuction::Outcome::uncrossed: {
      if (auction.lots == 0) return "uncrossed with nothing to trade (its book did not cross)";
      const int64_t gpu_hours = auction.lots * product.row.lot_size_gpus * product.hours;
      return "uncrossed at " + format_money(auction.price) + " CNY/GPU-h, " +
             std::to_string(auction.lots) + " lots = " + std::to_string(gpu_hours) + " GPU-h";
    }
    case OpeningAuction::Outcome::ended:
      return std::string("ended without an uncross (") + wire::EnumNameProductState(auction.state) +
             ")";
    case OpeningAuction::Outcome::calling:
      break;
  }
  if (!error.empty()) return "no word of its uncross (" + error + ")";
  return "still in its call phase; ghxd uncrosses it at " + utc_time_text(auction.uncross_time_ns);
}

void print_auctions(std::FILE* out, const std::vector<SimProduct>& products,
                    const std::vector<OpeningAuction>& auctions, const std::string& error) {
  if (!auctions.empty()) std::fprintf(out, "\n");
  for (const OpeningAuction& auction : auctions) {
    const SimProduct& product = products[auction.product];
    std::fprintf(out, "opening auction of %s: %s\n", product.row.symbol.c_str(),
                 auction_outcome_text(product, auction, error).c_str());
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
               "%s[%4.0f/%.0f s] orders %6" PRIu64 "  rejects %4" PRIu64 " (+%" PRIu64
               " in call phase)  trades %5" PRIu64 "  volume %6" PRIu64 " lots = %7" PRIu64
               " GPU-h  notional %s CNY%s",
               tty ? "\r" : "", elapsed_s, total_s, live.orders_sent.load(), live.rejects.load(),
               live.refused_in_call.load(), live.fills.load(), live.lots_traded.load(),
               live.gpu_hours_traded.load(),
               format_money(static_cast<int64_t>(live.notional_traded.load())).c_str(),
               tty ? "   " : "\n");
  std::fflush(out);
}

void print_auctions_opened(std::FILE* out, const std::vector<SimProduct>& products,
                           const std::vector<OpeningAuction>& auctions, double call_phase_s) {
  if (auctions.empty()) return;
  std::fprintf(out,
               "ghx-sim: opening auction until %s (%.1f s): orders rest without trading (IOC, "
               "minimum-quantity and\n         block orders are refused), then the uncross "
               "trades the crossed book at one price:\n",
               utc_time_text(auctions.front().uncross_time_ns).c_str(), call_phase_s);
  for (const OpeningAuction& auction : auctions) {
    std::fprintf(out, "  %s\n", products[auction.product].row.symbol.c_str());
  }
  std::fflush(out);
}

void print_auction_news(std::FILE* out, bool tty, const std::vector<SimProduct>& products,
                        const OpeningAuction& auction) {
  const SimProduct& product = products[auction.product];
  // On a terminal the progress line is rewritten in place: end it first.
  std::fprintf(out, "%sghx-sim: opening auction of %s: %s\n", tty ? "\n" : "",
               product.row.symbol.c_str(), auction_outcome_text(product, auction, "").c_str());
  std::fflush(out);
}

void print_summary(std::FILE* out, double elapsed_s, const std::vector<SimProduct>& products,
                   const std::vector<ProductTotals>& totals,
                   const std::vector<ParticipantTotals>& participants,
                   const std::vector<OpeningAuction>& auctions, const std::string& auction_error) {
  std::fprintf(out, "\nghx-sim: market summary after %.1f s (%zu products, %zu participants)\n",
               elapsed_s, products.size(), participants.size());
  print_products(out, products, totals);
  print_auctions(out, products, auctions, auction_error);
  print_participants(out, participants);
  std::fflush(out);
}

}  // namespace ghx::sim
