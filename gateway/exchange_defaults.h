#pragma once
// The embedded defaults of ghxd: who trades at a fresh exchange and what it lists.

#include <cstdint>
#include <string>
#include <vector>

#include "matching/product.h"

namespace ghx::gateway {

struct DefaultParticipant {
  const char* name;
  uint8_t roles;  // ledger::RoleBits
};

// The operator, three data centres (sellers) and four AI labs (buyers).
const std::vector<DefaultParticipant>& default_participants();

// The rolling calendar at `now_ns`: for each GPU model and zone, hourly windows for the next
// 48 hours and daily windows for the next 14 days, every window's gate still open.
std::vector<matching::ProductSpec> calendar_products(int64_t now_ns,
                                                     int64_t gate_closure_lead_ns);

}  // namespace ghx::gateway
