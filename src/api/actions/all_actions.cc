#include "api/actions/all_actions.h"

#include "api/actions/acl_actions.h"
#include "api/actions/ascript_actions.h"
#include "api/actions/certificate_actions.h"
#include "api/actions/health_actions.h"
#include "api/actions/job_actions.h"
#include "api/actions/listener_actions.h"
#include "api/actions/listener_certificate_actions.h"
#include "api/actions/load_balancer_actions.h"
#include "api/actions/load_balancer_cloud_actions.h"
#include "api/actions/region_actions.h"
#include "api/actions/rule_actions.h"
#include "api/actions/security_policy_actions.h"
#include "api/actions/server_group_actions.h"
#include "api/actions/tag_actions.h"

namespace openalb {

ActionTable BuildActionTable() {
  ActionTable table;
  RegisterRegionActions(table);
  RegisterLoadBalancerActions(table);
  RegisterLoadBalancerCloudActions(table);
  RegisterListenerActions(table);
  RegisterListenerCertificateActions(table);
  RegisterJobActions(table);
  RegisterCertificateActions(table);
  RegisterServerGroupActions(table);
  RegisterRuleActions(table);
  RegisterHealthActions(table);
  RegisterSecurityPolicyActions(table);
  RegisterAclActions(table);
  RegisterAScriptActions(table);
  RegisterTagActions(table);
  return table;
}

}  // namespace openalb
