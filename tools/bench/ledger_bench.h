#pragma once
// `ghx-bench ledger`: settled fills per second and commit latency of the LMDB ledger at batch
// sizes 1, 10, 100 and 1000, with full durability (every commit is fsync'd).
//
// usage: ghx-bench ledger [--dir DIR] [--fills N] [--seconds S] [--batch-sizes 1,10,100,1000]
// Prints one JSON object per scenario and line. Returns 0, or 2 on bad arguments or errors.

#include <cstdio>

// Global, as ghx-bench's main declares it: called when argv[1] == "ledger". --help prints the
// usage on stdout and returns 0.
int run_ledger_bench(int argc, char** argv);

// The usage line above, for `ghx-bench --help`.
void print_ledger_usage(std::FILE* out);
