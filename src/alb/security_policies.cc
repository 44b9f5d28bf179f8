#include "alb/security_policies.h"

#include <nlohmann/json.hpp>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/listener_options.h"
#include "alb/resource_name.h"

namespace openalb {
namespace {

std::string JsonArray(const std::vector<std::string>& items) {
  return nlohmann::json(items).dump();
}

std::string Joined(const std::optional<std::vector<std::string>>& items) {
  if (!items) return "\x01";
  std::string out;
  for (const auto& item : *items) out += item + ",";
  return out;
}

}  // namespace

Result<SecurityPolicy> FindSecurityPolicyOrFail(StoreTx& tx, std::string_view account_id,
                                                std::string_view policy_id) {
  auto found = tx.FindSecurityPolicy(account_id, policy_id);
  if (!found) return Fail(found.error());
  if (!*found) return Fail(errors::SecurityPolicyNotFound(policy_id));
  return std::move(**found);
}

std::vector<std::string> PolicyStrings(std::string_view json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::string> CreateSecurityPolicy(const Domain& domain,
                                         const SecurityPolicyRequest& request) {
  if (!request.name || request.name->empty()) {
    return Fail(errors::MissingParameter("SecurityPolicyName"));
  }
  if (auto r = ValidateResourceName(*request.name, "SecurityPolicyName"); !r) {
    return Fail(r.error());
  }
  const auto versions = request.versions.value_or(std::vector<std::string>{});
  const auto ciphers = request.ciphers.value_or(std::vector<std::string>{});
  if (auto r = ValidateTlsPolicy(versions, ciphers); !r) return Fail(r.error());
  const std::string& account = request.write.account_id;
  return RunDirectWrite(
      domain, request.write, api_name::kCreateSecurityPolicy,
      ParameterFingerprint({*request.name, Joined(request.versions), Joined(request.ciphers),
                            request.resource_group_id, TagsFingerprint(request.tags)}),
      [&](StoreTx& tx) -> Result<std::string> {
        SecurityPolicy policy{NewSecurityPolicyId(domain.random),
                              account,
                              *request.name,
                              JsonArray(versions),
                              JsonArray(ciphers),
                              request.resource_group_id,
                              domain.NowMs()};
        if (auto r = tx.InsertSecurityPolicy(policy); !r) return Fail(r.error());
        if (auto r = PutResourceTags(tx, account, "securitypolicy", policy.policy_id, request.tags);
            !r) {
          return Fail(r.error());
        }
        return policy.policy_id;
      });
}

Result<Job> UpdateSecurityPolicy(const Domain& domain, const SecurityPolicyRequest& request) {
  if (request.name) {
    if (auto r = ValidateResourceName(*request.name, "SecurityPolicyName"); !r) {
      return Fail(r.error());
    }
  }
  const std::string& account = request.write.account_id;
  return RunJobWrite(
      domain, request.write, api_name::kUpdateSecurityPolicyAttribute,
      ParameterFingerprint({request.policy_id, request.name.value_or("\x01"),
                            Joined(request.versions), Joined(request.ciphers)}),
      [&](StoreTx& tx) -> Result<Job> {
        auto policy = FindSecurityPolicyOrFail(tx, account, request.policy_id);
        if (!policy) return Fail(policy.error());
        const auto versions = request.versions.value_or(PolicyStrings(policy->tls_versions));
        const auto ciphers = request.ciphers.value_or(PolicyStrings(policy->ciphers));
        if (auto r = ValidateTlsPolicy(versions, ciphers); !r) return Fail(r.error());
        // The name changes at once; what handshakes accept changes once the job is served.
        if (request.name) {
          policy->name = *request.name;
          if (auto r = tx.UpdateSecurityPolicy(*policy); !r) return Fail(r.error());
        }
        nlohmann::json payload = {{"TLSVersions", versions}, {"Ciphers", ciphers}};
        Job job =
            MakeJob(domain, account, api_name::kUpdateSecurityPolicyAttribute, job_kind::kUpdate,
                    job_kind::kSecurityPolicy, policy->policy_id, payload.dump());
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<void> DeleteSecurityPolicy(const Domain& domain, const WriteRequest& write,
                                  std::string_view policy_id) {
  auto done = RunDirectWrite(
      domain, write, api_name::kDeleteSecurityPolicy, ParameterFingerprint({policy_id}),
      [&](StoreTx& tx) -> Result<std::string> {
        auto policy = FindSecurityPolicyOrFail(tx, write.account_id, policy_id);
        if (!policy) return Fail(policy.error());
        auto users = ListenersUsingPolicy(tx, write.account_id, policy_id);
        if (!users) return Fail(users.error());
        if (!users->empty()) {
          return Fail(errors::SecurityPolicyInUse(policy_id, users->front().listener_id));
        }
        if (auto r = tx.DeleteSecurityPolicy(policy_id); !r) return Fail(r.error());
        return std::string(policy_id);
      });
  if (!done) return Fail(done.error());
  return {};
}

Result<Page<SecurityPolicy>> ListSecurityPolicies(const Domain& domain,
                                                  const SecurityPolicyFilter& filter,
                                                  const PageRequest& page) {
  return InTransaction<Page<SecurityPolicy>>(domain.store, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListSecurityPolicies(filter, page);
  });
}

Result<std::vector<SecurityPolicyRelation>> ListSecurityPolicyRelations(
    const Domain& domain, std::string_view account_id, const std::vector<std::string>& ids) {
  return InTransaction<std::vector<SecurityPolicyRelation>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<std::vector<SecurityPolicyRelation>> {
        std::vector<SecurityPolicyRelation> out;
        for (const auto& id : ids) {
          auto policy = FindSecurityPolicyOrFail(tx, account_id, id);
          if (!policy) return Fail(policy.error());
          auto listeners = ListenersUsingPolicy(tx, account_id, id);
          if (!listeners) return Fail(listeners.error());
          out.push_back({id, std::move(*listeners)});
        }
        return out;
      });
}

Result<TlsPolicySpec> ResolveSecurityPolicy(StoreTx& tx, std::string_view account_id,
                                            std::string_view policy_id,
                                            const Job* published_update) {
  if (const TlsPolicySpec* system = SystemSecurityPolicy(policy_id)) return *system;
  auto policy = FindSecurityPolicyOrFail(tx, account_id, policy_id);
  if (!policy) return Fail(policy.error());
  TlsPolicySpec spec{policy->policy_id, PolicyStrings(policy->tls_versions),
                     PolicyStrings(policy->ciphers)};
  if (published_update != nullptr &&
      published_update->api_name == api_name::kUpdateSecurityPolicyAttribute) {
    if (auto v = JobPayloadObject(*published_update, "TLSVersions")) {
      spec.versions = v->get<std::vector<std::string>>();
    }
    if (auto c = JobPayloadObject(*published_update, "Ciphers")) {
      spec.ciphers = c->get<std::vector<std::string>>();
    }
  }
  return spec;
}

Result<std::vector<Listener>> ListenersUsingPolicy(StoreTx& tx, std::string_view account_id,
                                                   std::string_view policy_id) {
  std::vector<Listener> out;
  ListenerFilter filter{.account_id = std::string(account_id)};
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto listeners = tx.ListListeners(filter, page);
    if (!listeners) return Fail(listeners.error());
    for (auto& listener : listeners->items) {
      if (listener.protocol == "HTTP") continue;  // no TLS: no policy
      if (ListenerOptionsFromJson(listener.attributes).security_policy_id == policy_id) {
        out.push_back(std::move(listener));
      }
    }
    if (!listeners->next) return out;
    page.after = *listeners->next;
  }
}

Result<void> FinishSecurityPolicyJob(StoreTx& tx, const Job& job) {
  auto policy = FindSecurityPolicyOrFail(tx, job.account_id, job.resource_id);
  if (!policy) return Fail(policy.error());
  if (auto v = JobPayloadObject(job, "TLSVersions")) policy->tls_versions = v->dump();
  if (auto c = JobPayloadObject(job, "Ciphers")) policy->ciphers = c->dump();
  return tx.UpdateSecurityPolicy(*policy);
}

}  // namespace openalb
