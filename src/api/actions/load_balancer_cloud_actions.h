// The load balancer actions whose effect is a cloud deployment's (bandwidth packages, security
// groups, SLS access logs, IPv6 internet, zones, address type, zone shifts, capacity
// reservation) and the edition change: accepted, validated and recorded
// (alb/load_balancer_cloud_settings.h), answered as ALB answers them.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterLoadBalancerCloudActions(ActionTable& table);

}  // namespace openalb
