// A load balancer's attributes beyond its name, edition, VPC and address type — ZoneMappings,
// LoadBalancerBillingConfig, AddressAllocatedMode, AddressIpVersion, ResourceGroupId,
// DeletionProtectionConfig and ModificationProtectionConfig — between the wire and the store
// (one JSON object in the load balancer's row, in ALB's names). Terraform compares each of
// them on every read, so they are kept exactly as given and shown with ALB's defaults for the
// rest. Deletion protection is honoured (DeleteLoadBalancer is refused while it is on); the
// rest describe a cloud deployment and are recorded only (the README says so).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

#include "core/api_error.h"

namespace openalb {

// `stored` with `patch` laid over it. The patch uses the request's names: ZoneMappings (an
// array of {ZoneId, VSwitchId}), LoadBalancerBillingConfig {PayType, BandwidthPackageId},
// AddressAllocatedMode, AddressIpVersion, ResourceGroupId, DeletionProtectionEnabled (a
// boolean, its EnabledTime set to `now_ms` when it turns on) and ModificationProtectionConfig
// {Status, Reason}. InvalidParameter or MissingParameter naming the field otherwise.
Result<nlohmann::json> MergeLoadBalancerAttributes(std::string_view stored,
                                                   const nlohmann::json& patch,
                                                   std::int64_t now_ms);
// Every field as GetLoadBalancerAttribute shows it (EnabledTime as ms since the epoch, which
// the action renders).
nlohmann::json LoadBalancerAttributesJson(std::string_view stored);
bool DeletionProtectionEnabled(std::string_view stored);

}  // namespace openalb
