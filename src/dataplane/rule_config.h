// RuleConfig: one forwarding rule of a listener as the data plane serves it — its priority, its
// conditions and its actions — as plain values. The domain (alb/rule_spec) validates a rule from
// the API's parameters into this shape and stores it as ALB's JSON; served_listeners hands the
// data plane these values, and dataplane/route_table compiles them into a matcher.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace openalb {

using KeyValue = std::pair<std::string, std::string>;

// One condition: the request (or, for a Response rule, the response) meets it when any of its
// values matches. Host values are lower-case; Host and Path values may hold `*` and `?`.
struct RuleCondition {
  std::string type;  // Host, Path, Header, QueryString, Method, Cookie, SourceIp,
                     // ResponseHeader, ResponseStatusCode
  std::string key;   // Header and ResponseHeader: the field name
  std::vector<std::string> values;
  std::vector<KeyValue> pairs;  // QueryString and Cookie: Key/Value

  bool operator==(const RuleCondition&) const = default;
};

struct GroupTuple {
  std::string server_group_id;
  int weight = 100;  // 0..100

  bool operator==(const GroupTuple&) const = default;
};

// One action. The fields a type does not use stay empty.
struct RuleAction {
  std::string type;  // ForwardGroup, Redirect, FixedResponse, Rewrite, InsertHeader,
                     // RemoveHeader, TrafficLimit, Cors
  int order = 0;
  // ForwardGroup
  std::vector<GroupTuple> groups;
  bool sticky = false;
  int sticky_timeout = 1000;
  // Redirect (and Rewrite's host/path/query): "${host}" and the like keep the request's part.
  std::string host, path, port, protocol, query;
  std::string http_code;  // Redirect 301..308, FixedResponse 2xx/4xx/5xx
  // FixedResponse
  std::string content, content_type;
  // InsertHeader / RemoveHeader
  std::string key, value, value_type;  // value_type UserDefined, ReferenceHeader, SystemDefined
  bool cover = false;                  // InsertHeader replaces an existing field of that name
  // TrafficLimit: 0 means no limit of that kind
  int qps = 0, per_ip_qps = 0;
  // Cors
  std::vector<std::string> allow_origin, allow_methods, allow_headers, expose_headers;
  bool allow_credentials = false;
  int max_age = -1;  // -1: none sent

  bool operator==(const RuleAction&) const = default;
};

struct RuleConfig {
  std::string rule_id;
  int priority = 0;
  bool response = false;  // Direction Response: conditions on the answer, header actions only
  std::vector<RuleCondition> conditions;
  std::vector<RuleAction> actions;  // by Order

  bool operator==(const RuleConfig&) const = default;
};

}  // namespace openalb
