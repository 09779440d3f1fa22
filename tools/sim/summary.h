#pragma once
// Printing of the demo market: the live progress line and the closing summary.

#include <cstdio>
#include <vector>

#include "tools/sim/sim_stats.h"
#include "tools/sim/trader.h"

namespace ghx::sim {

// "12.34" from 1234 minor units.
std::string format_money(int64_t minor_units);

// One progress line; `tty` rewrites it in place, otherwise it ends with a newline.
void print_progress(std::FILE* out, bool tty, double elapsed_s, double total_s,
                    const LiveCounters& live);

void print_summary(std::FILE* out, double elapsed_s, const std::vector<SimProduct>& products,
                   const std::vector<ProductTotals>& totals,
                   const std::vector<ParticipantTotals>& participants);

}  // namespace ghx::sim
