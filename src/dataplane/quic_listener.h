// QuicListener: a QUIC listener's UDP port (dataplane/quic_connection.h for each connection).
// Datagrams are routed to their connection by destination connection id; an Initial packet
// for no known connection starts one, after the listener's ACL admits its source, after the
// address is validated by a Retry round trip when more handshakes than the data plane's
// threshold are in flight (SessionLimits::quic_retry_above_handshakes; a forged or stale
// token is answered INVALID_TOKEN), and after the data plane's connection caps admit it (the
// same caps as TCP listeners, in all and per client address: past them CONNECTION_REFUSED,
// once idle connections could not be reclaimed); a packet
// of an unsupported version is answered with Version Negotiation; a short-header packet for
// an unknown connection gets a stateless reset (so a client whose server restarted learns at
// once), and other garbage is dropped at the cost of a header parse. Runs on one data-plane
// worker thread. Publish() swaps the snapshot atomically: new connections and new requests
// use it, as on HTTPS.
#pragma once

#include <memory>
#include <string>

#include "core/api_error.h"
#include "dataplane/gnutls_certificates.h"
#include "dataplane/io_workers.h"
#include "dataplane/listener_snapshot.h"
#include "dataplane/port_listener.h"
#include "dataplane/session_limits.h"

namespace openalb {

// Binds address:port (UDP) now; fails here when it cannot.
Result<std::shared_ptr<PortListener>> CreateQuicListener(
    IoWorkers& workers, const std::string& address, std::uint16_t port,
    std::shared_ptr<const ListenerSnapshot> snapshot,
    std::shared_ptr<GnutlsCertificates> certificates, std::shared_ptr<SessionShared> sessions);

}  // namespace openalb
