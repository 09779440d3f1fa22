#include "gateway/certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <span>
#include <system_error>

#include "gateway/durable_file.h"

namespace ghx::gateway {
namespace {

namespace fs = std::filesystem;

constexpr int serial_bytes = 16;
constexpr long seconds_per_day = 24 * 60 * 60;
constexpr size_t participant_chars_max = 64;

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct FileClose { void operator()(FILE* p) const { std::fclose(p); } };
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using FilePtr = std::unique_ptr<FILE, FileClose>;

std::string openssl_error(std::string_view what) {
  std::string text(what);
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += ": ";
    text += buffer;
  }
  ERR_clear_error();
  return text;
}

PkeyPtr generate_key() { return PkeyPtr(EVP_EC_gen("P-256")); }

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool set_random_serial(X509* cert) {
  unsigned char bytes[serial_bytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7f;  // serials are positive
  BIGNUM* number = BN_bin2bn(bytes, sizeof bytes, nullptr);
  if (number == nullptr) return false;
  const bool set = BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert)) != nullptr;
  BN_free(number);
  return set;
}

// A certificate with subject CN=common_name for `key`, not yet signed. `issuer` is null for a
// self-signed CA.
X509Ptr new_certificate(EVP_PKEY* key, std::string_view common_name, X509* issuer, int days) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || !set_random_serial(cert.get())) return {};
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -seconds_per_day);  // tolerate clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * seconds_per_day);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("ghx"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return {};
  }
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  if (X509_set_pubkey(cert.get(), key) != 1) return {};
  return cert;
}

// PEM text made by `write` (into a memory BIO), written to `path` whole and durably, created
// with `mode` (a key readable by its owner only, from the start).
template <typename Write>
bool write_pem(const fs::path& path, mode_t mode, Write&& write) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> memory(BIO_new(BIO_s_mem()), &BIO_free);
  if (!memory || !write(memory.get())) return false;
  char* data = nullptr;
  const long size = BIO_get_mem_data(memory.get(), &data);
  if (size <= 0) return false;
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data),
                                       static_cast<size_t>(size));
  return replace_file_durably(path, mode, {bytes}).empty();
}

bool write_key(const fs::path& path, EVP_PKEY* key) {
  return write_pem(path, S_IRUSR | S_IWUSR, [&](BIO* out) {
    return PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
}

bool write_cert(const fs::path& path, X509* cert) {
  return write_pem(path, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH,
                   [&](BIO* out) { return PEM_write_bio_X509(out, cert) == 1; });
}

X509Ptr read_cert(const fs::path& path) {
  FilePtr file(std::fopen(path.c_str(), "r"));
  return file ? X509Ptr(PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) : X509Ptr();
}

PkeyPtr read_key(const fs::path& path) {
  FilePtr file(std::fopen(path.c_str(), "r"));
  return file ? PkeyPtr(PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr)) : PkeyPtr();
}

struct Profile {
  std::string_view common_name;
  int days;
  // (nid, value) pairs of X.509 v3 extensions
  std::initializer_list<std::pair<int, const char*>> extensions;
};

// Makes and writes files.cert/files.key unless both exist. `ca` null: self-signed.
CertResult ensure(const fs::path& dir, CertFiles files, const Profile& profile,
                  const CertFiles* ca) {
  CertResult result{.files = files};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return {.error = "cannot create " + dir.string() + ": " + ec.message()};
  if (fs::exists(files.cert) && fs::exists(files.key)) {
    result.ok = true;
    return result;
  }
  // The key is written first and the certificate last: a key alone was left by a first run
  // stopped between the two, and no certificate was ever issued for it, so both are made
  // anew. A certificate without its key is not this program's to replace.
  if (fs::exists(files.cert)) {
    return {.error = files.cert.string() + " exists without its key " + files.key.string()};
  }
  X509Ptr ca_cert = ca ? read_cert(ca->cert) : X509Ptr();
  PkeyPtr ca_key = ca ? read_key(ca->key) : PkeyPtr();
  if (ca && (!ca_cert || !ca_key)) return {.error = openssl_error("cannot read the CA files")};
  PkeyPtr key = generate_key();
  if (!key) return {.error = openssl_error("cannot generate a P-256 key")};
  X509Ptr cert = new_certificate(key.get(), profile.common_name, ca_cert.get(), profile.days);
  if (!cert) return {.error = openssl_error("cannot build the certificate")};
  X509* issuer = ca ? ca_cert.get() : cert.get();
  for (const auto& [nid, value] : profile.extensions) {
    if (!add_extension(cert.get(), issuer, nid, value)) {
      return {.error = openssl_error("cannot add a certificate extension")};
    }
  }
  if (X509_sign(cert.get(), ca ? ca_key.get() : key.get(), EVP_sha256()) == 0) {
    return {.error = openssl_error("cannot sign the certificate")};
  }
  if (!write_key(files.key, key.get()) || !write_cert(files.cert, cert.get())) {
    return {.error = "cannot write " + files.cert.string() + " or its key"};
  }
  result.ok = true;
  result.created = true;
  return result;
}

}  // namespace

bool is_valid_participant_name(std::string_view name) {
  if (name.empty() || name.size() > participant_chars_max) return false;
  // The CA's and the server's files share the directory: ca.pem, server.key...
  if (name == "ca" || name == "server") return false;
  if (name.front() == '.' || name.front() == '-') return false;
  bool all_digits = true;
  for (const char c : name) {
    all_digits = all_digits && c >= '0' && c <= '9';
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!allowed) return false;
  }
  return !all_digits;
}

CertResult ensure_ca(const fs::path& dir, std::string_view common_name) {
  const Profile profile{common_name, ca_days_default,
                        {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                         {NID_subject_key_identifier, "hash"}}};
  return ensure(dir, {dir / "ca.pem", dir / "ca.key"}, profile, nullptr);
}

CertResult ensure_server_certificate(const fs::path& dir, const CertFiles& ca) {
  const Profile profile{"ghx server", certificate_days_default,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, "critical,digitalSignature"},
                         {NID_ext_key_usage, "serverAuth"},
                         {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, "keyid:always"}}};
  return ensure(dir, {dir / "server.pem", dir / "server.key"}, profile, &ca);
}

CertResult ensure_participant_certificate(const fs::path& dir, const CertFiles& ca,
                                          std::string_view participant) {
  if (!is_valid_participant_name(participant)) {
    return {.error = "invalid participant name '" + std::string(participant) + "'"};
  }
  const Profile profile{participant, certificate_days_default,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, "critical,digitalSignature"},
                         {NID_ext_key_usage, "clientAuth"},
                         {NID_subject_key_identifier, "hash"},
                         {NID_authority_key_identifier, "keyid:always"}}};
  const std::string name(participant);
  return ensure(dir, {dir / (name + ".pem"), dir / (name + ".key")}, profile, &ca);
}

std::string certificate_common_name(const fs::path& cert_path) {
  X509Ptr cert = read_cert(cert_path);
  if (!cert) return {};
  char buffer[participant_chars_max + 2] = {};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()),
                                               NID_commonName, buffer, sizeof buffer);
  return length > 0 ? std::string(buffer, static_cast<size_t>(length)) : std::string();
}

}  // namespace ghx::gateway
