#include "alb/load_balancer_cloud_settings.h"

#include <algorithm>
#include <array>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/jobs.h"
#include "alb/load_balancer_attributes.h"
#include "alb/load_balancers.h"

namespace openalb {
namespace {

using SettingsJson = nlohmann::json;

constexpr size_t kMaxSecurityGroups = 4;
constexpr int kMaxCapacityUnits = 1500;

// DisableLoadBalancerAccessLog answers without a JobId, as on ALB, but runs as one: the
// listeners' access log stops when the job re-applies them (on every data-plane node).
constexpr std::array<std::string_view, 10> kJobSettings = {
    api_name::kAttachCommonBandwidthPackage,        api_name::kDetachCommonBandwidthPackage,
    api_name::kEnableLoadBalancerAccessLog,         api_name::kDisableLoadBalancerAccessLog,
    api_name::kEnableLoadBalancerIpv6Internet,      api_name::kDisableLoadBalancerIpv6Internet,
    api_name::kLoadBalancerJoinSecurityGroup,       api_name::kLoadBalancerLeaveSecurityGroup,
    api_name::kUpdateLoadBalancerAddressTypeConfig, api_name::kUpdateLoadBalancerZones,
};

ApiError Error(std::string_view code, std::string message) {
  return ApiError{std::string(code), 400, std::move(message), {}};
}

// A required text parameter of at most 128 characters.
Result<std::string> RequiredText(const SettingsJson& values, const char* name) {
  auto it = values.find(name);
  if (it == values.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Fail(errors::MissingParameter(name));
  }
  std::string text = it->get<std::string>();
  if (text.size() > 128) return Fail(errors::InvalidParameter(name, "at most 128 characters"));
  return text;
}

Result<std::vector<std::string>> SecurityGroups(const SettingsJson& values) {
  auto it = values.find("SecurityGroupIds");
  if (it == values.end() || !it->is_array() || it->empty()) {
    return Fail(errors::MissingParameter("SecurityGroupIds"));
  }
  if (it->size() > kMaxSecurityGroups) {
    return Fail(errors::InvalidParameter("SecurityGroupIds", "at most 4 security groups"));
  }
  std::vector<std::string> out;
  for (const auto& id : *it) {
    if (!id.is_string() || id.get<std::string>().empty() || id.get<std::string>().size() > 128) {
      return Fail(errors::InvalidParameter("SecurityGroupIds", "expected security group ids"));
    }
    out.push_back(id.get<std::string>());
  }
  return out;
}

int EditionRank(std::string_view edition) {
  if (edition == "Basic") return 0;
  if (edition == "Standard") return 1;
  if (edition == "StandardWithWaf") return 2;
  return -1;
}

// The zones of `values`' ZoneMappings, each one of the load balancer's.
Result<std::vector<std::string>> ZonesOfLoadBalancer(const SettingsJson& attributes,
                                                     const SettingsJson& values) {
  auto it = values.find("ZoneMappings");
  if (it == values.end() || !it->is_array() || it->empty()) {
    return Fail(errors::MissingParameter("ZoneMappings"));
  }
  std::vector<std::string> zones;
  for (const auto& zone : attributes.value("ZoneMappings", SettingsJson::array())) {
    zones.push_back(zone.value("ZoneId", ""));
  }
  std::vector<std::string> out;
  for (const auto& mapping : *it) {
    const std::string zone = mapping.is_object() ? mapping.value("ZoneId", "") : "";
    if (zone.empty()) return Fail(errors::MissingParameter("ZoneMappings.N.ZoneId"));
    if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
      return Fail(errors::InvalidParameter(
          "ZoneMappings.N.ZoneId",
          std::string(zone.substr(0, 64)).append(" is not one of the load balancer's zones")));
    }
    out.push_back(zone);
  }
  return out;
}

// Lays the action's change over the load balancer (its row's columns and attributes).
Result<void> Apply(LoadBalancer& lb, const CloudSettingChange& change, std::int64_t now_ms) {
  SettingsJson attributes = SettingsJson::parse(lb.attributes, nullptr, false);
  if (!attributes.is_object()) attributes = SettingsJson::object();
  const std::string_view api = change.api_name;
  const SettingsJson& values = change.values;
  if (api == api_name::kAttachCommonBandwidthPackage ||
      api == api_name::kDetachCommonBandwidthPackage) {
    auto id = RequiredText(values, "BandwidthPackageId");
    if (!id) return Fail(id.error());
    const std::string current = attributes.value("BandwidthPackageId", "");
    if (api == api_name::kAttachCommonBandwidthPackage) {
      if (lb.address_type != "Internet") {
        return Fail(Error("OperationDenied.IntranetLoadBalancer",
                          "A bandwidth package serves an Internet load balancer only."));
      }
      if (!current.empty() && current != *id) {
        return Fail(Error("ResourceAlreadyAssociated.BandwidthPackage",
                          "The load balancer already has bandwidth package " + current + "."));
      }
      attributes["BandwidthPackageId"] = *id;
    } else {
      if (current != *id) {
        return Fail(Error("AssociationNotFound.BandwidthPackage",
                          "Bandwidth package " + *id + " is not attached to the load balancer."));
      }
      attributes.erase("BandwidthPackageId");
    }
  } else if (api == api_name::kEnableLoadBalancerAccessLog) {
    auto project = RequiredText(values, "LogProject");
    if (!project) return Fail(project.error());
    auto store = RequiredText(values, "LogStore");
    if (!store) return Fail(store.error());
    if (attributes.contains("AccessLogConfig")) {
      return Fail(Error("OperationDenied.AccessLogEnabled",
                        "The load balancer's access log is enabled already."));
    }
    attributes["AccessLogConfig"] = {{"LogProject", *project}, {"LogStore", *store}};
  } else if (api == api_name::kDisableLoadBalancerAccessLog) {
    if (!attributes.contains("AccessLogConfig")) {
      return Fail(Error("OperationDenied.AccessLogDisabled",
                        "The load balancer's access log is not enabled."));
    }
    attributes.erase("AccessLogConfig");
  } else if (api == api_name::kEnableLoadBalancerIpv6Internet ||
             api == api_name::kDisableLoadBalancerIpv6Internet) {
    if (attributes.value("AddressIpVersion", "IPv4") != "DualStack") {
      return Fail(Error("OperationDenied.AddressIpVersionNotSupport",
                        "IPv6 internet access needs a DualStack load balancer."));
    }
    attributes["Ipv6AddressType"] =
        api == api_name::kEnableLoadBalancerIpv6Internet ? "Internet" : "Intranet";
  } else if (api == api_name::kLoadBalancerJoinSecurityGroup ||
             api == api_name::kLoadBalancerLeaveSecurityGroup) {
    auto groups = SecurityGroups(values);
    if (!groups) return Fail(groups.error());
    std::vector<std::string> current =
        attributes.value("SecurityGroupIds", std::vector<std::string>{});
    for (const auto& id : *groups) {
      const bool present = std::find(current.begin(), current.end(), id) != current.end();
      if (api == api_name::kLoadBalancerJoinSecurityGroup && !present) current.push_back(id);
      if (api == api_name::kLoadBalancerLeaveSecurityGroup) {
        if (!present) {
          return Fail(Error("AssociationNotFound.SecurityGroup",
                            "The load balancer is not in security group " + id + "."));
        }
        current.erase(std::find(current.begin(), current.end(), id));
      }
    }
    if (current.size() > kMaxSecurityGroups) {
      return Fail(errors::InvalidParameter("SecurityGroupIds", "at most 4 security groups"));
    }
    attributes["SecurityGroupIds"] = current;
  } else if (api == api_name::kUpdateLoadBalancerAddressTypeConfig) {
    auto type = RequiredText(values, "AddressType");
    if (!type) return Fail(type.error());
    if (*type != "Internet" && *type != "Intranet") {
      return Fail(errors::InvalidParameter("AddressType", "it is Internet or Intranet"));
    }
    if (*type == "Intranet") attributes.erase("BandwidthPackageId");
    lb.address_type = *type;
  } else if (api == api_name::kUpdateLoadBalancerEdition) {
    auto edition = RequiredText(values, "LoadBalancerEdition");
    if (!edition) return Fail(edition.error());
    const int to = EditionRank(*edition);
    if (to < 0) {
      return Fail(errors::InvalidParameter("LoadBalancerEdition",
                                           "it is Basic, Standard or StandardWithWaf"));
    }
    if (to < EditionRank(lb.edition)) {
      return Fail(Error(
          "OperationDenied.EditionDowngrade",
          "A load balancer's edition can be raised, not lowered (it is " + lb.edition + ")."));
    }
    lb.edition = *edition;
  } else if (api == api_name::kUpdateLoadBalancerZones) {
    auto zones = values.find("ZoneMappings");
    if (zones == values.end()) return Fail(errors::MissingParameter("ZoneMappings"));
    auto merged = MergeLoadBalancerAttributes(lb.attributes, {{"ZoneMappings", *zones}}, now_ms);
    if (!merged) return Fail(merged.error());
    attributes["ZoneMappings"] = (*merged)["ZoneMappings"];
    attributes.erase("ShiftedZones");  // a new set of zones starts unshifted
  } else if (api == api_name::kStartShiftLoadBalancerZones ||
             api == api_name::kCancelShiftLoadBalancerZones) {
    auto zones = ZonesOfLoadBalancer(attributes, values);
    if (!zones) return Fail(zones.error());
    std::vector<std::string> shifted = attributes.value("ShiftedZones", std::vector<std::string>{});
    for (const auto& zone : *zones) {
      auto it = std::find(shifted.begin(), shifted.end(), zone);
      if (api == api_name::kStartShiftLoadBalancerZones && it == shifted.end()) {
        shifted.push_back(zone);
      }
      if (api == api_name::kCancelShiftLoadBalancerZones && it != shifted.end()) shifted.erase(it);
    }
    attributes["ShiftedZones"] = shifted;
  } else if (api == api_name::kModifyCapacityReservation) {
    const bool reset = values.value("ResetCapacityReservation", "") == "true";
    auto units = values.find("MinimumLoadBalancerCapacity.CapacityUnits");
    if (reset) {
      attributes.erase("CapacityReservation");
    } else if (units == values.end()) {
      return Fail(errors::MissingParameter("MinimumLoadBalancerCapacity.CapacityUnits"));
    } else {
      const std::string text = units->is_string() ? units->get<std::string>() : "";
      int n = 0;
      if (text.empty() || text.size() > 5 ||
          !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          (n = std::stoi(text)) < 1 || n > kMaxCapacityUnits) {
        return Fail(errors::InvalidParameter("MinimumLoadBalancerCapacity.CapacityUnits",
                                             "it is an integer from 1 to 1500"));
      }
      attributes["CapacityReservation"] = {{"CapacityUnits", n}, {"ModifiedMs", now_ms}};
    }
  } else {
    return Fail(errors::InvalidParameter("Action", "not a load balancer setting"));
  }
  lb.attributes = attributes.dump();
  return {};
}

}  // namespace

bool IsCloudSettingJob(std::string_view api) {
  return std::find(kJobSettings.begin(), kJobSettings.end(), api) != kJobSettings.end();
}

Result<std::optional<Job>> ChangeCloudSetting(const Domain& domain,
                                              const CloudSettingChange& change) {
  const std::string& account = change.write.account_id;
  if (IsCloudSettingJob(change.api_name)) {
    auto job = RunJobWrite(domain, change.write, change.api_name,
                           ParameterFingerprint({change.load_balancer_id, change.values.dump()}),
                           [&](StoreTx& tx) -> Result<Job> {
                             auto lb =
                                 ActiveLoadBalancerOrFail(tx, account, change.load_balancer_id);
                             if (!lb) return Fail(lb.error());
                             if (auto r = Apply(*lb, change, domain.NowMs()); !r)
                               return Fail(r.error());
                             if (change.api_name != api_name::kDisableLoadBalancerAccessLog) {
                               lb->status = status::kConfiguring;
                             }
                             if (auto r = tx.UpdateLoadBalancer(*lb); !r) return Fail(r.error());
                             Job job = MakeJob(domain, account, change.api_name, job_kind::kUpdate,
                                               job_kind::kLoadBalancer, change.load_balancer_id);
                             if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                             return job;
                           });
    if (!job) return Fail(job.error());
    return std::optional<Job>{std::move(*job)};
  }
  auto done = RunDirectWrite(domain, change.write, change.api_name,
                             ParameterFingerprint({change.load_balancer_id, change.values.dump()}),
                             [&](StoreTx& tx) -> Result<std::string> {
                               auto lb =
                                   ActiveLoadBalancerOrFail(tx, account, change.load_balancer_id);
                               if (!lb) return Fail(lb.error());
                               if (auto r = Apply(*lb, change, domain.NowMs()); !r)
                                 return Fail(r.error());
                               if (auto r = tx.UpdateLoadBalancer(*lb); !r) return Fail(r.error());
                               return lb->load_balancer_id;
                             });
  if (!done) return Fail(done.error());
  return std::optional<Job>{};
}

Result<nlohmann::json> DescribeCapacityReservation(const Domain& domain,
                                                   std::string_view account_id,
                                                   std::string_view load_balancer_id) {
  return InTransaction<nlohmann::json>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<nlohmann::json> {
        auto lb = FindLoadBalancerOrFail(tx, account_id, load_balancer_id);
        if (!lb) return Fail(lb.error());
        SettingsJson attributes = SettingsJson::parse(lb->attributes, nullptr, false);
        if (!attributes.is_object()) attributes = SettingsJson::object();
        const SettingsJson reservation = attributes.value("CapacityReservation", SettingsJson{});
        SettingsJson out;
        out["CapacityReservationState"] = SettingsJson::array();
        out["DecreaseRequestsRemaining"] = 0;  // no cloud capacity to give back here
        if (reservation.is_object()) {
          const int units = reservation.value("CapacityUnits", 0);
          out["MinimumLoadBalancerCapacity"] = {{"CapacityUnits", units}};
          out["LastModifiedMs"] = reservation.value("ModifiedMs", std::int64_t{0});
          for (const auto& zone : attributes.value("ZoneMappings", SettingsJson::array())) {
            // Recorded, not provisioned: no capacity is reserved on this machine.
            out["CapacityReservationState"].push_back(
                {{"AvailabilityZone", zone.value("ZoneId", "")},
                 {"EffectiveCapacityUnits", 0},
                 {"Status", "Recorded"},
                 {"Reason", "openalb reserves no capacity"}});
          }
        }
        return out;
      });
}

}  // namespace openalb
