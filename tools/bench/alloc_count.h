#pragma once
// Counts heap allocations made by this program: global operator new and delete are replaced
// (alloc_count.cpp) by versions that bump a counter, so a benchmark can show that the engine
// allocates nothing per command once warm. Single-threaded use; the counter is not atomic.

#include <cstdint>

namespace ghx::bench {

// Allocations (calls of any operator new) since the program started.
uint64_t allocations_total();

}  // namespace ghx::bench
