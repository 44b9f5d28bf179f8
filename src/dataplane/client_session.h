// ClientSession: one client's connection to a listener, HTTPS or plain HTTP. For HTTPS the
// client-hello callback picks the certificate from the snapshot the connection began with;
// after the handshake each
// HTTP/1.1 request (keep-alive) is forwarded to a server of the forward action the listener
// has when the request arrives (a removed server gets no new request, even on a connection
// opened before its removal) —
// weighted round-robin or source hash, over pooled keep-alive connections, with
// X-Forwarded-For and X-Forwarded-Proto — and the answer relayed. A listener without a
// forward action answers a fixed 503; a server group with no server left to try, 503; a
// server that fails mid-exchange, 502; one that does not answer in time, 504.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string_view>

#include "dataplane/deadline_sweeper.h"
#include "dataplane/listener_snapshot.h"
#include "dataplane/session_limits.h"

namespace openalb {

class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  virtual std::shared_ptr<const ListenerSnapshot> Current() const = 0;
};

// A connection bound to one data plane thread's io_context (io_workers.h): its handlers
// run on that thread only, so the session needs no strand.
using WorkerSocket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// Starts serving an accepted connection — over TLS with `tls_context`, plain HTTP when it is
// null; the session keeps itself (and `listener`) alive until it closes.
// `shared` bounds it (session_limits.h); `slot` is its admitted place among the connections.
void StartClientSession(WorkerSocket socket, boost::asio::ssl::context* tls_context,
                        DeadlineSweeper& deadlines, std::shared_ptr<const SnapshotSource> listener,
                        std::shared_ptr<SessionShared> shared, ConnectionLimiter::Slot slot);

// Where the client-hello callback finds the connection's snapshot (SSL ex_data index).
int SnapshotExDataIndex();
// Where it leaves the certificate it chose (a ServedCertificate of that snapshot).
int ChosenCertificateExDataIndex();

// A TLS connection's facts for its access-log lines (views into `ssl`'s own strings).
struct TlsLogFacts {
  std::string_view sni, version, cipher, certificate_id;
};
TlsLogFacts TlsLogFactsOf(SSL* ssl);

}  // namespace openalb
