// A forwarding rule's conditions and actions between the wire and the data plane: read from the
// API's RuleConditions / RuleActions (flattened `RuleConditions.1.HostConfig.Values.1` or JSON),
// validated as ALB documents them, and written to / read from ALB's JSON shape (what ListRules
// returns and what the store keeps). Checks that need the store (server groups exist, the
// priority is free, quotas) are in alb/rules.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"
#include "dataplane/rule_config.h"

namespace openalb {

using RuleParameterObject = std::map<std::string, std::string, std::less<>>;

// Limits of one rule, by load balancer edition (Basic: 5 conditions, 3 actions; Standard and
// StandardWithWaf: 10 and 5).
struct RuleLimits {
  size_t conditions = 10;
  size_t actions = 5;
  size_t values_per_condition = 5;
  size_t wildcards = 10;  // `*`/`?` values across the rule's Host and Path conditions
};
RuleLimits RuleLimitsFor(std::string_view edition);

// `prefix` names the parameter in errors ("RuleConditions" or "Rules.2.RuleConditions").
Result<std::vector<RuleCondition>> ReadRuleConditions(
    const std::vector<RuleParameterObject>& objects, bool response, const RuleLimits& limits,
    std::string_view prefix);
Result<std::vector<RuleAction>> ReadRuleActions(const std::vector<RuleParameterObject>& objects,
                                                bool response, const RuleLimits& limits,
                                                std::string_view prefix);

// ALB's JSON: an array of {"Type", "<Type>Config": {...}} objects (actions also "Order").
nlohmann::json ConditionsJson(const std::vector<RuleCondition>& conditions);
nlohmann::json ActionsJson(const std::vector<RuleAction>& actions);
// The reverse, for what the store keeps (written by the functions above).
std::vector<RuleCondition> ConditionsFromJson(std::string_view json);
std::vector<RuleAction> ActionsFromJson(std::string_view json);

// The server groups a rule's actions forward to.
std::vector<std::string> ForwardedGroups(const std::vector<RuleAction>& actions);

}  // namespace openalb
