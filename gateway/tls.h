#pragma once
// TLS contexts for the gateway: TLS 1.3 only, mutual authentication against the exchange CA.
// Building a context reads files and throws std::system_error (asio) or std::runtime_error on
// failure: it happens at start-up, an edge where exceptions are allowed.

#include <asio/ssl.hpp>
#include <string>

namespace ghx::gateway {

struct TlsFiles {
  std::string ca_file;    // PEM of the CA that signs participants (server) or the server (client)
  std::string cert_file;  // own certificate; a client may leave it empty (then it has none)
  std::string key_file;
};

// Requires a client certificate that chains to files.ca_file; refuses TLS below 1.3.
asio::ssl::context make_server_tls_context(const TlsFiles& files);

// Verifies the server against files.ca_file; presents cert_file/key_file when set.
asio::ssl::context make_client_tls_context(const TlsFiles& files);

// Subject CN of the verified peer certificate, or "" when there is none.
std::string peer_common_name(SSL* ssl);

}  // namespace ghx::gateway
