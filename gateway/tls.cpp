#include "gateway/tls.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace ghx::gateway {
namespace {

constexpr int common_name_chars_max = 256;

void tls13_only(asio::ssl::context& context) {
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    throw std::runtime_error("TLS 1.3 is not available in this OpenSSL");
  }
}

void use_own_certificate(asio::ssl::context& context, const TlsFiles& files) {
  context.use_certificate_chain_file(files.cert_file);
  context.use_private_key_file(files.key_file, asio::ssl::context::pem);
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    throw std::runtime_error("private key does not match certificate " + files.cert_file);
  }
}

}  // namespace

asio::ssl::context make_server_tls_context(const TlsFiles& files) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  tls13_only(context);
  context.set_options(asio::ssl::context::no_compression);
  use_own_certificate(context, files);
  context.load_verify_file(files.ca_file);
  // Only our CA is trusted, and a client without a certificate fails the handshake.
  context.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  // No session resumption: every connection proves its certificate afresh.
  SSL_CTX_set_session_cache_mode(context.native_handle(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(context.native_handle(), 0);
  return context;
}

asio::ssl::context make_client_tls_context(const TlsFiles& files) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  tls13_only(context);
  context.load_verify_file(files.ca_file);
  context.set_verify_mode(asio::ssl::verify_peer);
  if (!files.cert_file.empty()) use_own_certificate(context, files);
  return context;
}

std::string peer_common_name(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return {};
  char buffer[common_name_chars_max] = {};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
                                               buffer, sizeof buffer);
  return length > 0 ? std::string(buffer, static_cast<size_t>(length)) : std::string();
}

}  // namespace ghx::gateway
