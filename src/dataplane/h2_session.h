// H2Session: an HTTPS client connection that chose h2 by ALPN, served with nghttp2 (framing,
// HPACK, flow control and the protocol's own checks are the library's). Each stream is
// forwarded as one HTTP/1.1 exchange to a server of the listener's forward action or of the
// rule it matches — the same rules, headers, schedulers, stickiness and health as HTTP/1.1
// (client_session.h) — over pooled server connections, with both bodies streamed under flow
// control: a request's DATA is acknowledged (WINDOW_UPDATE) only as the server takes it, and
// a server's answer is read only as fast as the client's window lets it go. A stream for a
// gRPC server group goes instead as a stream of an HTTP/2 connection to the server
// (h2_upstream.h), its trailers relayed.
// Limits: 100 concurrent streams, 32 KiB of header list per request, and a client that
// resets streams, sends SETTINGS or PINGs in a flood, or opens streams it does not use faster
// than kMaxResetsPerSecond is sent GOAWAY (ENHANCE_YOUR_CALM) and cut off.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>

#include "dataplane/client_session.h"

namespace openalb {

// Serves `stream` (its handshake done, h2 selected) from now on; `already_read` is what was
// read past the handshake. The session keeps itself alive until the connection closes.
void StartH2Session(boost::beast::ssl_stream<WorkerSocket> stream,
                    boost::beast::flat_buffer already_read, DeadlineSweeper& deadlines,
                    std::shared_ptr<const SnapshotSource> listener,
                    std::shared_ptr<SessionShared> shared, ConnectionLimiter::Slot slot);

}  // namespace openalb
