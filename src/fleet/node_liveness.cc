#include "fleet/node_liveness.h"

#include <algorithm>

namespace openalb {

bool HasRole(std::string_view roles, std::string_view role) {
  size_t start = 0;
  while (start <= roles.size()) {
    size_t comma = roles.find(',', start);
    if (comma == std::string_view::npos) comma = roles.size();
    if (roles.substr(start, comma - start) == role) return true;
    start = comma + 1;
  }
  return false;
}

bool ListsListener(std::string_view listener_ids, std::string_view listener_id) {
  return !listener_id.empty() && HasRole(listener_ids, listener_id);  // the same comma list
}

bool IsLive(const NodeRecord& node, std::int64_t now_ms, std::int64_t lease_ms) {
  return node.heartbeat_ms > now_ms - lease_ms;
}

Acknowledgement AcknowledgementOf(std::int64_t version, const std::vector<std::string>& listeners,
                                  const std::vector<NodeRecord>& nodes, std::int64_t now_ms,
                                  std::int64_t lease_ms) {
  Acknowledgement out{.acknowledged = true};
  for (const auto& node : nodes) {
    if (!HasRole(node.roles, "dataplane") || !IsLive(node, now_ms, lease_ms)) continue;
    const bool about_this_job = std::any_of(
        listeners.begin(), listeners.end(),
        [&](const std::string& id) { return ListsListener(node.error_listener_id, id); });
    if (!node.apply_error.empty() && node.error_version >= version && about_this_job) {
      return {.acknowledged = false, .failed_node = node.node_id, .failure = node.apply_error};
    }
    if (node.applied_version < version) out.acknowledged = false;
  }
  return out;
}

}  // namespace openalb
