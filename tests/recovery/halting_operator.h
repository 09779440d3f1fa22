#pragma once
// The crash test's second operator, beside the traders and the one failing deliveries: now and
// then it halts a product the traders trade (sometimes canceling its resting orders) or
// suspends one of a few traders, and lifts that again a little later. Beside that, on a
// timeline of its own, it runs call auctions of the traded products: one product at a time in
// its call phase, uncrossed by the exchange at a scheduled time or by the operator. Kills then
// land, and snapshots are taken, while a product is halted or in its call phase or a
// participant suspended, and restarts must recover that state.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/recovery/trader.h"

namespace ghx::recovery {

// The traders the operator suspends now and then: a seller and a buyer (never the operator:
// the exchange refuses that). The other traders trade on whatever happens.
inline constexpr std::array<std::string_view, 2> suspendable_names = {"dc-guiyang", "lab-delta"};

struct ControlPlan {
  uint16_t port = 0;
  std::string data_dir;
  std::vector<std::string> symbols;  // the products the traders trade
  uint32_t seed = 1;
};

// Until its connection dies (ghxd was killed): first uncrosses whatever an earlier run left in
// its call phase and lifts whatever it left halted or suspended (its ack may have died with
// ghxd, or a scheduled uncross come first: refusals as not in auction, not halted or not
// suspended are expected then), after which it knows the state and every control must pass.
// Then alternates: trading undisturbed for a while, one product halted or one participant
// suspended for a while; and beside that, trading undisturbed by auctions for a while, one
// product in its call phase for a while. A halt of the product in its call phase cancels its
// orders or follows an uncross; some halts end in a reopening auction rather than a resume.
// Controls acknowledged ok go to result.acks.controls (first_sequence and last_sequence unset:
// the caller knows the run's range); one refused when it should pass goes to result.problems.
void run_halting_operator(const ControlPlan& plan, TraderResult& result);

}  // namespace ghx::recovery
