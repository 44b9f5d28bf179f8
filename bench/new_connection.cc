// new_connection: what a new client pays for its first answer — connect, full TLS 1.3
// handshake, one GET, the whole response read, close — one connection after another on one
// thread for a fixed time. The client behaves like curl or a browser: TCP_NODELAY on its own
// socket, session tickets accepted (never used to resume). Prints
// "<connections> <seconds> <failures> <p50 µs> <p99 µs>"; a failure is any connection that
// did not end in a complete 200 response.
//
// Usage: new_connection PORT SECONDS SERVER_NAME
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "loopback_connect.h"

namespace {

// True once `response` holds a whole HTTP/1.1 response with a Content-Length body.
bool Complete(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::string head = response.substr(0, end);
  std::transform(head.begin(), head.end(), head.begin(), ::tolower);
  size_t length = head.find("content-length:");
  if (length == std::string::npos) return false;
  return response.size() >= end + 4 + std::strtoul(head.c_str() + length + 15, nullptr, 10);
}

bool OneRequest(SSL_CTX* ctx, int port, const std::string& name) {
  int fd = LoopbackConnect(port);
  if (fd < 0) return false;
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, name.c_str());
  bool ok = SSL_connect(ssl) == 1;
  if (ok) {
    std::string request = "GET / HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n\r\n";
    ok = SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0;
  }
  std::string response;
  char buffer[4096];
  while (ok && !Complete(response)) {
    int n = SSL_read(ssl, buffer, sizeof buffer);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  ok = ok && Complete(response) && response.starts_with("HTTP/1.1 200");
  SSL_free(ssl);
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: new_connection PORT SECONDS SERVER_NAME\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const double seconds = std::atof(argv[2]);
  const std::string name = argv[3];
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  std::vector<double> latencies;
  long failed = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    const auto began = std::chrono::steady_clock::now();
    if (OneRequest(ctx, port, name)) {
      latencies.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began)
              .count());
    } else {
      ++failed;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) {
    return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(q * (latencies.size() - 1))];
  };
  std::printf("%zu %.3f %ld %.0f %.0f\n", latencies.size(), elapsed, failed, at(0.50), at(0.99));
  SSL_CTX_free(ctx);
  return 0;
}
