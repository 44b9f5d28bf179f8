// H3Exchange: one HTTP/3 request forwarded to a server of its pool over HTTP/1.1 — sent whole
// (its head as the listener's rules and forwarding headers leave it), the answer read whole
// up to kH3AnswerLimit and handed back for the HTTP/3 stream, with the answer head prepared
// as for HTTPS (hop-by-hop fields gone, response rules, stickiness). To a server group whose
// Protocol is HTTPS the connection is TLS (not verified, as ALB does not; SNI the request's
// host), one per request. Plain connections to servers are kept alive (unless the group turns
// upstream keep-alive off) in the server's pool shared with HTTPS sessions (a kept-alive one the
// server closed meanwhile is replaced by a new one, the request sent again). A server that refuses
// the connection is passed over and another tried (up to three in all); the listener's
// RequestTimeout bounds the answer (504). Runs on the QUIC listener's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/byte_budget.h"
#include "dataplane/backend_pool.h"
#include "dataplane/listener_snapshot.h"
#include "dataplane/session_affinity.h"

namespace openalb {

// Larger answers get a 502 saying so (HTTP/3 answers are buffered; HTTPS streams them).
inline constexpr std::uint64_t kH3AnswerLimit = 64ull * 1024 * 1024;

struct H3Answer {
  unsigned status = 502;
  boost::beast::http::fields fields;
  std::string body;
  // For the access log: the last server tried ("ip:port", empty if none), the status it
  // answered (0: none), and how long it took (negative: no answer).
  std::string upstream_addr;
  unsigned upstream_status = 0;
  std::chrono::microseconds upstream_time{-1};
};

struct H3ForwardPlan {
  std::shared_ptr<const ListenerSnapshot> route;  // keeps `pool` and the rules alive
  const BackendPool* pool = nullptr;
  boost::beast::http::request<boost::beast::http::string_body> request;
  Affinity affinity;
  std::vector<std::pair<std::string, std::string>> response_headers;  // a rule's (CORS, …)
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};
  // The TLS client context for a server group whose Protocol is HTTPS (SNI: the request's host).
  boost::asio::ssl::context* upstream_tls = nullptr;
  ByteBudget::Hold body_hold;  // the request body's share of the buffered-bytes cap
};

void ForwardH3Request(boost::asio::io_context& io, H3ForwardPlan plan,
                      std::function<void(H3Answer)> done);

}  // namespace openalb
