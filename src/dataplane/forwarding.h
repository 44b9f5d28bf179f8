// What forwarding a request does the same way over HTTP/1.1 (client_session) and HTTP/2
// (h2_session): the fields never forwarded either way, the answers openalb gives itself when it
// cannot forward, and compressing an answer for a client that takes gzip.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

namespace openalb {

constexpr std::string_view kNoForwardBody =
    "503 Service Unavailable: this listener has no forward action configured.\n";
constexpr std::string_view kNoServerBody =
    "503 Service Unavailable: no healthy server in the listener's server group.\n";
constexpr std::string_view kBadGatewayBody = "502 Bad Gateway: the server failed to answer.\n";
constexpr std::string_view kTimeoutBody =
    "504 Gateway Timeout: the server did not answer in time.\n";

// Headers that describe one connection, not the message: never forwarded either way.
void EraseHopByHop(boost::beast::http::fields& fields);

// GzipEnabled: compresses a complete, compressible answer of some size in place (and says so
// in Content-Encoding and Vary) when `client_accepts` gzip; otherwise leaves it.
void GzipAnswer(boost::beast::http::response<boost::beast::http::string_body>& response,
                bool client_accepts);

}  // namespace openalb
