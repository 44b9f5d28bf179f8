// PortListener: one bound listener port, HTTPS or plain HTTP. Accepts connections onto the
// data plane's worker threads (round-robin) — each admitted by the data plane's connection
// limiter first (over a cap it is closed at once: a plain-HTTP client is told 503/429, a TLS
// client gets no handshake) — and hands each to a client session with the
// snapshot current at accept time (client_session.h: certificate selection and forwarding).
// Publish() swaps the snapshot atomically; connections in flight keep their certificate.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/api_error.h"
#include "dataplane/client_session.h"
#include "dataplane/io_workers.h"
#include "dataplane/listener_snapshot.h"

namespace openalb {

class PortListener : public SnapshotSource {
 public:
  // Binds address:port now (a busy port fails here, not later). `tls`: HTTPS, else HTTP.
  // `shared` bounds its connections together with every other port's (session_limits.h).
  static Result<std::shared_ptr<PortListener>> Create(
      IoWorkers& workers, const std::string& address, std::uint16_t port, bool tls,
      std::shared_ptr<const ListenerSnapshot> snapshot, std::shared_ptr<SessionShared> shared);

  virtual void Publish(std::shared_ptr<const ListenerSnapshot> snapshot) = 0;
  virtual std::uint16_t port() const = 0;
  // Closes the port (before it returns, unless the listener's thread cannot run it within two
  // seconds); connections in flight finish on their own.
  virtual void Stop() = 0;
};

}  // namespace openalb
