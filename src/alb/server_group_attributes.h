// A server group's attributes beyond its name, type, protocol and scheduler —
// HealthCheckConfig, StickySessionConfig, UchConfig, UpstreamKeepaliveEnabled and the fields
// openalb records without acting on (ConnectionDrainConfig, SlowStartConfig, CrossZoneEnabled,
// Ipv6Enabled, ServiceName, ResourceGroupId) — between the wire, the store (one JSON object in
// the group's row, every field present, in ALB's names) and the data plane
// (ServerGroupPolicy). A request gives them as a patch, merged field by field over what the
// group has.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/api_error.h"
#include "dataplane/server_group_policy.h"

namespace openalb {

// The stored object completed with ALB's defaults: what ListServerGroups shows.
nlohmann::json ServerGroupAttributesJson(std::string_view stored);
// `stored` with `patch` laid over it, validated and completed: the object to store.
// InvalidParameter (with the field's dotted name) for a value ALB would refuse; `scheduler`
// is the group's (Uch needs UchConfig).
Result<nlohmann::json> MergeServerGroupAttributes(std::string_view stored,
                                                  const nlohmann::json& patch,
                                                  std::string_view scheduler);
// What the data plane acts on.
ServerGroupPolicy ServerGroupPolicyOf(std::string_view stored, std::string_view scheduler);
// The health check fields alone (a health check template's body), validated and completed;
// the template has no HealthCheckEnabled.
Result<nlohmann::json> MergeHealthCheckFields(const nlohmann::json& base,
                                              const nlohmann::json& patch, std::string_view prefix);

}  // namespace openalb
