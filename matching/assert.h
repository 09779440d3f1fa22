#pragma once
// Assertions state invariants and stay on in release builds: a broken invariant in an exchange
// must stop it, not let it trade on corrupt state.

#include <cstdio>
#include <cstdlib>

#define GHX_ASSERT(condition)                                                        \
  do {                                                                               \
    if (!(condition)) [[unlikely]] {                                                 \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__,     \
                   #condition);                                                      \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
