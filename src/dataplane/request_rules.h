// The rules a client's request head meets before the data plane forwards it, so that what a
// server receives is exactly the one request openalb parsed (RFC 9112) and carries only
// forwarding headers openalb wrote:
//
// - Framing (§6): Transfer-Encoding is accepted only as `chunked` alone, on HTTP/1.1, without
//   Content-Length. `chunked` not last, repeated or absent from a Transfer-Encoding is 400
//   (the body's length cannot be known); any other transfer coding is 501. More than one
//   Content-Length field is 400. openalb then forwards the body it read with its own
//   Content-Length and never a Transfer-Encoding.
// - Host (§3.2): exactly one, a valid authority without userinfo; none on HTTP/1.1 or two is 400.
// - Target (§3.2): origin-form (`/path?query`), `*` for OPTIONS, or absolute-form
//   (`http://host/path`), which is rewritten to origin-form with Host set to its authority.
//   CONNECT is 405; anything else 400.
// - Forwarding headers: openalb is their only author. X-Forwarded-For is appended to (every
//   field the client sent, joined, then the client's address), as ALB does; X-Real-IP and
//   X-Forwarded-Proto are set by openalb; X-Forwarded-Host, X-Forwarded-Port and Forwarded
//   from the client are removed, so no server can mistake a client's claim for openalb's.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>

#include <optional>
#include <string>

#include <string_view>
#include "dataplane/listener_config.h"

namespace openalb {

using RequestHead = boost::beast::http::header<true, boost::beast::http::fields>;

struct RequestRefusal {
  boost::beast::http::status status;
  std::string_view body;
};

// Checks a request head as read, before its body; normalises an absolute-form target in
// place. A refusal is answered and the connection closed (its framing cannot be trusted).
std::optional<RequestRefusal> CheckRequestHead(RequestHead& head);

// Replaces the forwarding headers with openalb's: see above. The listener's
// XForwardedForConfig (ListenerOptions) says which it writes: X-Forwarded-For appended
// (ProcessingMode append) or removed (remove, or XForwardedForEnabled false),
// X-Forwarded-Proto, and on request X-Forwarded-Host (the Host the client sent),
// X-Forwarded-Port (the listener's port), X-Forwarded-Client-srcport and SLB-ID. Whatever it
// does not write, it removes: a client never speaks in openalb's name.
struct ForwardingFacts {
  std::string_view client_ip;
  int client_port = 0;
  bool tls = false;
  int listener_port = 0;
  std::string_view load_balancer_id;
  std::string_view client_host;  // the Host the client sent (a rule may rewrite it)
};
void SetForwardingHeaders(RequestHead& head, std::string_view client_ip, bool tls);
void SetForwardingHeaders(RequestHead& head, const ForwardingFacts& facts,
                          const ListenerOptions& options);

}  // namespace openalb
