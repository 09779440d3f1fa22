#pragma once
// The crash test's second operator, beside the traders and the one failing deliveries: now and
// then it halts a product the traders trade (sometimes canceling its resting orders) or
// suspends one of a few traders, and lifts that again a little later. Kills then land, and
// snapshots are taken, while a product is halted or a participant suspended, and restarts
// must recover that state.

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

// Until its connection dies (ghxd was killed): first lifts whatever an earlier run left halted
// or suspended (its ack may have died with ghxd: refusals as not halted or not suspended are
// expected then), after which it knows the state and every control must pass. Then
// alternates: trading undisturbed for a while, one product halted or one participant suspended
// for a while. Controls acknowledged ok go to result.acks.controls (first_sequence and
// last_sequence unset: the caller knows the run's range); one refused when it should pass
// goes to result.problems.
void run_halting_operator(const ControlPlan& plan, TraderResult& result);

}  // namespace ghx::recovery
