// The action table: the one place that maps an OpenAPI (Version, Action) to its handler,
// its required parameters, its RAM action name, access level and the resource RAM
// authorises it against. Adding an action is one Add() call in api/actions/ plus a handler.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/parameter_reader.h"
#include "api/response_renderer.h"
#include "api/rpc_request.h"
#include "core/api_error.h"
#include "store/store.h"

namespace openalb {

struct Services;  // api/services.h

enum class AccessLevel { kRead, kList, kWrite, kDelete };

struct ActionContext {
  const RpcRequest& request;
  const ParameterReader& params;
  Services& services;
  // For a mutating action: the request's audit entry, for the write that commits its
  // effects to record in the same transaction. Null for reads.
  PendingAudit* audit = nullptr;
};

// Returns the response body without RequestId (the endpoint appends it).
using ActionHandler = std::function<Result<Json>(ActionContext&)>;

// The ARN a request's RAM action is authorised against, e.g.
// "acs:alb:cn-hangzhou:<account>:loadbalancer/alb-…" (it may read the store: a listener
// action resolves the listener's load balancer). Runs after the required parameters are
// known to be there.
using ResourceResolver = std::function<Result<std::string>(const ActionContext&)>;

struct ActionSpec {
  std::string name;                   // "DescribeRegions"
  std::string version;                // "2020-06-16"
  std::string ram_action;             // "alb:DescribeRegions"
  std::string ram_action_lower_case;  // set by ActionTable::Add, for policy matching
  AccessLevel access = AccessLevel::kRead;
  std::vector<std::string> required;  // each absent one → Missing<Name>
  ResourceResolver resource;
  ActionHandler handler;
};

class ActionTable {
 public:
  void Add(ActionSpec spec);
  const ActionSpec* Find(std::string_view version, std::string_view action) const;
  bool KnowsVersion(std::string_view version) const { return versions_.contains(version); }
  size_t size() const { return actions_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, ActionSpec, std::less<>> actions_;
  std::set<std::string, std::less<>> versions_;
};

}  // namespace openalb
