// Session affinity: what a request's choice of server depends on beyond the scheduler's own
// state, and the cookie its answer carries back. Insert stickiness: openalb sets
// `openalb_server=<token>` (Max-Age CookieTimeout) and routes a request carrying it to that
// server while it is usable. Server stickiness (HAProxy's "cookie … prefix"): the server's own
// cookie, named in StickySessionConfig.Cookie, goes to the client as `<token>~<value>`; a request
// carrying it goes to that server and the server sees its value unchanged. A token names no
// server of the pool, or one that is unhealthy: the scheduler chooses, and the answer re-pins.
// Uch hashes a query string parameter; the other schedulers the client's address.
#pragma once

#include <boost/beast/http/fields.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "dataplane/backend_pool.h"

namespace openalb {

struct Affinity {
  std::uint64_t key = 0;                          // what Sch/Uch hash
  const BackendServerState* preferred = nullptr;  // the sticky session's server
};

// Reads the request's affinity for `pool`; for Server stickiness it also removes openalb's
// prefix from the server's cookie in `request_fields`.
Affinity AffinityOf(const BackendPool& pool, boost::beast::http::fields& request_fields,
                    std::string_view target, std::uint64_t client_hash);
// Pins the client to `chosen` in the answer's fields: Set-Cookie for Insert (unless the
// request was already pinned there), the server's Set-Cookie prefixed for Server.
void StickAnswer(const BackendPool& pool, const BackendServerState& chosen,
                 const Affinity& affinity, boost::beast::http::fields& response_fields);
// A token as the cookie carries it (16 hex digits), and back (0 when it is not one).
std::string StickyTokenText(std::uint64_t token);
std::uint64_t StickyTokenFrom(std::string_view text);

}  // namespace openalb
