// Compiles the generated wire header once, so that a schema error shows up here first.
#include "schemas/ghx_generated.h"

namespace ghx::wire {

static_assert(sizeof(PriceLevel) == 16, "PriceLevel is two 64-bit fields");

}  // namespace ghx::wire
