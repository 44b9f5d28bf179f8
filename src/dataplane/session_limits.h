// What bounds the data plane's client connections, shared by every listener port: the
// timeouts of each phase of a connection, the connection caps (in all and per client
// address, with idle kept-alive connections reclaimed first, as on the OpenAPI port; QUIC
// connections count in them too), the cap on request-body bytes buffered at once, when QUIC
// listeners validate addresses, and the rotating session ticket keys. Each is an
// `openalb serve` setting
// (--dataplane-*); the defaults are what a public-facing proxy commonly uses.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <limits>

#include <chrono>
#include <cstddef>

#include "core/byte_budget.h"
#include "core/clock.h"
#include "core/connection_limiter.h"
#include "dataplane/ticket_keys.h"

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
  std::chrono::milliseconds ticket_key_rotation{3'600'000};  // a new session ticket key
  // QUIC: past this many handshakes in flight on a listener, a new client's address is first
  // validated by a Retry round trip (0: always).
  std::size_t quic_retry_above_handshakes = 64;
};

// Built once by the data plane; every session holds a reference for its life.
struct SessionShared {
  SessionShared(const SessionLimits& l, const Clock& clock)
      : limits(l),
        connections(l.max_connections, l.max_connections_per_client),
        buffers(l.buffer_bytes),
        tickets(l.ticket_key_rotation, clock) {}
  const SessionLimits limits;
  ConnectionLimiter connections;
  ByteBudget buffers;
  TicketKeys tickets;  // session ticket keys of every HTTPS listener
  // The client side of TLS to servers of HTTPS server groups: servers are not verified.
  boost::asio::ssl::context upstream_tls{boost::asio::ssl::context::tls_client};
  // Until when (steady clock, ns) this node's configuration is known to be current. Past it —
  // the process was stopped longer than its lease, so a newer version may exist — new
  // connections are refused until the config follower has caught up. Never, by default.
  std::atomic<std::int64_t> current_until_ns{std::numeric_limits<std::int64_t>::max()};
};

}  // namespace openalb
