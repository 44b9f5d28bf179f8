// What bounds the data plane's client connections, shared by every listener port: the
// timeouts of each phase of a connection, the connection caps (in all and per client
// address, with idle kept-alive connections reclaimed first, as on the OpenAPI port), and
// the cap on request-body bytes buffered at once. Each is an `openalb serve` setting
// (--dataplane-*); the defaults are what a public-facing proxy commonly uses.
#pragma once

#include <chrono>
#include <cstddef>

#include "core/byte_budget.h"
#include "core/connection_limiter.h"

namespace openalb {

struct SessionLimits {
  std::chrono::milliseconds handshake_timeout{10'000};  // TLS handshake
  std::chrono::milliseconds header_timeout{30'000};     // request line and headers
  std::chrono::milliseconds body_timeout{60'000};       // a request body once its headers are in
  std::chrono::milliseconds idle_timeout{60'000};       // kept alive, waiting for a request
  std::chrono::milliseconds connect_timeout{5'000};     // to a server
  std::chrono::milliseconds response_timeout{60'000};   // a server's answer
  std::size_t max_connections = 10'000;                 // 0: no limit
  std::size_t max_connections_per_client = 512;         // 0: no limit
  std::size_t buffer_bytes = 128u << 20;                // request bodies held at once; 0: no cap
};

// Built once by the data plane; every session holds a reference for its life.
struct SessionShared {
  explicit SessionShared(const SessionLimits& l)
      : limits(l),
        connections(l.max_connections, l.max_connections_per_client),
        buffers(l.buffer_bytes) {}
  const SessionLimits limits;
  ConnectionLimiter connections;
  ByteBudget buffers;
};

}  // namespace openalb
