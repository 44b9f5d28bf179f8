#include "auth/ram_policy.h"

#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>

#include "core/common_errors.h"
#include "core/time_format.h"

namespace openalb {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kDocument = "PolicyDocument";

ApiError Malformed(const std::string& why) { return errors::InvalidParameter(kDocument, why); }

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A string or a non-empty array of strings, as every list element of the language may be.
Result<std::vector<std::string>> Strings(const Json& value, const std::string& where) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array() && !value.empty()) {
    for (const auto& item : value) {
      if (!item.is_string()) return Fail(Malformed(where + " must hold strings"));
      out.push_back(item.get<std::string>());
    }
  } else {
    return Fail(Malformed(where + " must be a string or a non-empty array of strings"));
  }
  return out;
}

// An IPv4 or IPv6 network: address bytes and prefix length.
struct Network {
  int family = AF_INET;
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;
};

std::optional<Network> ParseNetwork(std::string_view text) {
  std::string address(text);
  int prefix = -1;
  if (auto slash = address.find('/'); slash != std::string::npos) {
    const std::string digits = address.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    prefix = std::stoi(digits);
    address.resize(slash);
  }
  Network network;
  if (inet_pton(AF_INET, address.c_str(), network.bytes.data()) == 1) {
    network.family = AF_INET;
    network.prefix = prefix < 0 ? 32 : prefix;
    if (network.prefix > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, address.c_str(), network.bytes.data()) == 1) {
    network.family = AF_INET6;
    network.prefix = prefix < 0 ? 128 : prefix;
    if (network.prefix > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return network;
}

bool InNetwork(const Network& network, std::string_view ip) {
  auto address = ParseNetwork(ip);
  if (!address || address->prefix != (address->family == AF_INET ? 32 : 128) ||
      address->family != network.family) {
    return false;
  }
  const int full = network.prefix / 8;
  if (std::memcmp(address->bytes.data(), network.bytes.data(), static_cast<size_t>(full)) != 0) {
    return false;
  }
  const int rest = network.prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (address->bytes[full] & mask) == (network.bytes[full] & mask);
}

struct OperatorSpec {
  std::string_view name;
  std::string_view key;  // the one key it applies to, lower-case
};

// The operators this server evaluates, each with the key it is defined for.
constexpr std::array<OperatorSpec, 7> kOperators = {{
    {"IpAddress", "acs:sourceip"},
    {"NotIpAddress", "acs:sourceip"},
    {"Bool", "acs:securetransport"},
    {"DateGreaterThan", "acs:currenttime"},
    {"DateGreaterThanEquals", "acs:currenttime"},
    {"DateLessThan", "acs:currenttime"},
    {"DateLessThanEquals", "acs:currenttime"},
}};

Result<RamPolicy::Condition> ParseCondition(const std::string& op_written, const std::string& key,
                                            const Json& value) {
  const OperatorSpec* spec = nullptr;
  for (const auto& candidate : kOperators) {
    if (Lower(candidate.name) == Lower(op_written)) spec = &candidate;
  }
  if (spec == nullptr) {
    return Fail(Malformed("Condition operator " + op_written + " is not supported"));
  }
  RamPolicy::Condition condition{std::string(spec->name), Lower(key), {}};
  if (condition.key != spec->key) {
    return Fail(Malformed("Condition key " + key + " cannot be used with " + op_written));
  }
  auto values = Strings(value.is_boolean() ? Json(value.get<bool>() ? "true" : "false") : value,
                        "Condition " + op_written + "." + key);
  if (!values) return Fail(values.error());
  for (const auto& v : *values) {
    const bool ok = spec->key == "acs:sourceip" ? ParseNetwork(v).has_value()
                    : spec->key == "acs:securetransport"
                        ? (Lower(v) == "true" || Lower(v) == "false")
                        : ParseIso8601(v).has_value();
    if (!ok) {
      return Fail(Malformed("Condition " + op_written + "." + key + " has an invalid value " + v));
    }
  }
  condition.values = std::move(*values);
  return condition;
}

bool ConditionHolds(const RamPolicy::Condition& c, const RamRequest& request) {
  if (c.op == "IpAddress" || c.op == "NotIpAddress") {
    bool any = std::any_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
      return InNetwork(*ParseNetwork(v), request.source_ip);
    });
    return c.op == "IpAddress" ? any : !any;
  }
  if (c.op == "Bool") {
    return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
      return (Lower(v) == "true") == request.secure_transport;
    });
  }
  return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
    auto when = *ParseIso8601(v);
    if (c.op == "DateGreaterThan") return request.now > when;
    if (c.op == "DateGreaterThanEquals") return request.now >= when;
    if (c.op == "DateLessThan") return request.now < when;
    return request.now <= when;  // DateLessThanEquals
  });
}

bool StatementMatches(const RamPolicy::Statement& s, const RamRequest& request) {
  const std::string action = Lower(request.action);
  auto any = [](const std::vector<std::string>& patterns, std::string_view text) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return WildcardMatch(p, text); });
  };
  if (!any(s.actions, action) || !any(s.resources, request.resource)) return false;
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const RamPolicy::Condition& c) { return ConditionHolds(c, request); });
}

Result<RamPolicy::Statement> ParseStatement(const Json& json, size_t index) {
  const std::string where = "Statement " + std::to_string(index + 1);
  if (!json.is_object()) return Fail(Malformed(where + " must be an object"));
  RamPolicy::Statement statement;
  for (const auto& [field, value] : json.items()) {
    if (field == "Effect") {
      if (!value.is_string() || (value != "Allow" && value != "Deny")) {
        return Fail(Malformed(where + ": Effect must be Allow or Deny"));
      }
      statement.allow = value == "Allow";
    } else if (field == "Action") {
      auto actions = Strings(value, where + ": Action");
      if (!actions) return Fail(actions.error());
      for (const auto& a : *actions) statement.actions.push_back(Lower(a));
    } else if (field == "Resource") {
      auto resources = Strings(value, where + ": Resource");
      if (!resources) return Fail(resources.error());
      statement.resources = std::move(*resources);
    } else if (field == "Condition") {
      if (!value.is_object()) return Fail(Malformed(where + ": Condition must be an object"));
      for (const auto& [op, keys] : value.items()) {
        if (!keys.is_object()) {
          return Fail(Malformed(where + ": Condition " + op + " must map keys to values"));
        }
        for (const auto& [key, values] : keys.items()) {
          auto condition = ParseCondition(op, key, values);
          if (!condition) return Fail(condition.error());
          statement.conditions.push_back(std::move(*condition));
        }
      }
    } else {
      return Fail(Malformed(where + ": unknown element " + field));
    }
  }
  if (!json.contains("Effect")) return Fail(Malformed(where + ": Effect is required"));
  if (statement.actions.empty()) return Fail(Malformed(where + ": Action is required"));
  if (statement.resources.empty()) return Fail(Malformed(where + ": Resource is required"));
  return statement;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  // Iterative glob with one backtrack point: linear in practice, no recursion.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<RamPolicy> RamPolicy::Parse(std::string_view document) {
  if (document.size() > 6144) return Fail(Malformed("it is longer than 6,144 characters"));
  auto json = Json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return Fail(Malformed("it is not a JSON object"));
  for (const auto& [field, value] : json.items()) {
    if (field != "Version" && field != "Statement") {
      return Fail(Malformed("unknown element " + field));
    }
  }
  auto version = json.find("Version");
  if (version == json.end() || *version != "1") return Fail(Malformed("Version must be \"1\""));
  auto statements = json.find("Statement");
  if (statements == json.end() || !statements->is_array()) {
    return Fail(Malformed("Statement must be an array"));
  }
  RamPolicy policy;
  for (size_t i = 0; i < statements->size(); ++i) {
    auto statement = ParseStatement((*statements)[i], i);
    if (!statement) return Fail(statement.error());
    policy.statements_.push_back(std::move(*statement));
  }
  return policy;
}

RamDecision RamPolicy::Evaluate(const RamRequest& request) const {
  bool allowed = false;
  for (const auto& statement : statements_) {
    if (!StatementMatches(statement, request)) continue;
    if (!statement.allow) return RamDecision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? RamDecision::kAllow : RamDecision::kImplicitDeny;
}

RamDecision EvaluatePolicies(const std::vector<RamPolicy>& policies, const RamRequest& request) {
  bool allowed = false;
  for (const auto& policy : policies) {
    RamDecision decision = policy.Evaluate(request);
    if (decision == RamDecision::kExplicitDeny) return decision;
    allowed = allowed || decision == RamDecision::kAllow;
  }
  return allowed ? RamDecision::kAllow : RamDecision::kImplicitDeny;
}

}  // namespace openalb
