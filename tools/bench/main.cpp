// ghx-bench: `ghx-bench [engine] ...` runs the matching engine scenarios; `ghx-bench ledger ...`
// runs the ledger benchmark when it is built in.

#include <cstdio>
#include <cstring>
#include <exception>

#include "tools/bench/engine_bench.h"
#ifdef GHX_HAVE_LEDGER_BENCH
#include "tools/bench/ledger_bench.h"
#endif

int main(int argc, char** argv) {
  try {
    if (argc > 1 && std::strcmp(argv[1], "ledger") == 0) {
#ifdef GHX_HAVE_LEDGER_BENCH
      return run_ledger_bench(argc - 1, argv + 1);
#else
      std::fprintf(stderr, "ghx-bench: the ledger benchmark is not built in\n");
      return 2;
#endif
    }
    if (argc > 1 && std::strcmp(argv[1], "engine") == 0) {
      return ghx::bench::run_engine_bench(argc - 1, argv + 1);
    }
    return ghx::bench::run_engine_bench(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ghx-bench: %s\n", error.what());
    return 1;
  }
}
