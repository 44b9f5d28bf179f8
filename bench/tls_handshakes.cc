// tls_handshakes: full TLS 1.3 handshakes, one after another on one thread, for a fixed
// time; each names a server chosen at random from host-1..host-N.bench.test by SNI (N = 0:
// no SNI at all), so a listener with many certificates is measured looking them up.
// Sessions are never resumed. Prints "<handshakes> <seconds> <failures>".
//
// Usage: tls_handshakes PORT SECONDS N [expect-subject-check: 1]
#include <openssl/ssl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "loopback_connect.h"

namespace {

// One full handshake; with `check`, the served certificate must name `name`.
bool Handshake(SSL_CTX* ctx, int port, const std::string& name, bool check) {
  int fd = LoopbackConnect(port);
  if (fd < 0) return false;
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (!name.empty()) SSL_set_tlsext_host_name(ssl, name.c_str());
  bool ok = SSL_connect(ssl) == 1;
  if (ok && check) {
    X509* peer = SSL_get1_peer_certificate(ssl);
    char cn[256] = {0};
    if (peer != nullptr) {
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
    }
    ok = name == cn;
    X509_free(peer);
  }
  SSL_shutdown(ssl);
  SSL_free(ssl);
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: tls_handshakes PORT SECONDS N [check]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const double seconds = std::atof(argv[2]);
  const int names = std::atoi(argv[3]);
  const bool check = argc > 4 && std::string(argv[4]) == "1";
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  std::mt19937 random(42);
  std::uniform_int_distribution<int> pick(1, names > 0 ? names : 1);
  long done = 0;
  long failed = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    std::string name = names > 0 ? "host-" + std::to_string(pick(random)) + ".bench.test" : "";
    if (Handshake(ctx, port, name, check)) {
      ++done;
    } else {
      ++failed;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%ld %.3f %ld\n", done, elapsed, failed);
  SSL_CTX_free(ctx);
  return 0;
}
