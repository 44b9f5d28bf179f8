// What a matched forwarding rule does to a request and its answer, as plain functions over
// Beast's messages so they are tested without sockets: the actions before the final one
// (TrafficLimit, Cors, Rewrite, InsertHeader, RemoveHeader) in their Order, then the final one —
// forward to one of its server groups (by weight, or the group a sticky cookie names), answer
// a Redirect or a FixedResponse. Response rules insert and remove the answer's headers.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/route_table.h"

namespace openalb {

using RuleRequestHead = boost::beast::http::header<true, boost::beast::http::fields>;

// The connection a request arrived on.
struct RequestOrigin {
  std::string client_ip;
  int client_port = 0;
  int local_port = 0;  // the port the client connected to (${port} of a redirect)
  bool tls = false;
};

// The outcome of a request rule: forward to `pool`, or answer at the listener.
struct RuleOutcome {
  const BackendPool* pool = nullptr;  // forward here (when `answer` is false)
  bool answer = false;
  boost::beast::http::status status = boost::beast::http::status::ok;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // of the answer
  // Fields to add to the server's answer when the request is forwarded (CORS, sticky cookie).
  std::vector<std::pair<std::string, std::string>> response_headers;
};

// The request as conditions see it; `host` receives the lower-case host without port.
RequestFacts FactsOf(const RuleRequestHead& head, std::string& host,
                     const boost::asio::ip::address* client);

// Runs `rule`'s actions on `head` (rewritten and re-headered in place).
RuleOutcome ApplyRequestRule(const CompiledRule& rule, const RouteTable& table,
                             RuleRequestHead& head, const RequestOrigin& origin,
                             std::chrono::steady_clock::time_point now);

// Runs a response rule's InsertHeader and RemoveHeader actions on the answer's fields.
void ApplyResponseRule(const CompiledRule& rule, boost::beast::http::fields& response);

// The cookie naming the server group a sticky ForwardGroup chose.
inline constexpr std::string_view kStickyGroupCookie = "openalb_sticky_group";

}  // namespace openalb
