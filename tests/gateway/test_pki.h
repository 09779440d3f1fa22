#pragma once
// Real certificates for the gateway tests, made once per test process with gateway/certs.h:
// the exchange CA, the server, participants alice and bob, and a foreign CA with its own
// participant mallory (a valid certificate the exchange must not trust).

#include <filesystem>

#include "gateway/certs.h"
#include "gateway/tls.h"

namespace ghx::gateway::test {

struct TestPki {
  std::filesystem::path dir;
  CertFiles ca;
  CertFiles server;
  CertFiles alice;
  CertFiles bob;
  CertFiles foreign_ca;
  CertFiles mallory;  // CN=mallory, signed by the foreign CA

  TlsFiles server_tls() const;
  TlsFiles client_tls(const CertFiles& participant) const;
  TlsFiles client_tls_without_certificate() const;
};

const TestPki& test_pki();

// A fresh empty directory under a per-process temp root that is removed at exit.
std::filesystem::path fresh_temp_dir(const std::string& name);

}  // namespace ghx::gateway::test
