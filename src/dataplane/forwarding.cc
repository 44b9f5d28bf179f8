#include "dataplane/forwarding.h"

#include "dataplane/gzip_body.h"
#include "dataplane/rule_actions.h"

namespace openalb {

namespace http = boost::beast::http;

void EraseHopByHop(http::fields& fields) {
  for (auto field : {http::field::connection, http::field::keep_alive,
                     http::field::proxy_connection, http::field::te, http::field::trailer,
                     http::field::upgrade, http::field::proxy_authorization}) {
    fields.erase(field);
  }
}

void PrepareForwardedHead(RequestHead& head, const ForwardingFacts& facts,
                          const ListenerOptions& options) {
  EraseHopByHop(head);
  head.erase(http::field::expect);
  SetForwardingHeaders(head, facts, options);
  head.version(11);
  head.erase(http::field::transfer_encoding);
}

void PrepareAnswerHead(http::fields& head, unsigned status, const RouteTable* routes,
                       const std::vector<std::pair<std::string, std::string>>& extra,
                       const BackendPool& pool, const BackendServerState& server,
                       const Affinity& affinity) {
  EraseHopByHop(head);
  if (routes != nullptr && routes->has_response_rules()) {
    if (const CompiledRule* rule = routes->MatchResponse(status, head)) {
      ApplyResponseRule(*rule, head);
    }
  }
  for (const auto& [name, value] : extra) head.insert(name, value);
  StickAnswer(pool, server, affinity, head);
}

void GzipAnswer(http::response<http::string_body>& response, bool client_accepts) {
  if (!client_accepts || response.body().size() < kMinGzipBytes) return;
  const unsigned status = response.result_int();
  if (status < 200 || status == 204 || status == 206 || status == 304) return;
  if (response.find(http::field::content_encoding) != response.end() ||
      !CompressibleType(response[http::field::content_type])) {
    return;
  }
  auto compressed = GzipCompress(response.body());
  if (!compressed || compressed->size() >= response.body().size()) return;
  response.body() = std::move(*compressed);
  response.set(http::field::content_encoding, "gzip");
  response.erase(http::field::etag);  // a strong validator of the identity body
  if (response.find(http::field::vary) == response.end()) {
    response.set(http::field::vary, "Accept-Encoding");
  } else {
    response.set(http::field::vary, std::string(response[http::field::vary]) + ", Accept-Encoding");
  }
}

}  // namespace openalb
