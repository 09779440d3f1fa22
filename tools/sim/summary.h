#pragma once
// Printing of the demo market: the live progress line, the opening auctions' news and the
// closing summary.

#include <cstdio>
#include <string>
#include <vector>

#include "tools/sim/opening_auction.h"
#include "tools/sim/sim_stats.h"
#include "tools/sim/trader.h"

namespace ghx::sim {

// "12.34" from 1234 minor units.
std::string format_money(int64_t minor_units);

// One progress line; `tty` rewrites it in place, otherwise it ends with a newline.
void print_progress(std::FILE* out, bool tty, double elapsed_s, double total_s,
                    const LiveCounters& live);

// The call phases just opened, uncrossing `call_phase_s` from now.
void print_auctions_opened(std::FILE* out, const std::vector<SimProduct>& products,
                           const std::vector<OpeningAuction>& auctions, double call_phase_s);

// One auction's uncross (or its end without one), on a line of its own between progress lines.
void print_auction_news(std::FILE* out, bool tty, const std::vector<SimProduct>& products,
                        const OpeningAuction& auction);

// `auction_error`: why ops stopped listening to the auctions early (empty if it did not).
void print_summary(std::FILE* out, double elapsed_s, const std::vector<SimProduct>& products,
                   const std::vector<ProductTotals>& totals,
                   const std::vector<ParticipantTotals>& participants,
                   const std::vector<OpeningAuction>& auctions, const std::string& auction_error);

}  // namespace ghx::sim
