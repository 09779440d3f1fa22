#include "tests/gateway/test_pki.h"

#include <unistd.h>

#include <stdexcept>

namespace ghx::gateway::test {
namespace {

CertFiles must(const CertResult& result) {
  if (!result.ok) throw std::runtime_error("test PKI: " + result.error);
  return result.files;
}

TestPki make_pki() {
  TestPki pki;
  pki.dir = fresh_temp_dir("pki");
  pki.ca = must(ensure_ca(pki.dir));
  pki.server = must(ensure_server_certificate(pki.dir, pki.ca));
  pki.alice = must(ensure_participant_certificate(pki.dir, pki.ca, "alice"));
  pki.bob = must(ensure_participant_certificate(pki.dir, pki.ca, "bob"));
  const auto foreign = pki.dir / "foreign";
  pki.foreign_ca = must(ensure_ca(foreign, "some other CA"));
  pki.mallory = must(ensure_participant_certificate(foreign, pki.foreign_ca, "mallory"));
  return pki;
}

}  // namespace

TlsFiles TestPki::server_tls() const {
  return {ca.cert.string(), server.cert.string(), server.key.string()};
}

TlsFiles TestPki::client_tls(const CertFiles& participant) const {
  return {ca.cert.string(), participant.cert.string(), participant.key.string()};
}

TlsFiles TestPki::client_tls_without_certificate() const { return {ca.cert.string(), "", ""}; }

const TestPki& test_pki() {
  static const TestPki pki = make_pki();
  return pki;
}

namespace {

// One root per test process, removed when the process exits.
struct TempRoot {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("ghx_gateway_test_" + std::to_string(::getpid()));
  ~TempRoot() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

std::filesystem::path fresh_temp_dir(const std::string& name) {
  static const TempRoot root;
  const auto dir = root.path / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ghx::gateway::test
