#pragma once
// The product the gateway tests trade: delivery starts two days from now, so the gate stays
// open through any test.

#include <chrono>

#include "matching/product.h"

namespace ghx::gateway::test {

inline matching::ProductSpec test_spec() {
  const int64_t now_hours = std::chrono::duration_cast<std::chrono::hours>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  matching::ProductSpec spec;
  spec.gpu = matching::ShortName::from("H100SXM");
  spec.zone = matching::ShortName::from("CN-EAST-1");
  spec.start_hour = now_hours + 48;
  return spec;
}

}  // namespace ghx::gateway::test
