// Which nodes count, and whether they have applied a configuration version: the rules a job
// worker on a shared store follows before it calls a job Succeeded (the Envoy ACK model, per
// job), and that `openalb nodes` shows. A node is live while its heartbeat is younger than the
// lease; only live nodes with the dataplane role hold a job back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace openalb {

// Whether `roles` ("api,worker,dataplane") holds `role`.
bool HasRole(std::string_view roles, std::string_view role);

// Whether a node's error_listener_id ("lsn-a,lsn-b") names `listener_id`.
bool ListsListener(std::string_view listener_ids, std::string_view listener_id);

bool IsLive(const NodeRecord& node, std::int64_t now_ms, std::int64_t lease_ms);

struct Acknowledgement {
  bool acknowledged = false;  // every live data-plane node applied the version
  std::string failed_node;    // else, a live node that reported it could not, if any
  std::string failure;        // that node's reason
};

// A node's failure counts against the job only when it is about one of `listeners` (those the
// job changes what is served on); another listener a node cannot serve is that listener's
// job's business.
Acknowledgement AcknowledgementOf(std::int64_t version, const std::vector<std::string>& listeners,
                                  const std::vector<NodeRecord>& nodes, std::int64_t now_ms,
                                  std::int64_t lease_ms);

}  // namespace openalb
