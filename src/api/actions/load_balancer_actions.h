// Load balancer actions: CreateLoadBalancer, GetLoadBalancerAttribute, ListLoadBalancers,
// DeleteLoadBalancer.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterLoadBalancerActions(ActionTable& table);

}  // namespace openalb
