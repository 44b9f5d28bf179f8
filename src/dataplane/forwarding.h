// What forwarding a request does the same way over HTTP/1.1 (client_session) and HTTP/2
// (h2_session): the fields never forwarded either way, the answers openalb gives itself when it
// cannot forward, and compressing an answer for a client that takes gzip.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/listener_config.h"
#include "dataplane/request_rules.h"
#include "dataplane/route_table.h"
#include "dataplane/session_affinity.h"

namespace openalb {

constexpr std::string_view kNoForwardBody =
    "503 Service Unavailable: this listener has no forward action configured.\n";
constexpr std::string_view kNoServerBody =
    "503 Service Unavailable: no healthy server in the listener's server group.\n";
constexpr std::string_view kBadGatewayBody = "502 Bad Gateway: the server failed to answer.\n";
constexpr std::string_view kBusyBody =
    "503 Service Unavailable: the load balancer is holding too many request bodies; retry.\n";
constexpr std::string_view kGrpcNeedsHttp2Body =
    "502 Bad Gateway: the server group speaks gRPC, which needs HTTP/2 from the client.\n";
constexpr std::string_view kAclRefusedBody =
    "403 Forbidden: the listener's access control does not admit this client.\n";
constexpr std::string_view kTimeoutBody =
    "504 Gateway Timeout: the server did not answer in time.\n";

// Headers that describe one connection, not the message: never forwarded either way.
void EraseHopByHop(boost::beast::http::fields& fields);

// A request head as a server gets it: hop-by-hop fields and `Expect` gone, the forwarding
// headers the listener's options ask for (request_rules.h), HTTP/1.1, and no
// Transfer-Encoding (the caller frames the body).
void PrepareForwardedHead(RequestHead& head, const ForwardingFacts& facts,
                          const ListenerOptions& options);

// A server's answer head as the client gets it: hop-by-hop fields gone, the listener's
// response rules applied, the fields the request's rule queued (`extra`: CORS, a sticky group
// cookie) added, and the client pinned to `server` when its group is sticky.
void PrepareAnswerHead(boost::beast::http::fields& head, unsigned status, const RouteTable* routes,
                       const std::vector<std::pair<std::string, std::string>>& extra,
                       const BackendPool& pool, const BackendServerState& server,
                       const Affinity& affinity);

// GzipEnabled: compresses a complete, compressible answer of some size in place (and says so
// in Content-Encoding and Vary) when `client_accepts` gzip; otherwise leaves it.
void GzipAnswer(boost::beast::http::response<boost::beast::http::string_body>& response,
                bool client_accepts);

}  // namespace openalb
