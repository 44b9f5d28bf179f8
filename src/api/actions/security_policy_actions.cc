#include "api/actions/security_policy_actions.h"

#include "alb/api_names.h"
#include "alb/security_policies.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/actions/tag_actions.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

constexpr size_t kMaxVersions = 4;
constexpr size_t kMaxCiphers = 32;

Json PolicyJson(const SecurityPolicy& policy, const TagsByResource& tags) {
  Json out;
  out["SecurityPolicyId"] = policy.policy_id;
  out["SecurityPolicyName"] = policy.name;
  out["SecurityPolicyStatus"] = "Available";
  out["TLSVersions"] = PolicyStrings(policy.tls_versions);  // in the order given
  out["Ciphers"] = PolicyStrings(policy.ciphers);
  out["ResourceGroupId"] = policy.resource_group_id;
  out["CreateTime"] = IsoTime(policy.created_ms);
  out["Tags"] = TagsJson(tags, policy.policy_id);
  return out;
}

// TLSVersions.N and Ciphers.N, when given.
Result<void> ReadPolicyLists(const ParameterReader& params, SecurityPolicyRequest& request) {
  auto versions = params.StringList("TLSVersions", kMaxVersions);
  if (!versions) return Fail(versions.error());
  if (!versions->empty()) request.versions = std::move(*versions);
  auto ciphers = params.StringList("Ciphers", kMaxCiphers);
  if (!ciphers) return Fail(ciphers.error());
  if (!ciphers->empty()) request.ciphers = std::move(*ciphers);
  return {};
}

Result<Json> CreateSecurityPolicyAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  SecurityPolicyRequest request{.write = std::move(*write)};
  if (auto name = context.params.Get("SecurityPolicyName")) request.name = std::string(*name);
  request.resource_group_id = std::string(context.params.Get("ResourceGroupId").value_or(""));
  request.tags = std::move(*tags);
  if (auto r = ReadPolicyLists(context.params, request); !r) return Fail(r.error());
  auto id = CreateSecurityPolicy(context.services.domain, request);
  if (!id) return Fail(id.error());
  Json body;
  body["SecurityPolicyId"] = *id;
  return body;
}

Result<Json> UpdateSecurityPolicyAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  SecurityPolicyRequest request{.write = std::move(*write),
                                .policy_id = std::string(*context.params.Get("SecurityPolicyId"))};
  if (auto name = context.params.Get("SecurityPolicyName")) request.name = std::string(*name);
  if (auto r = ReadPolicyLists(context.params, request); !r) return Fail(r.error());
  auto job = UpdateSecurityPolicy(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> DeleteSecurityPolicyAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  if (auto r = DeleteSecurityPolicy(context.services.domain, *write,
                                    *context.params.Get("SecurityPolicyId"));
      !r) {
    return Fail(r.error());
  }
  return Json::object();
}

Result<Json> ListSecurityPoliciesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  SecurityPolicyFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("SecurityPolicyIds", 20);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto names = context.params.StringList("SecurityPolicyNames", 20);
  if (!names) return Fail(names.error());
  filter.names = std::move(*names);
  Json body;
  body["SecurityPolicies"] = Json::array();
  auto any = ApplyTagFilter(context, "securitypolicy", filter.ids);
  if (!any) return Fail(any.error());
  if (!*any) {
    AddPageFields(body, 0, *page, std::nullopt);
    return body;
  }
  auto found = ListSecurityPolicies(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  auto tags = TagsForPage(context, found->items,
                          [](const SecurityPolicy& policy) { return policy.policy_id; });
  if (!tags) return Fail(tags.error());
  for (const auto& policy : found->items) {
    body["SecurityPolicies"].push_back(PolicyJson(policy, *tags));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<Json> ListSecurityPolicyRelationsAction(ActionContext& context) {
  auto ids = context.params.StringList("SecurityPolicyIds", 5);
  if (!ids) return Fail(ids.error());
  if (ids->empty()) return Fail(errors::MissingParameter("SecurityPolicyIds"));
  auto relations =
      ListSecurityPolicyRelations(context.services.domain, context.request.caller.account_id, *ids);
  if (!relations) return Fail(relations.error());
  Json body;
  // The SDK's (and ALB's) spelling.
  body["SecrityPolicyRelations"] = Json::array();
  for (const auto& relation : *relations) {
    Json entry;
    entry["SecurityPolicyId"] = relation.policy_id;
    entry["RelatedListeners"] = Json::array();
    for (const auto& listener : relation.listeners) {
      Json related;
      related["ListenerId"] = listener.listener_id;
      related["ListenerPort"] = listener.port;
      related["ListenerProtocol"] = listener.protocol;
      related["LoadBalancerId"] = listener.load_balancer_id;
      entry["RelatedListeners"].push_back(std::move(related));
    }
    body["SecrityPolicyRelations"].push_back(std::move(entry));
  }
  return body;
}

Result<Json> ListSystemSecurityPoliciesAction(ActionContext&) {
  Json body;
  body["SecurityPolicies"] = Json::array();
  for (const auto& policy : SystemSecurityPolicies()) {
    Json entry;
    entry["SecurityPolicyId"] = policy.id;
    entry["TLSVersions"] = policy.versions;
    entry["Ciphers"] = policy.ciphers;
    body["SecurityPolicies"].push_back(std::move(entry));
  }
  return body;
}

}  // namespace

void RegisterSecurityPolicyActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kCreateSecurityPolicy, AccessLevel::kWrite, {},
                      NewResource("alb", "securitypolicy"), CreateSecurityPolicyAction));
  table.Add(AlbAction(
      api_name::kUpdateSecurityPolicyAttribute, AccessLevel::kWrite, {"SecurityPolicyId"},
      ResourceNamedBy("alb", "securitypolicy", "SecurityPolicyId"), UpdateSecurityPolicyAction));
  table.Add(AlbAction(api_name::kDeleteSecurityPolicy, AccessLevel::kDelete, {"SecurityPolicyId"},
                      ResourceNamedBy("alb", "securitypolicy", "SecurityPolicyId"),
                      DeleteSecurityPolicyAction));
  table.Add(AlbAction(api_name::kListSecurityPolicies, AccessLevel::kList, {}, AllResources("alb"),
                      ListSecurityPoliciesAction));
  table.Add(AlbAction(api_name::kListSecurityPolicyRelations, AccessLevel::kList, {},
                      AllResources("alb"), ListSecurityPolicyRelationsAction));
  table.Add(AlbAction(api_name::kListSystemSecurityPolicies, AccessLevel::kList, {},
                      AllResources("alb"), ListSystemSecurityPoliciesAction));
}

}  // namespace openalb
