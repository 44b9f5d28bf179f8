// The TLS security policy actions of ALB 2020-06-16: CreateSecurityPolicy,
// UpdateSecurityPolicyAttribute, DeleteSecurityPolicy, ListSecurityPolicies,
// ListSecurityPolicyRelations and ListSystemSecurityPolicies.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterSecurityPolicyActions(ActionTable& table);

}  // namespace openalb
