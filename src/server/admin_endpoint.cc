#include "server/admin_endpoint.h"

#include "core/crypto.h"
#include "core/prometheus_text.h"

namespace openalb {

bool BearerTokenMatches(const HttpRequestView& request, std::string_view token) {
  const std::string_view given = request.Header("authorization").value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  return given.substr(0, kBearer.size()) == kBearer &&
         ConstantTimeEquals(given.substr(kBearer.size()), token);
}

HttpReply AdminReply(const HttpRequestView& request, const NodeReadiness& readiness,
                     const AdminPages& pages) {
  if (pages.console) {
    if (auto reply = pages.console(request)) return *reply;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return {405, "text/plain", "GET only\n", {{"Allow", "GET, HEAD"}}};
  }
  const std::string path = request.target.substr(0, request.target.find('?'));
  std::string about = "node_id=" + readiness.node_id;
  if (readiness.applied_version >= 0) {
    about += " applied_version=" + std::to_string(readiness.applied_version);
  }
  if (path == "/healthz") return {200, "text/plain", "ok " + about + "\n", {}};
  if (path == "/readyz") {
    if (readiness.serving) return {200, "text/plain", "ready " + about + "\n", {}};
    return {503, "text/plain", "not ready " + about + "\n", {}};
  }
  if (path == "/metrics" && pages.metrics) {
    if (!pages.token.empty()) {
      if (!BearerTokenMatches(request, pages.token)) {
        return {401,
                "text/plain",
                "401 Unauthorized: /metrics needs Authorization: Bearer <the admin token>.\n",
                {{"WWW-Authenticate", "Bearer realm=\"openalb admin\""}}};
      }
    }
    return {200, std::string(PrometheusText::kContentType), pages.metrics(), {}};
  }
  return {404, "text/plain", "not found: /healthz, /readyz, /metrics, /console\n", {}};
}

}  // namespace openalb
