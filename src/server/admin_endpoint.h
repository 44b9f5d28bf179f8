// The admin address (--admin-listen, off the OpenAPI port): answers for orchestrators and
// monitoring. GET /healthz — 200 while the process runs. GET /readyz — 200 once the node serves
// (a data-plane node: it has applied a configuration version), else 503. GET /metrics — the
// Prometheus text format; with --admin-token set, only for `Authorization: Bearer <token>`
// (compared in constant time; 401 otherwise), while /healthz and /readyz stay open for probes.
// /console — the read-only web console (server/console.h). Plain text, no secrets.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"

namespace openalb {

struct NodeReadiness {
  std::string node_id;
  bool serving = false;
  std::int64_t applied_version = -1;  // -1: none (or not a data-plane node)
};

struct AdminPages {
  std::function<std::string()> metrics;  // the /metrics text; null: no /metrics
  std::string token;                     // empty: /metrics is open
  // The console (server/console.h): its answer for a /console path; null: no console.
  std::function<std::optional<HttpReply>(const HttpRequestView&)> console;
};

// Whether the request says `Authorization: Bearer <token>` (compared in constant time).
bool BearerTokenMatches(const HttpRequestView& request, std::string_view token);

HttpReply AdminReply(const HttpRequestView& request, const NodeReadiness& readiness,
                     const AdminPages& pages);

}  // namespace openalb
