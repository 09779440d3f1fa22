#pragma once
// The names and certificate paths of the default participants that ghxd creates. Shared by
// ghx-sim and ghx-load; request frames come from gateway/wire_build.h and wire_requests.h.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/tls.h"

namespace ghx::sim {

inline constexpr std::string_view operator_name = "ops";
inline constexpr std::array<std::string_view, 3> seller_names = {"dc-shanghai", "dc-ulanqab",
                                                                 "dc-guiyang"};
inline constexpr std::array<std::string_view, 4> buyer_names = {"lab-alpha", "lab-beta",
                                                                "lab-gamma", "lab-delta"};

// DATA/certs/<name>.pem and .key, verified against DATA/certs/ca.pem.
gateway::TlsFiles participant_tls(const std::string& data_dir, std::string_view name);


}  // namespace ghx::sim
