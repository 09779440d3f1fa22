#pragma once
// GHX_LEDGER_ASSERT states an invariant of the ledger. It stays on in release builds: a ledger
// that carries on after an invariant broke would make wrong balances durable, which is worse
// than stopping the process (the journal lets it restart from the last good commit).

#include <cstdio>
#include <cstdlib>

namespace ghx::ledger::detail {
[[noreturn]] inline void assert_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "ghx ledger: invariant failed: %s (%s:%d)\n", expression, file, line);
  std::abort();
}
}  // namespace ghx::ledger::detail

#define GHX_LEDGER_ASSERT(condition)                                           \
  do {                                                                         \
    if (!(condition)) [[unlikely]]                                             \
      ::ghx::ledger::detail::assert_failed(#condition, __FILE__, __LINE__);    \
  } while (0)
