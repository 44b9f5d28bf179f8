// GetListenerHealthStatus: the health of the servers a listener forwards to — by its default
// action and, when asked, by each of its rules — as ALB reports it: per server group whether
// checks are on, and the servers that are not normal. A server is Unhealthy (with the probe's
// reason) when its active checks say so, Initial while no verdict has come, Unavailable when
// its group has no active check, Unused at weight 0. The verdicts come from this process's data
// plane (every node probes for itself); healthy servers are not listed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "core/api_error.h"
#include "dataplane/health_checker.h"
#include "store/records.h"

namespace openalb {

struct ServerHealthView {
  std::string server_id;
  std::string server_ip;
  int port = 0;
  std::string status;  // Unhealthy, Initial, Unavailable, Unused
  HealthReport reason;
};

struct GroupHealthView {
  std::string server_group_id;
  bool health_check_enabled = false;
  std::vector<ServerHealthView> non_normal_servers;
};

struct RuleHealthView {
  std::string rule_id;
  std::vector<GroupHealthView> groups;
};

struct ListenerHealthView {
  Listener listener;
  std::vector<GroupHealthView> groups;  // the default action's
  std::vector<RuleHealthView> rules;
};

// What the data plane's probes say of one server of one group; nullopt: not probed here.
using HealthLookup =
    std::function<std::optional<HealthReport>(const std::string&, const std::string&, int)>;

// ResourceNotFound.Listener unless the account owns it.
Result<ListenerHealthView> GetListenerHealth(const Domain& domain, std::string_view account_id,
                                             std::string_view listener_id, bool include_rules,
                                             const HealthLookup& lookup);

}  // namespace openalb
