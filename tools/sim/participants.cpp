#include "tools/sim/participants.h"

namespace ghx::sim {

gateway::TlsFiles participant_tls(const std::string& data_dir, std::string_view name) {
  const std::string certs = data_dir + "/certs/";
  return {.ca_file = certs + "ca.pem",
          .cert_file = certs + std::string(name) + ".pem",
          .key_file = certs + std::string(name) + ".key"};
}

}  // namespace ghx::sim
