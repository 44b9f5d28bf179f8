#include "alb/server_group_attributes.h"

#include <algorithm>
#include <string>
#include <vector>

#include "alb/json_fields.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

using AttributesJson = nlohmann::json;

enum class FieldKind { kBool, kInt, kChoice, kText, kCodes };

// One field of a nested config object (or of the top level when `object` is empty).
struct FieldSpec {
  std::string_view object;
  std::string_view name;
  FieldKind kind;
  int min = 0;  // kInt: the range; kText: the length
  int max = 0;
  std::vector<std::string_view> choices = {};
};

const std::vector<FieldSpec>& HealthCheckFields() {
  static const std::vector<FieldSpec> fields = {
      {"", "HealthCheckProtocol", FieldKind::kChoice, 0, 0, {"HTTP", "HTTPS", "TCP", "gRPC"}},
      {"", "HealthCheckConnectPort", FieldKind::kInt, 0, 65535},
      {"", "HealthCheckHost", FieldKind::kText, 0, 255},
      {"", "HealthCheckHttpVersion", FieldKind::kChoice, 0, 0, {"HTTP1.0", "HTTP1.1"}},
      {"", "HealthCheckMethod", FieldKind::kChoice, 0, 0, {"GET", "HEAD", "POST"}},
      {"", "HealthCheckPath", FieldKind::kText, 1, 80},
      {"", "HealthCheckCodes", FieldKind::kCodes},
      {"", "HealthCheckInterval", FieldKind::kInt, 1, 50},
      {"", "HealthCheckTimeout", FieldKind::kInt, 1, 300},
      {"", "HealthyThreshold", FieldKind::kInt, 2, 10},
      {"", "UnhealthyThreshold", FieldKind::kInt, 2, 10},
  };
  return fields;
}

const std::vector<FieldSpec>& GroupFields() {
  static const std::vector<FieldSpec> fields = [] {
    std::vector<FieldSpec> out = {{"HealthCheckConfig", "HealthCheckEnabled", FieldKind::kBool}};
    for (FieldSpec f : HealthCheckFields()) {
      f.object = "HealthCheckConfig";
      out.push_back(f);
    }
    const std::vector<FieldSpec> rest = {
        {"StickySessionConfig", "StickySessionEnabled", FieldKind::kBool},
        {"StickySessionConfig",
         "StickySessionType",
         FieldKind::kChoice,
         0,
         0,
         {"Insert", "Server"}},
        {"StickySessionConfig", "CookieTimeout", FieldKind::kInt, 1, 86400},
        {"StickySessionConfig", "Cookie", FieldKind::kText, 0, 200},
        {"UchConfig", "Type", FieldKind::kChoice, 0, 0, {"QueryString"}},
        {"UchConfig", "Value", FieldKind::kText, 0, 100},
        {"ConnectionDrainConfig", "ConnectionDrainEnabled", FieldKind::kBool},
        {"ConnectionDrainConfig", "ConnectionDrainTimeout", FieldKind::kInt, 0, 900},
        {"SlowStartConfig", "SlowStartEnabled", FieldKind::kBool},
        {"SlowStartConfig", "SlowStartDuration", FieldKind::kInt, 30, 900},
        {"", "UpstreamKeepaliveEnabled", FieldKind::kBool},
        {"", "CrossZoneEnabled", FieldKind::kBool},
        {"", "Ipv6Enabled", FieldKind::kBool},
        {"", "ServiceName", FieldKind::kText, 0, 128},
        {"", "ResourceGroupId", FieldKind::kText, 0, 64},
    };
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
  }();
  return fields;
}

AttributesJson HealthCheckDefaults() {
  return {{"HealthCheckProtocol", "HTTP"},
          {"HealthCheckConnectPort", 0},
          {"HealthCheckHost", ""},
          {"HealthCheckHttpVersion", "HTTP1.1"},
          {"HealthCheckMethod", "HEAD"},
          {"HealthCheckPath", "/"},
          {"HealthCheckCodes", {"http_2xx", "http_3xx"}},
          {"HealthCheckInterval", 2},
          {"HealthCheckTimeout", 5},
          {"HealthyThreshold", 3},
          {"UnhealthyThreshold", 3}};
}

AttributesJson GroupDefaults() {
  AttributesJson health = HealthCheckDefaults();
  health["HealthCheckEnabled"] = false;
  return {{"HealthCheckConfig", health},
          {"StickySessionConfig",
           {{"StickySessionEnabled", false},
            {"StickySessionType", "Insert"},
            {"CookieTimeout", 1000},
            {"Cookie", ""}}},
          {"UchConfig", {{"Type", "QueryString"}, {"Value", ""}}},
          {"ConnectionDrainConfig",
           {{"ConnectionDrainEnabled", false}, {"ConnectionDrainTimeout", 300}}},
          {"SlowStartConfig", {{"SlowStartEnabled", false}, {"SlowStartDuration", 30}}},
          {"UpstreamKeepaliveEnabled", true},
          {"CrossZoneEnabled", true},
          {"Ipv6Enabled", false},
          {"ServiceName", ""},
          {"ResourceGroupId", ""}};
}

std::string DottedName(std::string_view prefix, const FieldSpec& f) {
  std::string out(prefix);
  if (!f.object.empty()) out += std::string(f.object) + ".";
  return out + std::string(f.name);
}

bool ValidCode(const std::string& code) {
  static const std::vector<std::string> http = {"http_2xx", "http_3xx", "http_4xx", "http_5xx"};
  if (std::find(http.begin(), http.end(), code) != http.end()) return true;
  // gRPC status codes: "0", "0-99" style ranges within 0..99.
  auto number = [](std::string_view s) {
    if (s.empty() || s.size() > 2) return -1;
    int n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  auto dash = code.find('-');
  if (dash == std::string::npos) return number(code) >= 0;
  int low = number(std::string_view(code).substr(0, dash));
  int high = number(std::string_view(code).substr(dash + 1));
  return low >= 0 && high >= low;
}

// The patch's value for one field converted to its stored type; InvalidParameter if it
// cannot be.
Result<AttributesJson> Converted(const AttributesJson& value, const FieldSpec& f,
                                 const std::string& name) {
  switch (f.kind) {
    case FieldKind::kBool: {
      auto b = JsonBool(value, name);
      if (!b) return Fail(b.error());
      return AttributesJson(*b);
    }
    case FieldKind::kInt: {
      auto n = JsonInt(value, name, f.min, f.max);
      if (!n) return Fail(n.error());
      return AttributesJson(*n);
    }
    case FieldKind::kChoice: {
      if (value.is_string()) {
        for (auto choice : f.choices) {
          if (value.get<std::string>() == choice) return value;
        }
      }
      std::string list;
      for (auto choice : f.choices) list += (list.empty() ? "" : ", ") + std::string(choice);
      return Fail(errors::InvalidParameter(name, "it is one of " + list));
    }
    case FieldKind::kText: {
      if (!value.is_string()) return Fail(errors::InvalidParameter(name, "it is a string"));
      const std::string text = value.get<std::string>();
      if (text.size() < static_cast<size_t>(f.min) || text.size() > static_cast<size_t>(f.max)) {
        return Fail(errors::InvalidParameter(
            name, "its length is from " + std::to_string(f.min) + " to " + std::to_string(f.max)));
      }
      for (unsigned char c : text) {
        if (c <= ' ' || c == 0x7f || c == ';' || c == ',') {
          return Fail(errors::InvalidParameter(name, "it holds a space, ';', ',' or a control"));
        }
      }
      return value;
    }
    case FieldKind::kCodes: {
      AttributesJson list = value;
      if (value.is_string()) {  // one code, or the JSON form of a list
        auto parsed = AttributesJson::parse(value.get<std::string>(), nullptr, false);
        list = parsed.is_array() ? parsed : AttributesJson::array({value});
      }
      if (!list.is_array() || list.empty() || list.size() > 10) {
        return Fail(errors::InvalidParameter(name, "it is a list of 1 to 10 codes"));
      }
      for (const auto& code : list) {
        if (!code.is_string() || !ValidCode(code.get<std::string>())) {
          return Fail(errors::InvalidParameter(
              name,
              "a code is http_2xx, http_3xx, http_4xx, http_5xx or a gRPC range such as 0-99"));
        }
      }
      return list;
    }
  }
  return value;
}

// A value meaning "not set": the field is left as it is. Terraform sends every field of a
// block, the ones its user did not set as empty strings — and as 0 for numbers, which for a
// field whose range starts above 0 (an interval, a threshold) can mean nothing else.
bool Unset(const AttributesJson& value, const FieldSpec& f) {
  if (f.kind != FieldKind::kText && value.is_string() && value.get<std::string>().empty()) {
    return true;
  }
  return f.kind == FieldKind::kInt && f.min > 0 && (value == 0 || value == "0");
}

// Lays `patch`'s known fields over `base` (both in the stored shape); an unknown field of a
// known object is refused, so a misspelt field is not silently dropped.
Result<void> LayOver(AttributesJson& base, const AttributesJson& patch,
                     const std::vector<FieldSpec>& fields, std::string_view prefix) {
  if (!patch.is_object()) return {};
  for (const auto& [key, value] : patch.items()) {
    bool is_object = false;
    for (const auto& f : fields) is_object = is_object || f.object == key;
    if (is_object) {
      if (!value.is_object()) {
        return Fail(errors::InvalidParameter(std::string(prefix) + key, "expected an object"));
      }
      for (const auto& [field, field_value] : value.items()) {
        auto spec = std::find_if(fields.begin(), fields.end(), [&](const FieldSpec& f) {
          return f.object == key && f.name == field;
        });
        const std::string name = std::string(prefix) + key + "." + field;
        if (spec == fields.end()) return Fail(errors::InvalidParameter(name, "unknown field"));
        if (Unset(field_value, *spec)) continue;
        auto converted = Converted(field_value, *spec, name);
        if (!converted) return Fail(converted.error());
        base[key][field] = std::move(*converted);
      }
      continue;
    }
    auto spec = std::find_if(fields.begin(), fields.end(),
                             [&](const FieldSpec& f) { return f.object.empty() && f.name == key; });
    if (spec == fields.end()) {
      return Fail(errors::InvalidParameter(std::string(prefix) + key, "unknown field"));
    }
    if (Unset(value, *spec)) continue;
    auto converted = Converted(value, *spec, DottedName(prefix, *spec));
    if (!converted) return Fail(converted.error());
    base[key] = std::move(*converted);
  }
  return {};
}

Result<void> CheckPath(const AttributesJson& health, const std::string& name) {
  const std::string path = health.value("HealthCheckPath", "/");
  if (path.empty() || path[0] != '/') {
    return Fail(errors::InvalidParameter(name, "it starts with /"));
  }
  return {};
}

}  // namespace

AttributesJson ServerGroupAttributesJson(std::string_view stored) {
  AttributesJson out = GroupDefaults();
  auto parsed = AttributesJson::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    for (const auto& [key, value] : parsed.items()) {
      if (value.is_object() && out[key].is_object()) {
        for (const auto& [field, field_value] : value.items()) out[key][field] = field_value;
      } else {
        out[key] = value;
      }
    }
  }
  return out;
}

Result<AttributesJson> MergeServerGroupAttributes(std::string_view stored,
                                                  const AttributesJson& patch,
                                                  std::string_view scheduler) {
  AttributesJson merged = ServerGroupAttributesJson(stored);
  if (auto r = LayOver(merged, patch, GroupFields(), ""); !r) return Fail(r.error());
  if (auto r = CheckPath(merged["HealthCheckConfig"], "HealthCheckConfig.HealthCheckPath"); !r) {
    return Fail(r.error());
  }
  const auto& sticky = merged["StickySessionConfig"];
  if (sticky["StickySessionEnabled"] == true && sticky["StickySessionType"] == "Server" &&
      sticky["Cookie"] == "") {
    return Fail(errors::InvalidParameter(
        "StickySessionConfig.Cookie", "Server stickiness needs the name of the server's cookie"));
  }
  if (scheduler == "Uch" && merged["UchConfig"]["Value"] == "") {
    return Fail(errors::InvalidParameter(
        "UchConfig.Value", "the Uch scheduler hashes a query string parameter: name it"));
  }
  return merged;
}

ServerGroupPolicy ServerGroupPolicyOf(std::string_view stored, std::string_view scheduler) {
  const AttributesJson a = ServerGroupAttributesJson(stored);
  ServerGroupPolicy p;
  p.scheduler = scheduler == "Sch"   ? Scheduler::kSch
                : scheduler == "Wlc" ? Scheduler::kWlc
                : scheduler == "Uch" ? Scheduler::kUch
                                     : Scheduler::kWrr;
  p.uch_parameter = a["UchConfig"].value("Value", "");
  const auto& h = a["HealthCheckConfig"];
  p.health.enabled = h.value("HealthCheckEnabled", false);
  p.health.protocol = h.value("HealthCheckProtocol", "HTTP");
  p.health.connect_port = h.value("HealthCheckConnectPort", 0);
  p.health.host = h.value("HealthCheckHost", "");
  p.health.http_version = h.value("HealthCheckHttpVersion", "HTTP1.1");
  p.health.method = h.value("HealthCheckMethod", "HEAD");
  p.health.path = h.value("HealthCheckPath", "/");
  p.health.codes.clear();
  if (h.contains("HealthCheckCodes") && h["HealthCheckCodes"].is_array()) {
    for (const auto& code : h["HealthCheckCodes"]) {
      if (code.is_string()) p.health.codes.push_back(code.get<std::string>());
    }
  }
  p.health.interval_s = h.value("HealthCheckInterval", 2);
  p.health.timeout_s = h.value("HealthCheckTimeout", 5);
  p.health.healthy_threshold = h.value("HealthyThreshold", 3);
  p.health.unhealthy_threshold = h.value("UnhealthyThreshold", 3);
  const auto& s = a["StickySessionConfig"];
  p.sticky.enabled = s.value("StickySessionEnabled", false);
  p.sticky.insert = s.value("StickySessionType", "Insert") != "Server";
  p.sticky.cookie_timeout_s = s.value("CookieTimeout", 1000);
  p.sticky.cookie = s.value("Cookie", "");
  p.upstream_keepalive = a.value("UpstreamKeepaliveEnabled", true);
  return p;
}

Result<AttributesJson> MergeHealthCheckFields(const AttributesJson& base,
                                              const AttributesJson& patch,
                                              std::string_view prefix) {
  AttributesJson merged = HealthCheckDefaults();
  if (base.is_object()) {
    for (const auto& [key, value] : base.items()) merged[key] = value;
  }
  if (auto r = LayOver(merged, patch, HealthCheckFields(), prefix); !r) return Fail(r.error());
  if (auto r = CheckPath(merged, std::string(prefix) + "HealthCheckPath"); !r) {
    return Fail(r.error());
  }
  return merged;
}

}  // namespace openalb
