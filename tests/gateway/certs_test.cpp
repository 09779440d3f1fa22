#include "gateway/certs.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/gateway/test_pki.h"

namespace ghx::gateway {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

X509* load(const fs::path& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return nullptr;
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return cert;
}

// True when `leaf` chains to `ca` (and only to it).
bool verifies(const fs::path& ca, const fs::path& leaf) {
  X509* ca_cert = load(ca);
  X509* leaf_cert = load(leaf);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca_cert);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf_cert, nullptr);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(leaf_cert);
  X509_free(ca_cert);
  return ok;
}

TEST(Certs, CreatesCaServerAndParticipantFiles) {
  const fs::path dir = test::fresh_temp_dir("certs_create");
  const CertResult ca = ensure_ca(dir);
  ASSERT_TRUE(ca.ok) << ca.error;
  EXPECT_TRUE(ca.created);
  const CertResult server = ensure_server_certificate(dir, ca.files);
  ASSERT_TRUE(server.ok) << server.error;
  const CertResult alice = ensure_participant_certificate(dir, ca.files, "alice");
  ASSERT_TRUE(alice.ok) << alice.error;
  for (const char* name : {"ca.pem", "ca.key", "server.pem", "server.key", "alice.pem",
                           "alice.key"}) {
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  }
  EXPECT_EQ(certificate_common_name(alice.files.cert), "alice");
  EXPECT_EQ(certificate_common_name(server.files.cert), "ghx server");
}

TEST(Certs, KeysAreReadableOnlyByTheOwner) {
  const auto& pki = test::test_pki();
  struct stat info {};
  ASSERT_EQ(::stat(pki.alice.key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
}

TEST(Certs, ParticipantAndServerChainToTheirCaOnly) {
  const auto& pki = test::test_pki();
  EXPECT_TRUE(verifies(pki.ca.cert, pki.alice.cert));
  EXPECT_TRUE(verifies(pki.ca.cert, pki.server.cert));
  EXPECT_TRUE(verifies(pki.foreign_ca.cert, pki.mallory.cert));
  EXPECT_FALSE(verifies(pki.ca.cert, pki.mallory.cert));
  EXPECT_FALSE(verifies(pki.foreign_ca.cert, pki.alice.cert));
}

TEST(Certs, ServerCertificateNamesLoopback) {
  const auto& pki = test::test_pki();
  X509* cert = load(pki.server.cert);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(cert, "example.com", 0, 0, nullptr), 1);
  X509_free(cert);
}

TEST(Certs, ExistingFilesAreKept) {
  const fs::path dir = test::fresh_temp_dir("certs_keep");
  const CertResult ca = ensure_ca(dir);
  ASSERT_TRUE(ca.ok);
  const CertResult first = ensure_participant_certificate(dir, ca.files, "bob");
  const std::string before = read_all(first.files.cert);
  const CertResult again = ensure_participant_certificate(dir, ca.files, "bob");
  ASSERT_TRUE(again.ok);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(read_all(again.files.cert), before);
  const CertResult ca_again = ensure_ca(dir);
  EXPECT_FALSE(ca_again.created);
}

// A first run stopped between writing a key and its certificate leaves the key alone: the next
// run makes both anew (no certificate was ever issued for that key), and they match. A
// certificate without its key is refused, not replaced. No temporary file stays behind.
TEST(Certs, AKeyLeftWithoutItsCertificateIsMadeAgain) {
  const fs::path dir = test::fresh_temp_dir("certs_half");
  const CertResult ca = ensure_ca(dir);
  ASSERT_TRUE(ca.ok);
  { std::ofstream(dir / "dave.key") << "half written"; }
  const CertResult made = ensure_participant_certificate(dir, ca.files, "dave");
  ASSERT_TRUE(made.ok) << made.error;
  EXPECT_TRUE(made.created);
  FILE* cert_file = std::fopen(made.files.cert.c_str(), "r");
  ASSERT_NE(cert_file, nullptr);
  X509* cert = PEM_read_X509(cert_file, nullptr, nullptr, nullptr);
  std::fclose(cert_file);
  FILE* key_file = std::fopen(made.files.key.c_str(), "r");
  ASSERT_NE(key_file, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(key_file, nullptr, nullptr, nullptr);
  std::fclose(key_file);
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  X509_free(cert);
  EVP_PKEY_free(key);
  struct stat key_stat {};
  ASSERT_EQ(stat(made.files.key.c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);

  fs::remove(dir / "dave.key");
  const CertResult refused = ensure_participant_certificate(dir, ca.files, "dave");
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("exists without its key"), std::string::npos) << refused.error;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST(Certs, InvalidParticipantNamesAreRefused) {
  const auto& pki = test::test_pki();
  for (const char* name :
       {"", "../evil", "a b", ".hidden", "-dash", "semi;colon", "42", "ca", "server"}) {
    const CertResult result = ensure_participant_certificate(pki.dir, pki.ca, name);
    EXPECT_FALSE(result.ok) << name;
    EXPECT_FALSE(result.error.empty());
  }
  EXPECT_FALSE(is_valid_participant_name(std::string(65, 'a')));
  EXPECT_TRUE(is_valid_participant_name("dc-shanghai_01.gpu"));
  EXPECT_TRUE(is_valid_participant_name("42a"));
}

TEST(Certs, MissingCaIsAnError) {
  const fs::path dir = test::fresh_temp_dir("certs_noca");
  const CertResult result =
      ensure_participant_certificate(dir, {dir / "nope.pem", dir / "nope.key"}, "carol");
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace ghx::gateway
