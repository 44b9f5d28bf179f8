#include "api/actions/load_balancer_cloud_actions.h"

#include "alb/api_names.h"
#include "alb/load_balancer_cloud_settings.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

// Every parameter these actions take, by its wire name, into one object.
Result<Json> ReadSettingValues(const ParameterReader& params) {
  Json values = Json::object();
  for (const char* name :
       {"BandwidthPackageId", "LogProject", "LogStore", "AddressType", "LoadBalancerEdition",
        "ResetCapacityReservation", "MinimumLoadBalancerCapacity.CapacityUnits"}) {
    if (auto value = params.Get(name)) values[name] = std::string(*value);
  }
  auto groups = params.StringList("SecurityGroupIds", 10);
  if (!groups) return Fail(groups.error());
  if (!groups->empty()) values["SecurityGroupIds"] = *groups;
  auto zones = params.ObjectList("ZoneMappings", 10);
  if (!zones) return Fail(zones.error());
  if (!zones->empty()) {
    values["ZoneMappings"] = Json::array();
    for (const auto& zone : *zones) {
      Json entry = Json::object();
      for (const auto& [field, value] : zone) entry[field] = value;
      values["ZoneMappings"].push_back(std::move(entry));
    }
  }
  return values;
}

template <const std::string_view* kApi>
Result<Json> CloudSettingAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto values = ReadSettingValues(context.params);
  if (!values) return Fail(values.error());
  CloudSettingChange change{.write = std::move(*write),
                            .load_balancer_id = std::string(*context.params.Get("LoadBalancerId")),
                            .api_name = std::string(*kApi),
                            .values = std::move(*values)};
  auto job = ChangeCloudSetting(context.services.domain, change);
  if (!job) return Fail(job.error());
  // Disable runs as a job (the listeners stop logging when it ends) but, as ALB's, its
  // answer has no JobId.
  if (!*job || *kApi == api_name::kDisableLoadBalancerAccessLog) return Json::object();
  Json body;
  body["JobId"] = (*job)->job_id;
  return body;
}

Result<Json> DescribeCapacityReservationAction(ActionContext& context) {
  auto out = DescribeCapacityReservation(context.services.domain, context.request.caller.account_id,
                                         *context.params.Get("LoadBalancerId"));
  if (!out) return Fail(out.error());
  if (out->contains("LastModifiedMs")) {
    (*out)["LastModifiedTime"] = IsoTime((*out)["LastModifiedMs"].get<std::int64_t>());
    out->erase("LastModifiedMs");
  }
  return *out;
}

template <const std::string_view* kApi>
ActionSpec Setting(AccessLevel access = AccessLevel::kWrite) {
  return AlbAction(*kApi, access, {"LoadBalancerId"},
                   ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                   CloudSettingAction<kApi>);
}

}  // namespace

void RegisterLoadBalancerCloudActions(ActionTable& table) {
  table.Add(Setting<&api_name::kAttachCommonBandwidthPackage>());
  table.Add(Setting<&api_name::kDetachCommonBandwidthPackage>());
  table.Add(Setting<&api_name::kEnableLoadBalancerAccessLog>());
  table.Add(Setting<&api_name::kDisableLoadBalancerAccessLog>());
  table.Add(Setting<&api_name::kEnableLoadBalancerIpv6Internet>());
  table.Add(Setting<&api_name::kDisableLoadBalancerIpv6Internet>());
  table.Add(Setting<&api_name::kLoadBalancerJoinSecurityGroup>());
  table.Add(Setting<&api_name::kLoadBalancerLeaveSecurityGroup>());
  table.Add(Setting<&api_name::kUpdateLoadBalancerAddressTypeConfig>());
  table.Add(Setting<&api_name::kUpdateLoadBalancerEdition>());
  table.Add(Setting<&api_name::kUpdateLoadBalancerZones>());
  table.Add(Setting<&api_name::kStartShiftLoadBalancerZones>());
  table.Add(Setting<&api_name::kCancelShiftLoadBalancerZones>());
  table.Add(Setting<&api_name::kModifyCapacityReservation>());
  table.Add(AlbAction(api_name::kDescribeCapacityReservation, AccessLevel::kRead,
                      {"LoadBalancerId"}, ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                      DescribeCapacityReservationAction));
}

}  // namespace openalb
