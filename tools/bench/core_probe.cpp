#include "tools/bench/core_probe.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

namespace ghx::bench {
namespace {

constexpr int iterations = 10'000'000;
constexpr int tries = 3;

// One xorshift-add step: a shift, an xor and an add, each waiting on the one before.
inline void step(uint64_t& chain) { chain = (chain ^ (chain >> 3)) + 0x9e3779b97f4a7c15ULL; }

}  // namespace

double core_probe_ns() {
  double best = std::numeric_limits<double>::max();
  for (int attempt = 0; attempt < tries; ++attempt) {
    uint64_t a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) {
      step(a0), step(a1), step(a2), step(a3), step(a4), step(a5), step(a6), step(a7);
      // Keeps the chains in registers and the loop from being folded or vectorised away.
      asm volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6),
                   "+r"(a7));
    }
    const std::chrono::duration<double, std::nano> elapsed =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count() / iterations);
  }
  return best;
}

}  // namespace ghx::bench
