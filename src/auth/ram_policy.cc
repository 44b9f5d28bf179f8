#include "auth/ram_policy.h"

#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "core/ascii_case.h"
#include "core/common_errors.h"
#include "core/time_format.h"

namespace openalb {
namespace {

using PolicyJson = nlohmann::json;

constexpr std::string_view kDocument = "PolicyDocument";

ApiError Malformed(const std::string& why) { return errors::InvalidParameter(kDocument, why); }

// A string or a non-empty array of strings, as every list element of the language may be.
Result<std::vector<std::string>> Strings(const PolicyJson& value, const std::string& where) {
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

using Network = RamPolicy::Network;

std::optional<Network> ParseNetwork(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  char address[65];
  std::memcpy(address, text.data(), text.size());
  address[text.size()] = '\0';
  int prefix = -1;
  if (char* slash = std::strchr(address, '/'); slash != nullptr) {
    std::string_view digits(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    prefix = std::atoi(slash + 1);
    *slash = '\0';
  }
  Network network;
  if (inet_pton(AF_INET, address, network.bytes.data()) == 1) {
    network.family = AF_INET;
    network.prefix = prefix < 0 ? 32 : prefix;
    if (network.prefix > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, address, network.bytes.data()) == 1) {
    network.family = AF_INET6;
    network.prefix = prefix < 0 ? 128 : prefix;
    if (network.prefix > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return network;
}

// An IPv4 address seen through an IPv6 socket, as the IPv4 address it is.
Network UnmapIpv4(Network address) {
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (address.family != AF_INET6 || std::memcmp(address.bytes.data(), kMapped, 12) != 0) {
    return address;
  }
  Network v4;
  v4.family = AF_INET;
  std::memcpy(v4.bytes.data(), address.bytes.data() + 12, 4);
  v4.prefix = 32;
  return v4;
}

bool InNetwork(const Network& network, const Network& address) {
  if (address.family != network.family) return false;
  const int full = network.prefix / 8;
  if (std::memcmp(address.bytes.data(), network.bytes.data(), static_cast<size_t>(full)) != 0) {
    return false;
  }
  const int rest = network.prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (address.bytes[full] & mask) == (network.bytes[full] & mask);
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
                                            const PolicyJson& value) {
  const OperatorSpec* spec = nullptr;
  for (const auto& candidate : kOperators) {
    if (AsciiLower(candidate.name) == AsciiLower(op_written)) spec = &candidate;
  }
  if (spec == nullptr) {
    return Fail(Malformed("Condition operator " + op_written + " is not supported"));
  }
  RamPolicy::Condition condition{std::string(spec->name), AsciiLower(key), {}, {}, {}};
  if (condition.key != spec->key) {
    return Fail(Malformed("Condition key " + key + " cannot be used with " + op_written));
  }
  auto values =
      Strings(value.is_boolean() ? PolicyJson(value.get<bool>() ? "true" : "false") : value,
              "Condition " + op_written + "." + key);
  if (!values) return Fail(values.error());
  for (const auto& v : *values) {
    bool ok = false;
    if (spec->key == "acs:sourceip") {
      auto network = ParseNetwork(v);
      if ((ok = network.has_value())) condition.networks.push_back(*network);
    } else if (spec->key == "acs:securetransport") {
      ok = AsciiLower(v) == "true" || AsciiLower(v) == "false";
      if (ok) condition.flags.push_back(AsciiLower(v) == "true");
    } else {
      auto when = ParseIso8601(v);
      if ((ok = when.has_value())) condition.times.push_back(*when);
    }
    if (!ok) {
      return Fail(Malformed("Condition " + op_written + "." + key + " has an invalid value " +
                            v.substr(0, 64)));
    }
  }
  return condition;
}

bool ConditionHolds(const RamPolicy::Condition& c, const RamRequest& request) {
  if (c.op == "IpAddress" || c.op == "NotIpAddress") {
    auto address = ParseNetwork(request.source_ip);
    const bool any = address && address->prefix == (address->family == AF_INET ? 32 : 128) &&
                     std::any_of(c.networks.begin(), c.networks.end(), [&](const Network& n) {
                       return InNetwork(n, UnmapIpv4(*address));
                     });
    return c.op == "IpAddress" ? any : !any;
  }
  if (c.op == "Bool") {
    return std::any_of(c.flags.begin(), c.flags.end(),
                       [&](bool flag) { return flag == request.secure_transport; });
  }
  return std::any_of(c.times.begin(), c.times.end(), [&](auto when) {
    if (c.op == "DateGreaterThan") return request.now > when;
    if (c.op == "DateGreaterThanEquals") return request.now >= when;
    if (c.op == "DateLessThan") return request.now < when;
    return request.now <= when;  // DateLessThanEquals
  });
}

bool StatementMatches(const RamPolicy::Statement& s, const RamRequest& request,
                      std::string_view lower_case_action) {
  auto any = [](const std::vector<WildcardPattern>& patterns, std::string_view text) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const WildcardPattern& p) { return p.Matches(text); });
  };
  if (!any(s.actions, lower_case_action) || !any(s.resources, request.resource)) return false;
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const RamPolicy::Condition& c) { return ConditionHolds(c, request); });
}

Result<RamPolicy::Statement> ParseStatement(const PolicyJson& json, size_t index) {
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
      for (const auto& a : *actions) statement.actions.emplace_back(AsciiLower(a));
    } else if (field == "Resource") {
      auto resources = Strings(value, where + ": Resource");
      if (!resources) return Fail(resources.error());
      for (auto& r : *resources) statement.resources.emplace_back(std::move(r));
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
    // A `*` in the pattern is always a wildcard, even facing a `*` in the text (a fuzzer
    // found the literal reading first: it gave up matches only backtracking could find).
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
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

WildcardPattern::WildcardPattern(std::string pattern) : pattern_(std::move(pattern)) {
  has_question_mark_ = pattern_.find('?') != std::string::npos;
  size_t start = 0;
  while (true) {
    size_t star = pattern_.find('*', start);
    size_t end = star == std::string::npos ? pattern_.size() : star;
    pieces_.emplace_back(start, end - start);
    if (star == std::string::npos) break;
    start = star + 1;
  }
}

bool WildcardPattern::Matches(std::string_view text) const {
  if (has_question_mark_) return WildcardMatch(pattern_, text);
  const std::string_view pattern = pattern_;
  if (pieces_.size() == 1) return text == pattern;
  const auto [first_at, first_size] = pieces_.front();
  const auto [last_at, last_size] = pieces_.back();
  if (text.size() < first_size + last_size) return false;
  // Most texts differ from the pattern at the last character of its prefix or of its
  // suffix: look there before comparing whole pieces.
  if (first_size > 0 && text[first_size - 1] != pattern[first_at + first_size - 1]) return false;
  if (last_size > 0 && text.back() != pattern.back()) return false;
  if (text.substr(0, first_size) != pattern.substr(first_at, first_size) ||
      text.substr(text.size() - last_size) != pattern.substr(last_at, last_size)) {
    return false;
  }
  size_t at = first_size;
  const std::string_view between = text.substr(0, text.size() - last_size);
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    const std::string_view middle = pattern.substr(pieces_[i].first, pieces_[i].second);
    if (middle.empty()) continue;
    const size_t found = between.find(middle, at);
    if (found == std::string_view::npos) return false;
    at = found + middle.size();
  }
  return true;
}

Result<RamPolicy> RamPolicy::Parse(std::string_view document) {
  if (document.size() > 6144) return Fail(Malformed("it is longer than 6,144 characters"));
  auto json = PolicyJson::parse(document, nullptr, /*allow_exceptions=*/false);
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
  if (!request.lower_case_action.empty()) return Evaluate(request, request.lower_case_action);
  return Evaluate(request, AsciiLower(request.action));
}

RamDecision RamPolicy::Evaluate(const RamRequest& request,
                                std::string_view lower_case_action) const {
  bool allowed = false;
  for (const auto& statement : statements_) {
    if (!StatementMatches(statement, request, lower_case_action)) continue;
    if (!statement.allow) return RamDecision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? RamDecision::kAllow : RamDecision::kImplicitDeny;
}

RamDecision EvaluatePolicies(const std::vector<RamPolicy>& policies, const RamRequest& request) {
  const std::string action = AsciiLower(request.action);
  bool allowed = false;
  for (const auto& policy : policies) {
    RamDecision decision = policy.Evaluate(request, action);
    if (decision == RamDecision::kExplicitDeny) return decision;
    allowed = allowed || decision == RamDecision::kAllow;
  }
  return allowed ? RamDecision::kAllow : RamDecision::kImplicitDeny;
}

RamDecision EvaluatePolicies(const std::vector<NamedPolicy>& policies, const RamRequest& request,
                             std::string* denied_by) {
  const std::string lowered = request.lower_case_action.empty() ? AsciiLower(request.action) : "";
  const std::string_view action = lowered.empty() ? request.lower_case_action : lowered;
  bool allowed = false;
  for (const auto& named : policies) {
    RamDecision decision = named.policy.Evaluate(request, action);
    if (decision == RamDecision::kExplicitDeny) {
      if (denied_by != nullptr) *denied_by = named.name;
      return decision;
    }
    allowed = allowed || decision == RamDecision::kAllow;
  }
  return allowed ? RamDecision::kAllow : RamDecision::kImplicitDeny;
}

}  // namespace openalb
