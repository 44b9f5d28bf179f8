// The forwarding rule actions of ALB 2020-06-16: CreateRule, CreateRules, UpdateRuleAttribute,
// UpdateRulesAttribute, DeleteRule, DeleteRules, ListRules. Rule actions are authorised on the
// rules' load balancer, as ALB does.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterRuleActions(ActionTable& table);

}  // namespace openalb
