#include "alb/resource_groups.h"

#include <nlohmann/json.hpp>

#include "alb/acls.h"
#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/load_balancers.h"
#include "alb/security_policies.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

constexpr size_t kMaxResourceGroupId = 64;

// `attributes` (a JSON object) with its ResourceGroupId set.
std::string WithResourceGroup(std::string_view attributes, std::string_view group_id) {
  auto parsed = nlohmann::json::parse(attributes, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) parsed = nlohmann::json::object();
  parsed["ResourceGroupId"] = group_id;
  return parsed.dump();
}

}  // namespace

Result<void> MoveResourceGroup(const Domain& domain, const WriteRequest& write,
                               std::string_view resource_type, std::string_view resource_id,
                               std::string_view new_resource_group_id) {
  if (new_resource_group_id.empty()) return Fail(errors::MissingParameter("NewResourceGroupId"));
  if (new_resource_group_id.size() > kMaxResourceGroupId) {
    return Fail(errors::InvalidParameter("NewResourceGroupId", "it is longer than 64 characters"));
  }
  if (resource_type != "loadbalancer" && resource_type != "servergroup" &&
      resource_type != "securitypolicy" && resource_type != "acl") {
    return Fail(errors::InvalidParameter("ResourceType",
                                         "it is loadbalancer, servergroup, securitypolicy or acl"));
  }
  const std::string& account = write.account_id;
  auto done = RunDirectWrite(
      domain, write, api_name::kMoveResourceGroup,
      ParameterFingerprint({resource_type, resource_id, new_resource_group_id}),
      [&](StoreTx& tx) -> Result<std::string> {
        if (resource_type == "loadbalancer") {
          auto lb = FindLoadBalancerOrFail(tx, account, resource_id);
          if (!lb) return Fail(lb.error());
          lb->attributes = WithResourceGroup(lb->attributes, new_resource_group_id);
          if (auto r = tx.UpdateLoadBalancer(*lb); !r) return Fail(r.error());
        } else if (resource_type == "servergroup") {
          auto group = FindServerGroupOrFail(tx, account, resource_id);
          if (!group) return Fail(group.error());
          group->attributes = WithResourceGroup(group->attributes, new_resource_group_id);
          if (auto r = tx.UpdateServerGroup(*group); !r) return Fail(r.error());
        } else if (resource_type == "acl") {
          auto acl = FindAclOrFail(tx, account, resource_id);
          if (!acl) return Fail(acl.error());
          acl->resource_group_id = new_resource_group_id;
          if (auto r = tx.UpdateAcl(*acl); !r) return Fail(r.error());
        } else {
          auto policy = FindSecurityPolicyOrFail(tx, account, resource_id);
          if (!policy) return Fail(policy.error());
          policy->resource_group_id = new_resource_group_id;
          if (auto r = tx.UpdateSecurityPolicy(*policy); !r) return Fail(r.error());
        }
        return std::string(resource_id);
      });
  if (!done) return Fail(done.error());
  return {};
}

}  // namespace openalb
