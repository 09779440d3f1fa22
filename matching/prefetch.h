#pragma once
// Software prefetch that the optimiser keeps.
//
// GCC treats __builtin_prefetch as free of side effects, so a function that only prefetches can
// be judged pure and a call to it deleted once the index arithmetic is visible to it (seen when
// the engine was built as one unit: Engine::prefetch lost its client-id prefetches and
// resting_1m ran at half speed). The empty asm statement that "uses" the address keeps it.

namespace ghx::matching {

enum class PrefetchFor { read = 0, write = 1 };

template <PrefetchFor intent = PrefetchFor::read>
inline void prefetch_line(const void* address) {
  __builtin_prefetch(address, static_cast<int>(intent));
  asm volatile("" : : "r"(address));
}

}  // namespace ghx::matching
