// ALB's actions on what a cloud deployment of a load balancer is attached to — a shared
// bandwidth package, security groups, an SLS access-log project, IPv6 internet access, its
// zones and address type, zone shifts, its capacity reservation — and its edition. Each is
// validated as ALB validates it, recorded in the load balancer's row and shown by
// GetLoadBalancerAttribute (or DescribeCapacityReservation); those ALB answers with a JobId
// are jobs (the load balancer Configuring until it completes), the rest change at once. Of
// them only the edition changes what openalb does (its quotas); none of the others has a
// network here to act on, and the README says so for each.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "alb/domain.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"

namespace openalb {

struct CloudSettingChange {
  WriteRequest write;
  std::string load_balancer_id;
  std::string api_name;  // one of the actions above
  // The action's own parameters by their wire names: BandwidthPackageId, LogProject, LogStore,
  // SecurityGroupIds (array), AddressType, LoadBalancerEdition, ZoneMappings (array of
  // objects), MinimumLoadBalancerCapacity.CapacityUnits, ResetCapacityReservation.
  nlohmann::json values = nlohmann::json::object();
};

// The job for the actions ALB answers with a JobId; nothing for the others.
Result<std::optional<Job>> ChangeCloudSetting(const Domain& domain,
                                              const CloudSettingChange& change);
// DescribeCapacityReservation's answer for the load balancer.
Result<nlohmann::json> DescribeCapacityReservation(const Domain& domain,
                                                   std::string_view account_id,
                                                   std::string_view load_balancer_id);
// Whether `api_name` is one of the job-answered settings (completed like
// UpdateLoadBalancerAttribute: the load balancer Active again).
bool IsCloudSettingJob(std::string_view api_name);

}  // namespace openalb
