#pragma once
// Development certificates made with the OpenSSL C API: an exchange CA, a server certificate
// for 127.0.0.1 and localhost, and participant client certificates whose subject CN is the
// participant's name. Keys are EC P-256; certificates are X.509 v3 signed with SHA-256.
//
// Files are PEM, written into one directory:
//   ca.pem, ca.key                    the CA (ensure_ca)
//   server.pem, server.key            the server (ensure_server_certificate)
//   <participant>.pem, <participant>.key
// Existing files are never overwritten: each ensure_* call reuses what is there, so a second
// start keeps the same identities. Private keys are written with mode 0600.
//
// Caveats: meant for development and tests. There is no revocation, and the CA key sits
// beside the certificates.

#include <filesystem>
#include <string>
#include <string_view>

namespace ghx::gateway {

constexpr int certificate_days_default = 825;
constexpr int ca_days_default = 3650;

struct CertFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
};

struct CertResult {
  bool ok = false;
  bool created = false;  // false when both files already existed
  CertFiles files;
  std::string error;     // when !ok
};

// Participant names become file names and certificate CNs: 1..64 of [A-Za-z0-9_.-], not
// starting with '.' or '-', not digits only (tools take a participant by name or by its
// decimal ledger id: a name like "7" would read as someone else's id), and neither "ca" nor
// "server" (their certificates and keys share the directory).
bool is_valid_participant_name(std::string_view name);

// dir/ca.pem and dir/ca.key; `common_name` names the CA. Creates `dir` if needed.
CertResult ensure_ca(const std::filesystem::path& dir,
                     std::string_view common_name = "ghx development CA");

// dir/server.pem, signed by `ca`; subjectAltName IP:127.0.0.1, DNS:localhost.
CertResult ensure_server_certificate(const std::filesystem::path& dir, const CertFiles& ca);

// dir/<participant>.pem with subject CN=<participant>, signed by `ca`, for client auth.
CertResult ensure_participant_certificate(const std::filesystem::path& dir, const CertFiles& ca,
                                          std::string_view participant);

// The subject CN of the PEM certificate at `cert`, or "" when it cannot be read.
std::string certificate_common_name(const std::filesystem::path& cert);

}  // namespace ghx::gateway
