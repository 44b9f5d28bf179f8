// The admin address (--admin-listen, off the OpenAPI port): answers for orchestrators.
// GET /healthz — 200 while the process runs. GET /readyz — 200 once the node serves (a
// data-plane node: it has applied a configuration version), else 503. Plain text, no secrets.
#pragma once

#include <cstdint>
#include <string>

#include "api/http_types.h"

namespace openalb {

struct NodeReadiness {
  std::string node_id;
  bool serving = false;
  std::int64_t applied_version = -1;  // -1: none (or not a data-plane node)
};

HttpReply AdminReply(const HttpRequestView& request, const NodeReadiness& readiness);

}  // namespace openalb
