// Custom TLS security policies: CreateSecurityPolicy (immediate, as on ALB: the answer has no
// job), UpdateSecurityPolicyAttribute (a job that republishes every listener using the
// policy, their handshakes taking the new versions and ciphers once it is served),
// DeleteSecurityPolicy (refused while a listener uses it), ListSecurityPolicies (TLSVersions
// and Ciphers in the order given), ListSecurityPolicyRelations. A listener names its policy by
// SecurityPolicyId (alb/listener_options.h): a system policy or one of its account's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/security_policy_catalogue.h"
#include "alb/tags.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

struct SecurityPolicyRequest {
  WriteRequest write;
  std::string policy_id;  // Update
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> versions;
  std::optional<std::vector<std::string>> ciphers;
  std::string resource_group_id;  // Create
  std::vector<TagPair> tags;      // Create
};

// Returns the new policy's id.
Result<std::string> CreateSecurityPolicy(const Domain& domain,
                                         const SecurityPolicyRequest& request);
Result<Job> UpdateSecurityPolicy(const Domain& domain, const SecurityPolicyRequest& request);
Result<void> DeleteSecurityPolicy(const Domain& domain, const WriteRequest& write,
                                  std::string_view policy_id);
Result<Page<SecurityPolicy>> ListSecurityPolicies(const Domain& domain,
                                                  const SecurityPolicyFilter& filter,
                                                  const PageRequest& page);

// The account's custom policy; ResourceNotFound.SecurityPolicy when it has none by that id.
Result<SecurityPolicy> FindSecurityPolicyOrFail(StoreTx& tx, std::string_view account_id,
                                                std::string_view policy_id);

// A policy's versions and ciphers as stored (JSON arrays).
std::vector<std::string> PolicyStrings(std::string_view json);

struct SecurityPolicyRelation {
  std::string policy_id;
  std::vector<Listener> listeners;
};
// Each named custom policy (ResourceNotFound.SecurityPolicy for one not the account's) and the
// listeners using it.
Result<std::vector<SecurityPolicyRelation>> ListSecurityPolicyRelations(
    const Domain& domain, std::string_view account_id, const std::vector<std::string>& ids);

// The versions and ciphers a listener's SecurityPolicyId stands for: a system policy, or a
// custom one of the account (with a published UpdateSecurityPolicyAttribute laid over it when
// `published_payload` is given). ResourceNotFound.SecurityPolicy otherwise.
Result<TlsPolicySpec> ResolveSecurityPolicy(StoreTx& tx, std::string_view account_id,
                                            std::string_view policy_id,
                                            const Job* published_update = nullptr);
// The listeners of the account whose SecurityPolicyId is `policy_id`.
Result<std::vector<Listener>> ListenersUsingPolicy(StoreTx& tx, std::string_view account_id,
                                                   std::string_view policy_id);
// Completing an UpdateSecurityPolicyAttribute job: its versions and ciphers written.
Result<void> FinishSecurityPolicyJob(StoreTx& tx, const Job& job);

}  // namespace openalb
