// The QUIC listeners' certificates in GnuTLS: real TLS 1.3 handshakes between a GnuTLS server
// session using the SNI credentials and a GnuTLS client over a socket pair, showing the same
// choice as HTTPS makes — exact name, one-label wildcard, default, ECDSA or RSA by what the
// client can verify — and a certificate GnuTLS cannot load failing clearly.
#include "dataplane/gnutls_certificates.h"

#include <gnutls/x509.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "dataplane/listener_snapshot.h"
#include "support/test_certificates.h"

namespace openalb {
namespace gnutls_certificates_test {

ServedCertificate Served(const std::string& id, std::vector<std::string> names, bool ecdsa) {
  testing::CertSpec spec;
  spec.common_name = id + ".cn";
  spec.dns_names = names;
  spec.key = ecdsa ? testing::KeyKind::kEcP256 : testing::KeyKind::kRsa2048;
  auto generated = testing::MakeCertificate(spec);
  return {.certificate_id = id,
          .fingerprint_sha256 = id + "-fp",
          .names = std::move(names),
          .ecdsa = ecdsa,
          .chain_pem = generated.cert_pem,
          .sealed_private_key = generated.key_pem};
}

KeyOpener PlainKeys() {
  return [](const CertificateMaterial& m) -> Result<std::string> { return m.sealed_private_key; };
}

// The common name of the certificate a GnuTLS client receives for `sni` ("" for none), or
// "error: …" when the handshake fails.
std::string Handshake(const std::shared_ptr<const ListenerSnapshot>& snapshot,
                      GnutlsCertificates& certificates, const std::string& sni,
                      bool client_ecdsa = true) {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  auto credentials = MakeSniCredentials();
  EXPECT_TRUE(credentials);
  GnutlsServerSession state;
  state.snapshot = snapshot;
  state.certificates = &certificates;
  gnutls_session_t server = nullptr;
  gnutls_init(&server, GNUTLS_SERVER);
  gnutls_priority_set_direct(server, "NORMAL:-VERS-ALL:+VERS-TLS1.3", nullptr);
  gnutls_credentials_set(server, GNUTLS_CRD_CERTIFICATE, credentials->get());
  gnutls_session_set_ptr(server, &state);
  ChooseCertificateOnClientHello(server);
  gnutls_transport_set_int(server, fds[0]);
  std::thread server_side([&] {
    int r;
    do {
      r = gnutls_handshake(server);
    } while (r < 0 && gnutls_error_is_fatal(r) == 0);
    if (r < 0) shutdown(fds[0], SHUT_RDWR);
  });

  gnutls_certificate_credentials_t client_credentials = nullptr;
  gnutls_certificate_allocate_credentials(&client_credentials);
  gnutls_session_t client = nullptr;
  gnutls_init(&client, GNUTLS_CLIENT);
  // A client that verifies only RSA signatures lists no ECDSA scheme.
  const char* priority = client_ecdsa ? "NORMAL:-VERS-ALL:+VERS-TLS1.3"
                                      : "NORMAL:-VERS-ALL:+VERS-TLS1.3:-SIGN-ALL:+SIGN-RSA-PSS-"
                                        "RSAE-SHA256:+SIGN-RSA-PSS-RSAE-SHA384";
  gnutls_priority_set_direct(client, priority, nullptr);
  gnutls_credentials_set(client, GNUTLS_CRD_CERTIFICATE, client_credentials);
  if (!sni.empty()) gnutls_server_name_set(client, GNUTLS_NAME_DNS, sni.data(), sni.size());
  gnutls_transport_set_int(client, fds[1]);
  int r;
  do {
    r = gnutls_handshake(client);
  } while (r < 0 && gnutls_error_is_fatal(r) == 0);
  std::string result;
  if (r < 0) {
    result = std::string("error: ") + gnutls_strerror(r);
  } else {
    unsigned count = 0;
    const gnutls_datum_t* peer = gnutls_certificate_get_peers(client, &count);
    gnutls_x509_crt_t crt = nullptr;
    gnutls_x509_crt_init(&crt);
    gnutls_x509_crt_import(crt, &peer[0], GNUTLS_X509_FMT_DER);
    char cn[256];
    size_t cn_size = sizeof cn;
    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cn_size);
    result.assign(cn, cn_size);
    gnutls_x509_crt_deinit(crt);
  }
  shutdown(fds[1], SHUT_RDWR);
  server_side.join();
  gnutls_deinit(client);
  gnutls_deinit(server);
  gnutls_certificate_free_credentials(client_credentials);
  close(fds[0]);
  close(fds[1]);
  return result;
}

class GnutlsCertificatesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<ServedCertificate> additional;
    additional.push_back(Served("exact", {"a.example.com"}, true));
    additional.push_back(Served("exact-rsa", {"a.example.com"}, false));
    additional.push_back(Served("wild", {"*.example.com"}, true));
    auto contexts = std::make_shared<CertificateContexts>(PlainKeys(), 16);
    snapshot_ = new std::shared_ptr<const ListenerSnapshot>(std::make_shared<ListenerSnapshot>(
        1, contexts, Served("default", {"default.test"}, true), std::move(additional)));
  }
  static void TearDownTestSuite() { delete snapshot_; }

  static std::shared_ptr<const ListenerSnapshot>* snapshot_;
};

std::shared_ptr<const ListenerSnapshot>* GnutlsCertificatesTest::snapshot_ = nullptr;

TEST_F(GnutlsCertificatesTest, ChoosesByNameAsHttpsDoes) {
  GnutlsCertificates certificates(PlainKeys(), 16);
  EXPECT_EQ(Handshake(*snapshot_, certificates, "a.example.com"), "exact.cn");
  EXPECT_EQ(Handshake(*snapshot_, certificates, "A.EXAMPLE.com"), "exact.cn");
  EXPECT_EQ(Handshake(*snapshot_, certificates, "c.example.com"), "wild.cn");
  EXPECT_EQ(Handshake(*snapshot_, certificates, "x.c.example.com"), "default.cn");
  EXPECT_EQ(Handshake(*snapshot_, certificates, ""), "default.cn");
  EXPECT_EQ(certificates.size(), 3u);  // imported once each, on first use
}

TEST_F(GnutlsCertificatesTest, AClientThatCannotVerifyEcdsaGetsTheRsaCertificate) {
  GnutlsCertificates certificates(PlainKeys(), 16);
  EXPECT_EQ(Handshake(*snapshot_, certificates, "a.example.com", /*client_ecdsa=*/false),
            "exact-rsa.cn");
  EXPECT_EQ(Handshake(*snapshot_, certificates, "a.example.com", /*client_ecdsa=*/true),
            "exact.cn");
}

TEST_F(GnutlsCertificatesTest, ACertificateGnutlsCannotLoadFailsOnlyItsOwnHandshakes) {
  ServedCertificate broken = Served("broken", {"broken.test"}, true);
  broken.sealed_private_key = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  auto contexts = std::make_shared<CertificateContexts>(PlainKeys(), 16);
  auto snapshot = std::make_shared<const ListenerSnapshot>(
      2, contexts, Served("default", {"default.test"}, true),
      std::vector<ServedCertificate>{broken});
  GnutlsCertificates certificates(PlainKeys(), 16);
  EXPECT_EQ(Handshake(snapshot, certificates, "broken.test").rfind("error: ", 0), 0u);
  auto loaded = certificates.Get(broken);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, "OperationFailed.ListenerConfig");
  EXPECT_NE(loaded.error().message.find("broken"), std::string::npos);
  EXPECT_EQ(Handshake(snapshot, certificates, "default.test"), "default.cn");
}

TEST_F(GnutlsCertificatesTest, TheCacheKeepsAtMostItsCapacity) {
  GnutlsCertificates certificates(PlainKeys(), 2);
  for (const char* id : {"one", "two", "three"}) {
    ASSERT_TRUE(certificates.Get(Served(id, {std::string(id) + ".test"}, true)));
  }
  EXPECT_EQ(certificates.size(), 2u);
}

}  // namespace gnutls_certificates_test
}  // namespace openalb
