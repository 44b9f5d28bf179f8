#include "alb/load_balancer_attributes.h"

#include <algorithm>
#include <set>
#include <string>

#include "alb/json_fields.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

using LbJson = nlohmann::json;

constexpr size_t kMaxZoneMappings = 10;

LbJson Parsed(std::string_view stored) {
  auto parsed = LbJson::parse(stored, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : LbJson::object();
}

Result<std::string> Text(const LbJson& value, const std::string& name, size_t max_length) {
  if (!value.is_string()) return Fail(errors::InvalidParameter(name, "expected text"));
  const auto text = value.get<std::string>();
  if (text.size() > max_length) {
    return Fail(errors::InvalidParameter(
        name, "it is longer than " + std::to_string(max_length) + " characters"));
  }
  return text;
}

Result<std::string> Choice(const LbJson& value, const std::string& name,
                           std::initializer_list<std::string_view> allowed) {
  auto text = Text(value, name, 64);
  if (!text) return Fail(text.error());
  for (auto option : allowed) {
    if (*text == option) return *text;
  }
  std::string why = "it is one of";
  for (auto option : allowed) why += " " + std::string(option);
  return Fail(errors::InvalidParameter(name, why));
}

Result<LbJson> ZoneMappings(const LbJson& value) {
  if (!value.is_array()) return Fail(errors::InvalidParameter("ZoneMappings", "expected a list"));
  if (value.size() > kMaxZoneMappings) {
    return Fail(errors::InvalidParameter("ZoneMappings", "at most 10 zones"));
  }
  LbJson out = LbJson::array();
  std::set<std::string> zones;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string prefix = "ZoneMappings." + std::to_string(i + 1) + ".";
    const LbJson& entry = value[i];
    if (!entry.is_object()) return Fail(errors::InvalidParameter(prefix, "expected an object"));
    LbJson mapping = LbJson::object();
    for (const char* field : {"ZoneId", "VSwitchId"}) {
      if (!entry.contains(field) || entry[field] == "") {
        return Fail(errors::MissingParameter(prefix + field));
      }
      auto text = Text(entry[field], prefix + field, 128);
      if (!text) return Fail(text.error());
      mapping[field] = *text;
    }
    for (const auto& [field, _] : entry.items()) {
      if (field != "ZoneId" && field != "VSwitchId" && field != "IntranetAddress" &&
          field != "AllocationId" && field != "EipType") {
        return Fail(errors::InvalidParameter(prefix + field, "unknown field"));
      }
    }
    if (!zones.insert(mapping["ZoneId"].get<std::string>()).second) {
      return Fail(errors::InvalidParameter(prefix + "ZoneId", "the zone is given twice"));
    }
    out.push_back(std::move(mapping));
  }
  return out;
}

}  // namespace

Result<LbJson> MergeLoadBalancerAttributes(std::string_view stored, const LbJson& patch,
                                           std::int64_t now_ms) {
  LbJson out = Parsed(stored);
  if (!patch.is_object()) return out;
  for (const auto& [key, value] : patch.items()) {
    if (key == "ZoneMappings") {
      auto zones = ZoneMappings(value);
      if (!zones) return Fail(zones.error());
      out[key] = std::move(*zones);
    } else if (key == "LoadBalancerBillingConfig") {
      if (!value.is_object()) return Fail(errors::InvalidParameter(key, "expected an object"));
      LbJson billing = out.value(key, LbJson::object());
      for (const auto& [field, field_value] : value.items()) {
        const std::string name = key + "." + field;
        if (field == "PayType") {
          // The API's only value; Terraform writes PayAsYouGo and sends PostPay.
          auto pay = Choice(field_value, name, {"PostPay"});
          if (!pay) return Fail(pay.error());
          billing[field] = *pay;
        } else if (field == "BandwidthPackageId") {
          auto id = Text(field_value, name, 128);
          if (!id) return Fail(id.error());
          if (!id->empty()) billing[field] = *id;
        } else {
          return Fail(errors::InvalidParameter(name, "unknown field"));
        }
      }
      out[key] = std::move(billing);
    } else if (key == "AddressAllocatedMode") {
      auto mode = Choice(value, key, {"Fixed", "Dynamic"});
      if (!mode) return Fail(mode.error());
      out[key] = *mode;
    } else if (key == "AddressIpVersion") {
      auto version = Choice(value, key, {"IPv4", "DualStack"});
      if (!version) return Fail(version.error());
      out[key] = *version;
    } else if (key == "ResourceGroupId") {
      auto id = Text(value, key, 128);
      if (!id) return Fail(id.error());
      if (!id->empty()) out[key] = *id;
    } else if (key == "DeletionProtectionEnabled") {
      auto enabled = JsonBool(value, key);
      if (!enabled) return Fail(enabled.error());
      const bool was =
          out.value("DeletionProtectionConfig", LbJson::object()).value("Enabled", false);
      if (*enabled && !was) {
        out["DeletionProtectionConfig"] = {{"Enabled", true}, {"EnabledTime", now_ms}};
      } else if (!*enabled) {
        out["DeletionProtectionConfig"] = {{"Enabled", false}};
      }
    } else if (key == "ModificationProtectionConfig") {
      if (!value.is_object()) return Fail(errors::InvalidParameter(key, "expected an object"));
      LbJson protection = out.value(key, LbJson::object());
      for (const auto& [field, field_value] : value.items()) {
        const std::string name = key + "." + field;
        if (field == "Status") {
          auto status = Choice(field_value, name, {"NonProtection", "ConsoleProtection"});
          if (!status) return Fail(status.error());
          protection[field] = *status;
        } else if (field == "Reason") {
          auto reason = Text(field_value, name, 128);
          if (!reason) return Fail(reason.error());
          protection[field] = *reason;
        } else {
          return Fail(errors::InvalidParameter(name, "unknown field"));
        }
      }
      out[key] = std::move(protection);
    } else {
      return Fail(errors::InvalidParameter(key, "unknown load balancer attribute"));
    }
  }
  return out;
}

LbJson LoadBalancerAttributesJson(std::string_view stored) {
  LbJson out = Parsed(stored);
  // Recorded by StartShiftLoadBalancerZones (alb/load_balancer_cloud_settings): shown as the
  // zones' Status, not as a field of its own; the capacity reservation has its own action.
  const LbJson shifted = out.value("ShiftedZones", LbJson::array());
  out.erase("ShiftedZones");
  out.erase("CapacityReservation");
  LbJson zones = LbJson::array();
  for (auto zone : out.value("ZoneMappings", LbJson::array())) {
    zone["LoadBalancerAddresses"] = LbJson::array();  // no cloud addresses here
    const bool is_shifted =
        std::find(shifted.begin(), shifted.end(), zone.value("ZoneId", "")) != shifted.end();
    zone["Status"] = is_shifted ? "Shifted" : "Active";
    zones.push_back(std::move(zone));
  }
  out["ZoneMappings"] = std::move(zones);
  if (!out.contains("SecurityGroupIds")) out["SecurityGroupIds"] = LbJson::array();
  if (out.value("AddressIpVersion", "IPv4") == "DualStack" && !out.contains("Ipv6AddressType")) {
    out["Ipv6AddressType"] = "Intranet";  // ALB's default until EnableLoadBalancerIpv6Internet
  }
  if (!out.contains("LoadBalancerBillingConfig")) {
    out["LoadBalancerBillingConfig"] = {{"PayType", "PostPay"}};
  }
  if (!out.contains("AddressAllocatedMode")) out["AddressAllocatedMode"] = "Dynamic";
  if (!out.contains("AddressIpVersion")) out["AddressIpVersion"] = "IPv4";
  if (!out.contains("DeletionProtectionConfig")) {
    out["DeletionProtectionConfig"] = {{"Enabled", false}};
  }
  if (!out.contains("ModificationProtectionConfig")) {
    out["ModificationProtectionConfig"] = {{"Status", "NonProtection"}};
  }
  return out;
}

bool DeletionProtectionEnabled(std::string_view stored) {
  return Parsed(stored).value("DeletionProtectionConfig", LbJson::object()).value("Enabled", false);
}

}  // namespace openalb
