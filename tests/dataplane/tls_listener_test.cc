// A TLS listener on real sockets, seen by a blocking OpenSSL client: which certificate a
// client restricted to one key type's cipher suites gets, contexts built only when a
// handshake needs them, a certificate that cannot be opened failing only its own
// handshakes, the socket options every accepted connection gets, the TLS 1.2 suites offered,
// and session tickets under keys that rotate.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "dataplane/data_plane.h"
#include "support/free_port.h"
#include "support/test_certificates.h"

namespace openalb {
namespace {

using testing::FreePort;

CertificateMaterial Material(const std::string& id, const std::string& name, bool ecdsa) {
  testing::CertSpec spec;
  spec.common_name = name;
  spec.dns_names = {name};
  spec.key = ecdsa ? testing::KeyKind::kEcP256 : testing::KeyKind::kRsa2048;
  auto generated = testing::MakeCertificate(spec);
  return {.certificate_id = id,
          .fingerprint_sha256 = id + "-fp",
          .names = {name},
          .ecdsa = ecdsa,
          .chain_pem = generated.cert_pem,
          .sealed_private_key = generated.key_pem,
          .not_after_ms = 0};
}

int Connect(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct HandshakeResult {
  bool ok = false;
  std::string key_type;  // "EC" or "RSA" of the certificate served
  std::string version;
};

// One full handshake as a client configured by `configure`, sending `sni`.
HandshakeResult Handshake(std::uint16_t port, const std::string& sni,
                          const std::function<void(SSL_CTX*)>& configure = {}) {
  HandshakeResult result;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (configure) configure(ctx);
  int fd = Connect(port);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, sni.c_str());
  if (SSL_connect(ssl) == 1) {
    result.ok = true;
    X509* peer = SSL_get1_peer_certificate(ssl);
    EVP_PKEY* key = X509_get0_pubkey(peer);
    result.key_type = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "EC" : "RSA";
    result.version = SSL_get_version(ssl);
    X509_free(peer);
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(ctx);
  return result;
}

void Tls12Only(SSL_CTX* ctx, const char* ciphers) {
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  ASSERT_EQ(SSL_CTX_set_cipher_list(ctx, ciphers), 1);
}

class TlsListenerTest : public ::testing::Test {
 protected:
  std::uint16_t Serve(std::vector<CertificateMaterial> certificates) {
    const std::uint16_t port = FreePort();
    auto applied = plane_.Apply({"lsr-1", port, std::move(certificates)});
    EXPECT_TRUE(applied) << (applied ? "" : applied.error().message);
    return port;
  }

  DataPlane plane_{
      {}, [](const CertificateMaterial& m) -> Result<std::string> {
        if (m.sealed_private_key == "unopenable") {
          return Fail(ApiError{"InternalError", 500, "cannot open", "sealed with another key"});
        }
        return m.sealed_private_key;
      }};
};

TEST_F(TlsListenerTest, ATls12ClientOfferingOnlyRsaSuitesGetsTheRsaCertificate) {
  auto port =
      Serve({Material("default", "default.test", true), Material("both-ec", "both.test", true),
             Material("both-rsa", "both.test", false)});
  auto rsa_only = Handshake(port, "both.test", [](SSL_CTX* ctx) {
    Tls12Only(ctx, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
  });
  ASSERT_TRUE(rsa_only.ok);
  EXPECT_EQ(rsa_only.key_type, "RSA");
  EXPECT_EQ(rsa_only.version, "TLSv1.2");

  auto ecdsa_only = Handshake(
      port, "both.test", [](SSL_CTX* ctx) { Tls12Only(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256"); });
  ASSERT_TRUE(ecdsa_only.ok);
  EXPECT_EQ(ecdsa_only.key_type, "EC");
}

TEST_F(TlsListenerTest, Tls13ClientsAreServedByTheirSignatureAlgorithms) {
  auto port =
      Serve({Material("default", "default.test", true), Material("both-ec", "both.test", true),
             Material("both-rsa", "both.test", false)});
  auto any = Handshake(port, "both.test");
  ASSERT_TRUE(any.ok);
  EXPECT_EQ(any.version, "TLSv1.3");
  EXPECT_EQ(any.key_type, "EC");
  auto rsa_only = Handshake(port, "both.test", [](SSL_CTX* ctx) {
    ASSERT_EQ(SSL_CTX_set1_sigalgs_list(ctx, "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384"), 1);
  });
  ASSERT_TRUE(rsa_only.ok);
  EXPECT_EQ(rsa_only.version, "TLSv1.3");
  EXPECT_EQ(rsa_only.key_type, "RSA");
  // TLS 1.2 with ECDSA suites offered but only RSA signature schemes: RSA.
  auto rsa_sigalgs = Handshake(port, "both.test", [](SSL_CTX* ctx) {
    Tls12Only(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
    ASSERT_EQ(SSL_CTX_set1_sigalgs_list(ctx, "RSA+SHA256"), 1);
  });
  ASSERT_TRUE(rsa_sigalgs.ok);
  EXPECT_EQ(rsa_sigalgs.key_type, "RSA");
}

TEST_F(TlsListenerTest, StartUpBuildsNoContextAndAHandshakeBuildsOnlyItsOwn) {
  std::vector<ListenerConfig> configs{{"lsr-1", FreePort(), {}}};
  for (int i = 0; i < 50; ++i) {
    configs[0].certificates.push_back(
        Material("c" + std::to_string(i), "n" + std::to_string(i) + ".test", true));
  }
  const std::uint16_t port = static_cast<std::uint16_t>(configs[0].port);
  ASSERT_TRUE(plane_.Reconcile(configs).empty());
  EXPECT_EQ(plane_.contexts().size(), 0u);
  auto served = Handshake(port, "n37.test");
  ASSERT_TRUE(served.ok);
  EXPECT_EQ(plane_.contexts().size(), 1u);
  EXPECT_TRUE(plane_.contexts().Contains(configs[0].certificates[37]));
  ASSERT_TRUE(Handshake(port, "n37.test").ok);
  EXPECT_EQ(plane_.contexts().builds(), 1u);  // the second handshake reused it
}

TEST_F(TlsListenerTest, ACertificateWhoseKeyCannotBeOpenedFailsOnlyItsOwnHandshakes) {
  std::vector<ListenerConfig> configs{
      {"lsr-1",
       FreePort(),
       {Material("default", "default.test", true), Material("broken", "broken.test", true),
        Material("fine", "fine.test", true)}}};
  configs[0].certificates[1].sealed_private_key = "unopenable";
  ASSERT_TRUE(plane_.Reconcile(configs).empty());  // the listener is served
  const std::uint16_t port = static_cast<std::uint16_t>(configs[0].port);
  EXPECT_FALSE(Handshake(port, "broken.test").ok);
  EXPECT_FALSE(Handshake(port, "broken.test").ok);
  EXPECT_EQ(plane_.contexts().builds(), 1u);  // tried once, remembered
  EXPECT_TRUE(Handshake(port, "fine.test").ok);
  EXPECT_TRUE(Handshake(port, "other.test").ok);  // the default
}

TEST_F(TlsListenerTest, AChangeAddingAnUnusableCertificateFailsAndBuildsOnlyWhatItAdds) {
  std::vector<ListenerConfig> configs{{"lsr-1", FreePort(), {}}};
  for (int i = 0; i < 10; ++i) {
    configs[0].certificates.push_back(
        Material("c" + std::to_string(i), "n" + std::to_string(i) + ".test", true));
  }
  ASSERT_TRUE(plane_.Reconcile(configs).empty());
  configs[0].certificates.push_back(Material("added", "added.test", true));
  ASSERT_TRUE(plane_.Apply(configs[0]));
  EXPECT_EQ(plane_.contexts().builds(), 1u);  // only "added", at once
  configs[0].certificates.push_back(Material("broken", "broken.test", true));
  configs[0].certificates.back().sealed_private_key = "unopenable";
  auto failed = plane_.Apply(configs[0]);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("Certificate broken "), std::string::npos);
}

TEST_F(TlsListenerTest, TheContextCacheStaysWithinItsBound) {
  DataPlane small({.context_cache = 3}, [](const CertificateMaterial& m) -> Result<std::string> {
    return m.sealed_private_key;
  });
  ListenerConfig config{"lsr-1", FreePort(), {}};
  for (int i = 0; i < 6; ++i) {
    config.certificates.push_back(
        Material("c" + std::to_string(i), "n" + std::to_string(i) + ".test", true));
  }
  ASSERT_TRUE(small.Reconcile({config}).empty());
  const auto port = static_cast<std::uint16_t>(config.port);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(Handshake(port, "n" + std::to_string(i) + ".test").ok);
  EXPECT_EQ(small.contexts().size(), 3u);
  ASSERT_TRUE(Handshake(port, "n0.test").ok);  // evicted, built again
  EXPECT_EQ(small.contexts().builds(), 7u);
}

// The server's end of a connection whose client end is `client_fd`: this test's process
// owns both, so it finds the socket among its own descriptors.
std::optional<int> ServerSideOf(int client_fd) {
  sockaddr_in client{};
  socklen_t length = sizeof client;
  ::getsockname(client_fd, reinterpret_cast<sockaddr*>(&client), &length);
  DIR* dir = ::opendir("/proc/self/fd");
  std::optional<int> found;
  while (dirent* entry = ::readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    if (fd == client_fd ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0 ||
        peer.sin_family != AF_INET) {
      continue;
    }
    if (peer.sin_port == client.sin_port && peer.sin_addr.s_addr == client.sin_addr.s_addr) {
      found = fd;
    }
  }
  ::closedir(dir);
  return found;
}

TEST_F(TlsListenerTest, AcceptedConnectionsSendWithoutWaitingForAcks) {
  for (bool tls : {true, false}) {
    const std::uint16_t port = FreePort();
    ListenerConfig config{tls ? "lsr-tls" : "lsr-http", port, {}};
    if (tls) config.certificates.push_back(Material("d", "d.test", true));
    config.tls = tls;
    ASSERT_TRUE(plane_.Apply(config));
    int client = Connect(port);
    ASSERT_GE(client, 0);
    // Once the connection has answered, the server has accepted it and set its options.
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    if (tls) {
      SSL_set_fd(ssl, client);
      ASSERT_EQ(SSL_connect(ssl), 1);
    } else {
      const std::string request = "GET / HTTP/1.1\r\nHost: d.test\r\n\r\n";
      ASSERT_EQ(::write(client, request.data(), request.size()),
                static_cast<ssize_t>(request.size()));
      char answer[64];
      ASSERT_GT(::read(client, answer, sizeof answer), 0);
    }
    std::optional<int> server = ServerSideOf(client);
    ASSERT_TRUE(server) << "no server-side socket for the connection";
    int nodelay = 0;
    socklen_t size = sizeof nodelay;
    ASSERT_EQ(::getsockopt(*server, IPPROTO_TCP, TCP_NODELAY, &nodelay, &size), 0);
    EXPECT_EQ(nodelay, 1) << (tls ? "HTTPS" : "HTTP") << " listener";
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::close(client);
  }
}

TEST_F(TlsListenerTest, Tls12OffersOnlyForwardSecretAeadSuites) {
  auto port = Serve({Material("rsa", "rsa.test", false), Material("ec", "ec.test", true)});
  for (const char* weak : {"ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA256",
                           "AES128-GCM-SHA256:AES256-SHA", "ECDHE-ECDSA-AES128-SHA"}) {
    EXPECT_FALSE(Handshake(port, "rsa.test", [weak](SSL_CTX* ctx) { Tls12Only(ctx, weak); }).ok)
        << weak;
  }
  for (const char* strong : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
                             "ECDHE-RSA-AES256-GCM-SHA384"}) {
    EXPECT_TRUE(Handshake(port, "rsa.test", [strong](SSL_CTX* ctx) { Tls12Only(ctx, strong); }).ok)
        << strong;
  }
}

// A TLS 1.2 handshake that offers `session` (if any) for resumption; returns whether it
// was resumed and the session it ends with.
std::pair<bool, SSL_SESSION*> Resume(std::uint16_t port, SSL_SESSION* session) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  int fd = Connect(port);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "t.test");
  if (session != nullptr) SSL_set_session(ssl, session);
  bool resumed = false;
  SSL_SESSION* after = nullptr;
  if (SSL_connect(ssl) == 1) {
    resumed = SSL_session_reused(ssl) == 1;
    after = SSL_get1_session(ssl);
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(ctx);
  return {resumed, after};
}

TEST(TlsTicketKeysTest, ATicketResumesForOneToTwoRotationsThenNoMore) {
  ManualClock clock(std::chrono::system_clock::now());
  DataPlaneOptions options;
  options.limits.ticket_key_rotation = std::chrono::hours(1);
  options.clock = &clock;
  DataPlane plane(options, [](const CertificateMaterial& m) -> Result<std::string> {
    return m.sealed_private_key;
  });
  const std::uint16_t port = FreePort();
  ASSERT_TRUE(plane.Apply({"lsr-t", port, {Material("t", "t.test", true)}}));

  auto [first_resumed, ticket] = Resume(port, nullptr);
  ASSERT_NE(ticket, nullptr);
  EXPECT_FALSE(first_resumed);
  auto [resumed, same] = Resume(port, ticket);
  EXPECT_TRUE(resumed);
  SSL_SESSION_free(same);

  // A rotation later the key that made it still opens it (and the ticket is renewed) ...
  clock.Advance(std::chrono::minutes(90));
  auto [after_one, renewed] = Resume(port, ticket);
  EXPECT_TRUE(after_one);
  ASSERT_NE(renewed, nullptr);
  // ... and after the next rotation it opens nothing: a full handshake, while the renewed
  // ticket, made under the newer key, still resumes.
  clock.Advance(std::chrono::minutes(61));
  auto [after_two, fresh] = Resume(port, ticket);
  EXPECT_FALSE(after_two);
  SSL_SESSION_free(fresh);
  auto [renewed_resumes, again] = Resume(port, renewed);
  EXPECT_TRUE(renewed_resumes);
  SSL_SESSION_free(again);
  SSL_SESSION_free(renewed);
  SSL_SESSION_free(ticket);
}

}  // namespace
}  // namespace openalb
