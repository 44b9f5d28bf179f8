#include "alb/rule_spec.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/common_errors.h"

namespace openalb {
namespace {

using SpecJson = nlohmann::json;

// The values listed under `prefix` ("HostConfig.Values."), in index order.
std::vector<std::string> SpecList(const RuleParameterObject& object, const std::string& prefix) {
  std::map<int, std::string> by_index;
  for (const auto& [path, value] : object) {
    if (!path.starts_with(prefix)) continue;
    std::string_view rest = std::string_view(path).substr(prefix.size());
    int index = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
    if (ec == std::errc{} && end == rest.data() + rest.size()) by_index[index] = value;
  }
  std::vector<std::string> out;
  for (auto& [index, value] : by_index) out.push_back(std::move(value));
  return out;
}

// The Key/Value objects under `prefix` ("QueryStringConfig.Values."), in index order.
std::vector<KeyValue> SpecPairs(const RuleParameterObject& object, const std::string& prefix) {
  std::map<int, KeyValue> by_index;
  for (const auto& [path, value] : object) {
    if (!path.starts_with(prefix)) continue;
    std::string_view rest = std::string_view(path).substr(prefix.size());
    int index = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
    if (ec != std::errc{}) continue;
    std::string_view field(end, rest.data() + rest.size() - end);
    if (field == ".Key") by_index[index].first = value;
    if (field == ".Value") by_index[index].second = value;
  }
  std::vector<KeyValue> out;
  for (auto& [index, pair] : by_index) out.push_back(std::move(pair));
  return out;
}

std::string SpecField(const RuleParameterObject& object, const std::string& path) {
  auto it = object.find(path);
  return it == object.end() ? std::string() : it->second;
}

bool SpecPrintable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool SpecToken(std::string_view text) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string_view::npos;
  });
}

bool SpecWildcard(std::string_view text) { return text.find_first_of("*?") != text.npos; }

std::string SpecLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// A host pattern: letters, digits, '-', '.', and the wildcards '*' and '?'; 3 to 128.
bool SpecHost(std::string_view host) {
  return host.size() >= 1 && host.size() <= 128 &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '*' || c == '?';
         });
}

// A path pattern: starts with '/' or a wildcard, printable without spaces; 1 to 128.
bool SpecPath(std::string_view path) {
  return !path.empty() && path.size() <= 128 && (path[0] == '/' || path[0] == '*') &&
         std::all_of(path.begin(), path.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool SpecSourceAddress(const std::string& text) {
  auto slash = text.find('/');
  std::string address = text.substr(0, slash);
  unsigned char buffer[16];
  int family = 0;
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) family = 32;
  if (inet_pton(AF_INET6, address.c_str(), buffer) == 1) family = 128;
  if (family == 0) return false;
  if (slash == std::string::npos) return true;
  std::string_view bits = std::string_view(text).substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  return ec == std::errc{} && end == bits.data() + bits.size() && prefix >= 0 && prefix <= family;
}

const std::set<std::string, std::less<>> kSpecMethods = {"GET",  "POST",    "PUT",  "DELETE",
                                                         "HEAD", "OPTIONS", "PATCH"};

// Fields a rule may neither insert nor remove: openalb writes them, or they frame the message.
bool SpecReservedHeader(std::string_view key) {
  static const std::set<std::string, std::less<>> kReserved = {"host",
                                                               "content-length",
                                                               "transfer-encoding",
                                                               "connection",
                                                               "keep-alive",
                                                               "upgrade",
                                                               "te",
                                                               "trailer",
                                                               "x-forwarded-for",
                                                               "x-forwarded-proto",
                                                               "x-forwarded-port",
                                                               "x-forwarded-host",
                                                               "x-real-ip",
                                                               "slb-id",
                                                               "slb-ip",
                                                               "x-forwarded-client-srcport",
                                                               "proxy-connection",
                                                               "cookie",
                                                               "set-cookie"};
  return kReserved.contains(SpecLower(std::string(key)));
}

Result<int> SpecInteger(const std::string& text, int min, int max, const std::string& name) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    return Fail(errors::InvalidParameter(
        name, "it must be an integer from " + std::to_string(min) + " to " + std::to_string(max)));
  }
  return value;
}

Result<RuleCondition> ReadCondition(const RuleParameterObject& object, bool response,
                                    const RuleLimits& limits, const std::string& name) {
  RuleCondition c;
  c.type = SpecField(object, "Type");
  if (c.type.empty()) return Fail(errors::MissingParameter(name + ".Type"));
  static const std::set<std::string, std::less<>> kRequestTypes = {
      "Host", "Path", "Header", "QueryString", "Method", "Cookie", "SourceIp"};
  static const std::set<std::string, std::less<>> kResponseTypes = {"ResponseHeader",
                                                                    "ResponseStatusCode"};
  if (!(response ? kResponseTypes : kRequestTypes).contains(c.type)) {
    return Fail(errors::InvalidParameter(
        name + ".Type", response ? "a Response rule's conditions are ResponseHeader or "
                                   "ResponseStatusCode"
                                 : "a Request rule's conditions are Host, Path, Header, "
                                   "QueryString, Method, Cookie or SourceIp"));
  }
  const std::string config = name + "." + c.type + "Config";
  const std::string prefix = c.type + "Config.Values.";
  const bool keyed = c.type == "Header" || c.type == "ResponseHeader";
  const bool paired = c.type == "QueryString" || c.type == "Cookie";
  for (const auto& [path, value] : object) {
    const bool known =
        path == "Type" || path.starts_with(prefix) || (keyed && path == c.type + "Config.Key");
    if (!known) return Fail(errors::InvalidParameter(name + "." + path, "unknown field"));
  }
  if (paired) {
    c.pairs = SpecPairs(object, prefix);
    if (c.pairs.empty()) return Fail(errors::MissingParameter(config + ".Values"));
    if (c.pairs.size() > limits.values_per_condition) {
      return Fail(errors::InvalidParameter(
          config + ".Values",
          "at most " + std::to_string(limits.values_per_condition) + " values"));
    }
    for (const auto& [key, value] : c.pairs) {
      const bool key_ok = !key.empty() && key.size() <= 100 && SpecPrintable(key) &&
                          key.find_first_of(" ;=&#") == std::string::npos;
      const bool value_ok = !value.empty() && value.size() <= 128 && SpecPrintable(value) &&
                            value.find_first_of(" ;#") == std::string::npos;
      if (!key_ok || !value_ok) {
        return Fail(errors::InvalidParameter(
            config + ".Values",
            "each Key (1-100) and Value (1-128) is printable ASCII without "
            "spaces, ';' or '#'"));
      }
    }
    return c;
  }
  c.values = SpecList(object, prefix);
  if (c.values.empty()) return Fail(errors::MissingParameter(config + ".Values"));
  if (c.values.size() > limits.values_per_condition) {
    return Fail(errors::InvalidParameter(
        config + ".Values", "at most " + std::to_string(limits.values_per_condition) + " values"));
  }
  if (keyed) {
    c.key = SpecField(object, c.type + "Config.Key");
    if (c.key.empty()) return Fail(errors::MissingParameter(config + ".Key"));
    if (c.key.size() > 40 || !SpecToken(c.key)) {
      return Fail(
          errors::InvalidParameter(config + ".Key", "a header name of 1 to 40 token characters"));
    }
  }
  for (auto& value : c.values) {
    bool ok = true;
    if (c.type == "Host") {
      ok = SpecHost(value);
      value = SpecLower(value);
    } else if (c.type == "Path") {
      ok = SpecPath(value);
    } else if (c.type == "Method") {
      ok = kSpecMethods.contains(value);
    } else if (c.type == "SourceIp") {
      ok = SpecSourceAddress(value);
    } else if (c.type == "ResponseStatusCode") {
      ok = SpecInteger(value, 100, 599, config).has_value();
    } else {  // Header, ResponseHeader
      ok = !value.empty() && value.size() <= 128 && SpecPrintable(value);
    }
    if (!ok) {
      return Fail(errors::InvalidParameter(
          config + ".Values",
          "'" + value.substr(0, 128) + "' is not a valid " + c.type + " value"));
    }
  }
  return c;
}

bool SpecIsFinal(std::string_view type) {
  return type == "ForwardGroup" || type == "Redirect" || type == "FixedResponse";
}

Result<void> ReadForward(const RuleParameterObject& object, RuleAction& a,
                         const std::string& name) {
  const std::string tuples = "ForwardGroupConfig.ServerGroupTuples.";
  std::map<int, GroupTuple> by_index;
  for (const auto& [path, value] : object) {
    if (path == "Type" || path == "Order") continue;
    if (path == "ForwardGroupConfig.ServerGroupStickySession.Enabled") {
      a.sticky = value == "true";
      continue;
    }
    if (path == "ForwardGroupConfig.ServerGroupStickySession.Timeout") {
      auto timeout = SpecInteger(value, 1, 86400,
                                 name + ".ForwardGroupConfig.ServerGroupStickySession.Timeout");
      if (!timeout) return Fail(timeout.error());
      a.sticky_timeout = *timeout;
      continue;
    }
    if (!path.starts_with(tuples)) {
      return Fail(errors::InvalidParameter(name + "." + path, "unknown field"));
    }
    std::string_view rest = std::string_view(path).substr(tuples.size());
    int index = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
    std::string_view field(end, rest.data() + rest.size() - end);
    if (ec != std::errc{} || (field != ".ServerGroupId" && field != ".Weight")) {
      return Fail(errors::InvalidParameter(name + "." + path, "unknown field"));
    }
    if (field == ".ServerGroupId") {
      by_index[index].server_group_id = value;
    } else {
      auto weight =
          SpecInteger(value, 0, 100, name + ".ForwardGroupConfig.ServerGroupTuples.Weight");
      if (!weight) return Fail(weight.error());
      by_index[index].weight = *weight;
    }
  }
  std::set<std::string> seen;
  for (auto& [index, tuple] : by_index) {
    if (tuple.server_group_id.empty()) {
      return Fail(
          errors::MissingParameter(name + ".ForwardGroupConfig.ServerGroupTuples.ServerGroupId"));
    }
    if (!seen.insert(tuple.server_group_id).second) {
      return Fail(errors::InvalidParameter(name + ".ForwardGroupConfig.ServerGroupTuples",
                                           "a server group is listed twice"));
    }
    a.groups.push_back(std::move(tuple));
  }
  if (a.groups.empty()) {
    return Fail(errors::MissingParameter(name + ".ForwardGroupConfig.ServerGroupTuples"));
  }
  if (a.groups.size() > 5) {
    return Fail(errors::InvalidParameter(name + ".ForwardGroupConfig.ServerGroupTuples",
                                         "at most 5 server groups"));
  }
  return {};
}

Result<void> SpecOnlyFields(const RuleParameterObject& object, const std::string& config,
                            std::initializer_list<std::string_view> fields,
                            const std::string& name) {
  for (const auto& [path, value] : object) {
    if (path == "Type" || path == "Order") continue;
    bool ok = false;
    for (auto field : fields) {
      const std::string full = config + "." + std::string(field);
      if (path == full || path.starts_with(full + ".")) ok = true;
    }
    if (!ok) return Fail(errors::InvalidParameter(name + "." + path, "unknown field"));
  }
  return {};
}

Result<void> ReadRedirect(const RuleParameterObject& object, RuleAction& a,
                          const std::string& name) {
  constexpr std::string_view kConfig = "RedirectConfig";
  if (auto r = SpecOnlyFields(object, "RedirectConfig",
                              {"Host", "HttpCode", "Path", "Port", "Protocol", "Query"}, name);
      !r) {
    return r;
  }
  const std::string n = name + "." + std::string(kConfig);
  a.host = SpecField(object, "RedirectConfig.Host");
  a.path = SpecField(object, "RedirectConfig.Path");
  a.port = SpecField(object, "RedirectConfig.Port");
  a.protocol = SpecField(object, "RedirectConfig.Protocol");
  a.query = SpecField(object, "RedirectConfig.Query");
  a.http_code = SpecField(object, "RedirectConfig.HttpCode");
  if (a.host.empty()) a.host = "${host}";
  if (a.path.empty()) a.path = "${path}";
  if (a.port.empty()) a.port = "${port}";
  if (a.protocol.empty()) a.protocol = "${protocol}";
  if (a.query.empty()) a.query = "${query}";
  if (a.http_code.empty()) a.http_code = "301";
  static const std::set<std::string, std::less<>> kCodes = {"301", "302", "303", "307", "308"};
  if (!kCodes.contains(a.http_code)) {
    return Fail(errors::InvalidParameter(n + ".HttpCode", "it is 301, 302, 303, 307 or 308"));
  }
  if (a.protocol != "${protocol}" && a.protocol != "HTTP" && a.protocol != "HTTPS") {
    return Fail(errors::InvalidParameter(n + ".Protocol", "it is HTTP, HTTPS or ${protocol}"));
  }
  if (a.port != "${port}" && !SpecInteger(a.port, 1, 63335, n + ".Port")) {
    return Fail(errors::InvalidParameter(n + ".Port", "it is 1 to 63335 or ${port}"));
  }
  if (a.host != "${host}" && !(SpecHost(a.host) && !SpecWildcard(a.host))) {
    return Fail(errors::InvalidParameter(n + ".Host", "it is a host name or ${host}"));
  }
  a.host = a.host == "${host}" ? a.host : SpecLower(a.host);
  if (a.path != "${path}" && !(SpecPath(a.path) && a.path[0] == '/')) {
    return Fail(errors::InvalidParameter(n + ".Path", "it is a path starting with '/' or ${path}"));
  }
  if (a.query.size() > 128 || !SpecPrintable(a.query) ||
      a.query.find_first_of(" #") != a.query.npos) {
    return Fail(errors::InvalidParameter(n + ".Query", "1 to 128 printable characters"));
  }
  if (a.host == "${host}" && a.path == "${path}" && a.port == "${port}" &&
      a.protocol == "${protocol}" && a.query == "${query}") {
    return Fail(errors::InvalidParameter(
        n, "a redirect that keeps host, path, port, protocol and query would loop"));
  }
  return {};
}

Result<void> ReadFixedResponse(const RuleParameterObject& object, RuleAction& a,
                               const std::string& name) {
  if (auto r = SpecOnlyFields(object, "FixedResponseConfig", {"Content", "ContentType", "HttpCode"},
                              name);
      !r) {
    return r;
  }
  const std::string n = name + ".FixedResponseConfig";
  a.content = SpecField(object, "FixedResponseConfig.Content");
  a.content_type = SpecField(object, "FixedResponseConfig.ContentType");
  a.http_code = SpecField(object, "FixedResponseConfig.HttpCode");
  if (a.content_type.empty()) a.content_type = "text/plain";
  if (a.http_code.empty()) return Fail(errors::MissingParameter(n + ".HttpCode"));
  auto code = SpecInteger(a.http_code, 200, 599, n + ".HttpCode");
  if (!code || (*code >= 300 && *code < 400)) {
    return Fail(errors::InvalidParameter(n + ".HttpCode", "it is a 2xx, 4xx or 5xx code"));
  }
  if (a.content.size() > 1024) {
    return Fail(errors::InvalidParameter(n + ".Content", "at most 1 KB"));
  }
  static const std::set<std::string, std::less<>> kTypes = {
      "text/plain", "text/css", "text/html", "application/javascript", "application/json"};
  if (!kTypes.contains(a.content_type)) {
    return Fail(errors::InvalidParameter(n + ".ContentType",
                                         "it is text/plain, text/css, text/html, "
                                         "application/javascript or application/json"));
  }
  return {};
}

Result<void> ReadRewrite(const RuleParameterObject& object, RuleAction& a,
                         const std::string& name) {
  if (auto r = SpecOnlyFields(object, "RewriteConfig", {"Host", "Path", "Query"}, name); !r)
    return r;
  const std::string n = name + ".RewriteConfig";
  a.host = SpecField(object, "RewriteConfig.Host");
  a.path = SpecField(object, "RewriteConfig.Path");
  a.query = SpecField(object, "RewriteConfig.Query");
  if (a.host.empty()) a.host = "${host}";
  if (a.path.empty()) a.path = "${path}";
  if (a.query.empty()) a.query = "${query}";
  if (a.host != "${host}" && !(SpecHost(a.host) && !SpecWildcard(a.host))) {
    return Fail(errors::InvalidParameter(n + ".Host", "it is a host name or ${host}"));
  }
  if (a.path != "${path}" && !(SpecPath(a.path) && a.path[0] == '/')) {
    return Fail(errors::InvalidParameter(n + ".Path", "it is a path starting with '/' or ${path}"));
  }
  if (a.query.size() > 128 || !SpecPrintable(a.query) ||
      a.query.find_first_of(" #") != a.query.npos) {
    return Fail(errors::InvalidParameter(n + ".Query", "1 to 128 printable characters"));
  }
  return {};
}

Result<void> ReadInsertHeader(const RuleParameterObject& object, RuleAction& a,
                              const std::string& name) {
  if (auto r = SpecOnlyFields(object, "InsertHeaderConfig",
                              {"Key", "Value", "ValueType", "CoverEnabled"}, name);
      !r) {
    return r;
  }
  const std::string n = name + ".InsertHeaderConfig";
  a.key = SpecField(object, "InsertHeaderConfig.Key");
  a.value = SpecField(object, "InsertHeaderConfig.Value");
  a.value_type = SpecField(object, "InsertHeaderConfig.ValueType");
  a.cover = SpecField(object, "InsertHeaderConfig.CoverEnabled") == "true";
  if (a.value_type.empty()) a.value_type = "UserDefined";
  if (a.key.empty()) return Fail(errors::MissingParameter(n + ".Key"));
  if (a.key.size() > 40 || !SpecToken(a.key) || SpecReservedHeader(a.key)) {
    return Fail(errors::InvalidParameter(
        n + ".Key",
        "a header name of 1 to 40 token characters that openalb does not write itself"));
  }
  if (a.value_type == "SystemDefined") {
    static const std::set<std::string, std::less<>> kSystem = {"ClientSrcPort", "ClientSrcIp",
                                                               "Protocol", "SLBId", "SLBPort"};
    if (!kSystem.contains(a.value)) {
      return Fail(errors::InvalidParameter(
          n + ".Value",
          "a SystemDefined value is ClientSrcPort, ClientSrcIp, Protocol, SLBId "
          "or SLBPort"));
    }
  } else if (a.value_type == "ReferenceHeader") {
    if (a.value.size() > 40 || !SpecToken(a.value)) {
      return Fail(errors::InvalidParameter(n + ".Value", "the name of a request header"));
    }
  } else if (a.value_type == "UserDefined") {
    if (a.value.empty() || a.value.size() > 128 || !SpecPrintable(a.value)) {
      return Fail(errors::InvalidParameter(n + ".Value", "1 to 128 printable characters"));
    }
  } else {
    return Fail(errors::InvalidParameter(n + ".ValueType",
                                         "it is UserDefined, ReferenceHeader or SystemDefined"));
  }
  return {};
}

Result<void> ReadRemoveHeader(const RuleParameterObject& object, RuleAction& a,
                              const std::string& name) {
  if (auto r = SpecOnlyFields(object, "RemoveHeaderConfig", {"Key"}, name); !r) return r;
  a.key = SpecField(object, "RemoveHeaderConfig.Key");
  if (a.key.empty()) return Fail(errors::MissingParameter(name + ".RemoveHeaderConfig.Key"));
  if (a.key.size() > 40 || !SpecToken(a.key) || SpecReservedHeader(a.key)) {
    return Fail(errors::InvalidParameter(
        name + ".RemoveHeaderConfig.Key",
        "a header name of 1 to 40 token characters that openalb does not write itself"));
  }
  return {};
}

Result<void> ReadTrafficLimit(const RuleParameterObject& object, RuleAction& a,
                              const std::string& name) {
  if (auto r = SpecOnlyFields(object, "TrafficLimitConfig", {"QPS", "PerIpQps"}, name); !r)
    return r;
  const std::string n = name + ".TrafficLimitConfig";
  const std::string qps = SpecField(object, "TrafficLimitConfig.QPS");
  const std::string per_ip = SpecField(object, "TrafficLimitConfig.PerIpQps");
  if (qps.empty() && per_ip.empty()) return Fail(errors::MissingParameter(n + ".QPS"));
  if (!qps.empty()) {
    auto v = SpecInteger(qps, 1, 1000000, n + ".QPS");
    if (!v) return Fail(v.error());
    a.qps = *v;
  }
  if (!per_ip.empty()) {
    auto v = SpecInteger(per_ip, 1, 1000000, n + ".PerIpQps");
    if (!v) return Fail(v.error());
    a.per_ip_qps = *v;
  }
  if (a.qps > 0 && a.per_ip_qps > a.qps) {
    return Fail(errors::InvalidParameter(n + ".PerIpQps", "it is at most QPS"));
  }
  return {};
}

Result<void> ReadCors(const RuleParameterObject& object, RuleAction& a, const std::string& name) {
  if (auto r = SpecOnlyFields(object, "CorsConfig",
                              {"AllowOrigin", "AllowMethods", "AllowHeaders", "ExposeHeaders",
                               "AllowCredentials", "MaxAge"},
                              name);
      !r) {
    return r;
  }
  const std::string n = name + ".CorsConfig";
  a.allow_origin = SpecList(object, "CorsConfig.AllowOrigin.");
  a.allow_methods = SpecList(object, "CorsConfig.AllowMethods.");
  a.allow_headers = SpecList(object, "CorsConfig.AllowHeaders.");
  a.expose_headers = SpecList(object, "CorsConfig.ExposeHeaders.");
  const std::string credentials = SpecField(object, "CorsConfig.AllowCredentials");
  if (!credentials.empty() && credentials != "on" && credentials != "off") {
    return Fail(errors::InvalidParameter(n + ".AllowCredentials", "it is on or off"));
  }
  a.allow_credentials = credentials == "on";
  if (auto age = SpecField(object, "CorsConfig.MaxAge"); !age.empty()) {
    auto v = SpecInteger(age, -1, 172800, n + ".MaxAge");
    if (!v) return Fail(v.error());
    a.max_age = *v;
  }
  if (a.allow_origin.empty()) return Fail(errors::MissingParameter(n + ".AllowOrigin"));
  for (const auto& origin : a.allow_origin) {
    const bool ok =
        origin == "*" ||
        ((origin.starts_with("http://") || origin.starts_with("https://")) &&
         origin.size() <= 128 && SpecPrintable(origin) && origin.find(' ') == origin.npos);
    if (!ok) {
      return Fail(errors::InvalidParameter(n + ".AllowOrigin",
                                           "each is * or an origin such as https://example.com"));
    }
  }
  if (a.allow_credentials &&
      std::find(a.allow_origin.begin(), a.allow_origin.end(), "*") != a.allow_origin.end()) {
    return Fail(errors::InvalidParameter(n + ".AllowCredentials",
                                         "credentials cannot be allowed for the origin *"));
  }
  for (const auto& method : a.allow_methods) {
    if (!kSpecMethods.contains(method)) {
      return Fail(errors::InvalidParameter(
          n + ".AllowMethods", "each is GET, POST, PUT, DELETE, HEAD, OPTIONS or PATCH"));
    }
  }
  for (const auto* list : {&a.allow_headers, &a.expose_headers}) {
    for (const auto& header : *list) {
      if (header != "*" && (header.size() > 40 || !SpecToken(header))) {
        return Fail(errors::InvalidParameter(
            n + (list == &a.allow_headers ? ".AllowHeaders" : ".ExposeHeaders"),
            "each is * or a header name"));
      }
    }
  }
  return {};
}

Result<RuleAction> ReadAction(const RuleParameterObject& object, const std::string& name) {
  RuleAction a;
  a.type = SpecField(object, "Type");
  if (a.type.empty()) return Fail(errors::MissingParameter(name + ".Type"));
  const std::string order = SpecField(object, "Order");
  if (order.empty()) return Fail(errors::MissingParameter(name + ".Order"));
  auto value = SpecInteger(order, 1, 50000, name + ".Order");
  if (!value) return Fail(value.error());
  a.order = *value;
  Result<void> read = {};
  if (a.type == "ForwardGroup") {
    read = ReadForward(object, a, name);
  } else if (a.type == "Redirect") {
    read = ReadRedirect(object, a, name);
  } else if (a.type == "FixedResponse") {
    read = ReadFixedResponse(object, a, name);
  } else if (a.type == "Rewrite") {
    read = ReadRewrite(object, a, name);
  } else if (a.type == "InsertHeader") {
    read = ReadInsertHeader(object, a, name);
  } else if (a.type == "RemoveHeader") {
    read = ReadRemoveHeader(object, a, name);
  } else if (a.type == "TrafficLimit") {
    read = ReadTrafficLimit(object, a, name);
  } else if (a.type == "Cors") {
    read = ReadCors(object, a, name);
  } else if (a.type == "TrafficMirror") {
    return Fail(ApiError{"OperationDenied.TrafficMirrorNotSupported",
                         400,
                         "The TrafficMirror action is not supported by openalb: it copies no "
                         "traffic, so it is refused rather than accepted and ignored.",
                         {}});
  } else {
    return Fail(
        errors::InvalidParameter(name + ".Type",
                                 "an action is ForwardGroup, Redirect, FixedResponse, Rewrite, "
                                 "InsertHeader, RemoveHeader, TrafficLimit or Cors"));
  }
  if (!read) return Fail(read.error());
  return a;
}

SpecJson SpecStrings(const std::vector<std::string>& values) { return SpecJson(values); }

SpecJson SpecPairsJson(const std::vector<KeyValue>& pairs) {
  SpecJson out = SpecJson::array();
  for (const auto& [key, value] : pairs) out.push_back({{"Key", key}, {"Value", value}});
  return out;
}

std::vector<std::string> SpecStringsOf(const SpecJson& json) {
  std::vector<std::string> out;
  if (!json.is_array()) return out;
  for (const auto& v : json) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string SpecStringOf(const SpecJson& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int SpecIntOf(const SpecJson& object, std::string_view key, int fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

}  // namespace

RuleLimits RuleLimitsFor(std::string_view edition) {
  if (edition == "Basic") return RuleLimits{.conditions = 5, .actions = 3};
  return RuleLimits{};
}

Result<std::vector<RuleCondition>> ReadRuleConditions(
    const std::vector<RuleParameterObject>& objects, bool response, const RuleLimits& limits,
    std::string_view prefix) {
  if (objects.empty()) return Fail(errors::MissingParameter(std::string(prefix)));
  if (objects.size() > limits.conditions) {
    return Fail(ApiError{"QuotaExceeded.RuleMatchEvaluationsNum",
                         400,
                         "The quota of conditions per rule is exceeded: at most " +
                             std::to_string(limits.conditions) + " for this edition.",
                         {}});
  }
  std::vector<RuleCondition> out;
  std::set<std::string> types;
  size_t wildcards = 0;
  for (size_t i = 0; i < objects.size(); ++i) {
    const std::string name = std::string(prefix) + "." + std::to_string(i + 1);
    auto condition = ReadCondition(objects[i], response, limits, name);
    if (!condition) return Fail(condition.error());
    // Several Header (or Cookie, QueryString) conditions are fine; the same kind twice of the
    // single-valued ones would only be an AND of alternatives, which ALB refuses.
    const bool repeatable = condition->type == "Header" || condition->type == "ResponseHeader" ||
                            condition->type == "QueryString" || condition->type == "Cookie";
    if (!repeatable && !types.insert(condition->type).second) {
      return Fail(errors::InvalidParameter(
          name + ".Type",
          "a rule has at most one " + condition->type + " condition (list its values in one)"));
    }
    if (condition->type == "Host" || condition->type == "Path") {
      for (const auto& value : condition->values) wildcards += SpecWildcard(value) ? 1 : 0;
    }
    out.push_back(std::move(*condition));
  }
  if (wildcards > limits.wildcards) {
    return Fail(ApiError{"QuotaExceeded.RuleWildcardsNum",
                         400,
                         "The quota of wildcard values per rule is exceeded: at most " +
                             std::to_string(limits.wildcards) + ".",
                         {}});
  }
  return out;
}

Result<std::vector<RuleAction>> ReadRuleActions(const std::vector<RuleParameterObject>& objects,
                                                bool response, const RuleLimits& limits,
                                                std::string_view prefix) {
  if (objects.empty()) return Fail(errors::MissingParameter(std::string(prefix)));
  if (objects.size() > limits.actions) {
    return Fail(ApiError{"QuotaExceeded.RuleActionsNum",
                         400,
                         "The quota of actions per rule is exceeded: at most " +
                             std::to_string(limits.actions) + " for this edition.",
                         {}});
  }
  std::vector<RuleAction> out;
  for (size_t i = 0; i < objects.size(); ++i) {
    const std::string name = std::string(prefix) + "." + std::to_string(i + 1);
    auto action = ReadAction(objects[i], name);
    if (!action) return Fail(action.error());
    out.push_back(std::move(*action));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RuleAction& a, const RuleAction& b) { return a.order < b.order; });
  std::set<std::string> types;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto& a = out[i];
    if (i > 0 && out[i - 1].order == a.order) {
      return Fail(errors::InvalidParameter(std::string(prefix) + ".Order",
                                           "two actions have the same Order"));
    }
    if (!types.insert(a.type).second && a.type != "InsertHeader" && a.type != "RemoveHeader") {
      return Fail(errors::InvalidParameter(std::string(prefix) + ".Type",
                                           "a rule has at most one " + a.type + " action"));
    }
    if (response && a.type != "InsertHeader" && a.type != "RemoveHeader") {
      return Fail(
          errors::InvalidParameter(std::string(prefix) + ".Type",
                                   "a Response rule's actions are InsertHeader and RemoveHeader"));
    }
  }
  if (response) return out;
  const size_t finals = std::count_if(out.begin(), out.end(),
                                      [](const RuleAction& a) { return SpecIsFinal(a.type); });
  if (finals != 1 || !SpecIsFinal(out.back().type)) {
    return Fail(errors::InvalidParameter(
        std::string(prefix),
        "a Request rule has exactly one ForwardGroup, Redirect or FixedResponse action, with "
        "the largest Order"));
  }
  if (types.contains("Rewrite") && out.back().type != "ForwardGroup") {
    return Fail(errors::InvalidParameter(std::string(prefix),
                                         "a Rewrite action needs a ForwardGroup action"));
  }
  return out;
}

nlohmann::json ConditionsJson(const std::vector<RuleCondition>& conditions) {
  SpecJson out = SpecJson::array();
  for (const auto& c : conditions) {
    SpecJson config;
    if (c.type == "QueryString" || c.type == "Cookie") {
      config["Values"] = SpecPairsJson(c.pairs);
    } else {
      config["Values"] = SpecStrings(c.values);
    }
    if (c.type == "Header" || c.type == "ResponseHeader") config["Key"] = c.key;
    out.push_back({{"Type", c.type}, {c.type + "Config", std::move(config)}});
  }
  return out;
}

nlohmann::json ActionsJson(const std::vector<RuleAction>& actions) {
  SpecJson out = SpecJson::array();
  for (const auto& a : actions) {
    SpecJson config;
    if (a.type == "ForwardGroup") {
      SpecJson tuples = SpecJson::array();
      for (const auto& g : a.groups) {
        tuples.push_back({{"ServerGroupId", g.server_group_id}, {"Weight", g.weight}});
      }
      config["ServerGroupTuples"] = std::move(tuples);
      config["ServerGroupStickySession"] = {{"Enabled", a.sticky}, {"Timeout", a.sticky_timeout}};
    } else if (a.type == "Redirect") {
      config = {{"Host", a.host}, {"HttpCode", a.http_code}, {"Path", a.path},
                {"Port", a.port}, {"Protocol", a.protocol},  {"Query", a.query}};
    } else if (a.type == "FixedResponse") {
      config = {{"Content", a.content}, {"ContentType", a.content_type}, {"HttpCode", a.http_code}};
    } else if (a.type == "Rewrite") {
      config = {{"Host", a.host}, {"Path", a.path}, {"Query", a.query}};
    } else if (a.type == "InsertHeader") {
      config = {{"Key", a.key},
                {"Value", a.value},
                {"ValueType", a.value_type},
                {"CoverEnabled", a.cover}};
    } else if (a.type == "RemoveHeader") {
      config = {{"Key", a.key}};
    } else if (a.type == "TrafficLimit") {
      if (a.qps > 0) config["QPS"] = a.qps;
      if (a.per_ip_qps > 0) config["PerIpQps"] = a.per_ip_qps;
    } else if (a.type == "Cors") {
      config = {{"AllowOrigin", a.allow_origin},
                {"AllowMethods", a.allow_methods},
                {"AllowHeaders", a.allow_headers},
                {"ExposeHeaders", a.expose_headers},
                {"AllowCredentials", a.allow_credentials ? "on" : "off"},
                {"MaxAge", a.max_age}};
    }
    out.push_back({{"Type", a.type}, {"Order", a.order}, {a.type + "Config", std::move(config)}});
  }
  return out;
}

std::vector<RuleCondition> ConditionsFromJson(std::string_view json) {
  std::vector<RuleCondition> out;
  auto parsed = SpecJson::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (!item.is_object()) continue;
    RuleCondition c;
    c.type = SpecStringOf(item, "Type");
    auto config = item.find(c.type + "Config");
    if (config == item.end() || !config->is_object()) continue;
    c.key = SpecStringOf(*config, "Key");
    auto values = config->find("Values");
    if (values != config->end() && values->is_array()) {
      for (const auto& v : *values) {
        if (v.is_string()) c.values.push_back(v.get<std::string>());
        if (v.is_object()) c.pairs.emplace_back(SpecStringOf(v, "Key"), SpecStringOf(v, "Value"));
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<RuleAction> ActionsFromJson(std::string_view json) {
  std::vector<RuleAction> out;
  auto parsed = SpecJson::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (!item.is_object()) continue;
    RuleAction a;
    a.type = SpecStringOf(item, "Type");
    a.order = SpecIntOf(item, "Order", 0);
    auto found = item.find(a.type + "Config");
    if (found == item.end() || !found->is_object()) continue;
    const SpecJson& c = *found;
    if (auto tuples = c.find("ServerGroupTuples"); tuples != c.end() && tuples->is_array()) {
      for (const auto& t : *tuples) {
        a.groups.push_back({SpecStringOf(t, "ServerGroupId"), SpecIntOf(t, "Weight", 100)});
      }
    }
    if (auto sticky = c.find("ServerGroupStickySession"); sticky != c.end()) {
      a.sticky = sticky->value("Enabled", false);
      a.sticky_timeout = SpecIntOf(*sticky, "Timeout", 1000);
    }
    a.host = SpecStringOf(c, "Host");
    a.path = SpecStringOf(c, "Path");
    a.port = SpecStringOf(c, "Port");
    a.protocol = SpecStringOf(c, "Protocol");
    a.query = SpecStringOf(c, "Query");
    a.http_code = SpecStringOf(c, "HttpCode");
    a.content = SpecStringOf(c, "Content");
    a.content_type = SpecStringOf(c, "ContentType");
    a.key = SpecStringOf(c, "Key");
    a.value = SpecStringOf(c, "Value");
    a.value_type = SpecStringOf(c, "ValueType");
    a.cover = c.value("CoverEnabled", false);
    a.qps = SpecIntOf(c, "QPS", 0);
    a.per_ip_qps = SpecIntOf(c, "PerIpQps", 0);
    if (auto origins = c.find("AllowOrigin"); origins != c.end())
      a.allow_origin = SpecStringsOf(*origins);
    if (auto m = c.find("AllowMethods"); m != c.end()) a.allow_methods = SpecStringsOf(*m);
    if (auto h = c.find("AllowHeaders"); h != c.end()) a.allow_headers = SpecStringsOf(*h);
    if (auto e = c.find("ExposeHeaders"); e != c.end()) a.expose_headers = SpecStringsOf(*e);
    a.allow_credentials = SpecStringOf(c, "AllowCredentials") == "on";
    a.max_age = SpecIntOf(c, "MaxAge", -1);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> ForwardedGroups(const std::vector<RuleAction>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) {
    for (const auto& g : a.groups) out.push_back(g.server_group_id);
  }
  return out;
}

}  // namespace openalb
