// QuicListener: a QUIC listener's UDP port (dataplane/quic_connection.h for each connection).
// Datagrams are routed to their connection by destination connection id; an Initial packet
// for no known connection starts one (after the listener's ACL admits its source); a packet
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

namespace openalb {

// Binds address:port (UDP) now; fails here when it cannot.
Result<std::shared_ptr<PortListener>> CreateQuicListener(
    IoWorkers& workers, const std::string& address, std::uint16_t port,
    std::shared_ptr<const ListenerSnapshot> snapshot,
    std::shared_ptr<GnutlsCertificates> certificates);

}  // namespace openalb
