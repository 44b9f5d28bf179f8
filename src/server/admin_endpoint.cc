#include "server/admin_endpoint.h"

namespace openalb {

HttpReply AdminReply(const HttpRequestView& request, const NodeReadiness& readiness) {
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
  return {404, "text/plain", "not found: /healthz, /readyz\n", {}};
}

}  // namespace openalb
