#pragma once
// Builders for the frames gateway/wire_build.h does not offer yet (operator commands, mass
// cancel), plus the names and certificate paths of the default participants that ghxd creates.
// Shared by ghx-sim and ghx-load.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/framing.h"
#include "gateway/tls.h"

namespace ghx::sim {

inline constexpr std::string_view operator_name = "ops";
inline constexpr std::array<std::string_view, 3> seller_names = {"dc-shanghai", "dc-ulanqab",
                                                                 "dc-guiyang"};
inline constexpr std::array<std::string_view, 4> buyer_names = {"lab-alpha", "lab-beta",
                                                                "lab-gamma", "lab-delta"};

// DATA/certs/<name>.pem and .key, verified against DATA/certs/ca.pem.
gateway::TlsFiles participant_tls(const std::string& data_dir, std::string_view name);

gateway::Frame make_deposit(uint64_t request_id, std::string_view participant, int64_t amount);
gateway::Frame make_register_capacity(uint64_t request_id, std::string_view participant,
                                      std::string_view symbol, int64_t quantity_lots);
gateway::Frame make_list_products(uint64_t request_id);
// Every live order of the sender in `symbol` (all products when empty).
gateway::Frame make_mass_cancel(std::string_view symbol);

}  // namespace ghx::sim
