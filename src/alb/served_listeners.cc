#include "alb/served_listeners.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "alb/acls.h"
#include "alb/api_names.h"
#include "alb/jobs.h"
#include "alb/listener_options.h"
#include "alb/listeners.h"
#include "alb/rules.h"
#include "alb/security_policies.h"
#include "alb/server_group_attributes.h"
#include "alb/server_group_rows.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

bool ServableProtocol(const Listener& listener) {
  return listener.protocol == "HTTPS" || listener.protocol == "HTTP" || listener.protocol == "QUIC";
}

// `own_job`: the published job changing the listener itself, if any.
bool Bound(const Listener& listener, const Job* own_job, const PublishedJobs& published) {
  if (!ServableProtocol(listener)) return false;
  if (const Job* job = published.On(listener.load_balancer_id);
      job != nullptr && job->api_name == api_name::kDeleteLoadBalancer) {
    return false;
  }
  if (own_job != nullptr) {  // published: the listener is as its job leaves it
    return own_job->api_name != api_name::kDeleteListener &&
           listener.resting_status == status::kRunning;
  }
  return listener.status == status::kRunning ||
         (listener.status == status::kConfiguring && listener.resting_status == status::kRunning);
}

// Whether a certificate or server row in `row_status` is served: one being added (Adding,
// Associating) from the moment its job is published, one being removed (Removing,
// Dissociating) until then, any other always.
bool RowServed(std::string_view row_status, std::string_view job_id,
               const PublishedJobs& published) {
  const bool being_added = row_status == status::kAdding || row_status == status::kAssociating;
  const bool being_removed = row_status == status::kRemoving || row_status == status::kDissociating;
  if (!being_added && !being_removed) return true;
  const bool applied = !job_id.empty() && published.Contains(job_id);
  return being_added == applied;
}

// The servers of the listener's forward action: every server from the moment its Add job
// applies until its Remove job applies. A group that is gone forwards nowhere (503).
Result<ForwardConfig> ForwardOf(StoreTx& tx, const Listener& listener, const std::string& group_id,
                                const PublishedJobs& published) {
  ForwardConfig forward{group_id, {}, {}};
  auto group = tx.FindServerGroup(listener.account_id, group_id);
  if (!group) return Fail(group.error());
  if (!*group) return forward;
  std::string scheduler = (*group)->scheduler;
  std::string attributes = (*group)->attributes;
  // A published change to the group: its new scheduler and attributes, or servers' weights.
  const Job* job = published.On(group_id);
  if (job != nullptr && ChangesServerGroupAttributes(job->api_name)) {
    if (auto s = JobPayloadString(*job, "Scheduler")) scheduler = *s;
    if (auto a = JobPayloadObject(*job, "Attributes")) attributes = a->dump();
  }
  forward.policy = ServerGroupPolicyOf(attributes, scheduler);
  forward.policy.tls = (*group)->protocol == "HTTPS";
  forward.policy.grpc = (*group)->protocol == "gRPC";
  auto servers = AllBackendServers(tx, group_id);
  if (!servers) return Fail(servers.error());
  for (auto& server : *servers) {
    if (job != nullptr && job->api_name == api_name::kUpdateServerGroupServersAttribute &&
        server.job_id == job->job_id) {
      OverlayServerChange(*job, server);
    }
    if (server.weight == 0 || !RowServed(server.status, server.job_id, published)) continue;
    forward.servers.push_back({server.server_ip, server.port, server.weight, server.server_id});
  }
  return forward;
}

Result<std::optional<CertificateMaterial>> MaterialOf(StoreTx& tx, const Listener& listener,
                                                      const std::string& certificate_id) {
  auto certificate = tx.FindCertificate(listener.account_id, certificate_id);
  if (!certificate) return Fail(certificate.error());
  if (!*certificate) return std::optional<CertificateMaterial>{};
  const Certificate& c = **certificate;
  CertificateMaterial material{.certificate_id = c.certificate_id,
                               .fingerprint_sha256 = c.fingerprint_sha256,
                               .names = c.dns_names,
                               .ecdsa = c.key_type == "ECC",
                               .chain_pem = c.chain_pem,
                               .sealed_private_key = c.sealed_private_key,
                               .not_after_ms = c.not_after_ms};
  if (!c.common_name.empty()) material.names.push_back(c.common_name);
  return std::optional<CertificateMaterial>{std::move(material)};
}

// The listener's served rules, and the servers of every group they forward to.
Result<void> AddRules(StoreTx& tx, const Listener& listener, const PublishedJobs& published,
                      ListenerConfig& config) {
  auto rules = AllRulesOf(tx, listener.listener_id);
  if (!rules) return Fail(rules.error());
  std::vector<std::string> groups;
  for (const auto& rule : *rules) {
    const Job* job = rule.job_id.empty() ? nullptr : published.Find(rule.job_id);
    auto served = ServedRule(rule, job);
    if (!served) continue;
    for (const auto& id : ForwardedGroups(served->actions)) {
      if (std::find(groups.begin(), groups.end(), id) == groups.end()) groups.push_back(id);
    }
    config.rules.push_back(std::move(*served));
  }
  std::stable_sort(
      config.rules.begin(), config.rules.end(),
      [](const RuleConfig& a, const RuleConfig& b) { return a.priority < b.priority; });
  for (const auto& id : groups) {
    auto forward = ForwardOf(tx, listener, id, published);
    if (!forward) return Fail(forward.error());
    config.rule_groups.push_back(std::move(*forward));
  }
  return {};
}

// The listener's access control: the type of its served ACL relations and every served entry
// of those ACLs (an entry from the moment its Add job applies until its Remove job applies).
Result<AclConfig> AclOf(StoreTx& tx, const Listener& listener, const PublishedJobs& published) {
  AclConfig acl;
  auto relations = AllListenerAcls(tx, listener.listener_id);
  if (!relations) return Fail(relations.error());
  for (const auto& relation : *relations) {
    if (!RowServed(relation.status, relation.job_id, published)) continue;
    acl.type = relation.acl_type;
    auto entries = AllAclEntries(tx, relation.acl_id);
    if (!entries) return Fail(entries.error());
    for (auto& entry : *entries) {
      if (RowServed(entry.status, entry.job_id, published)) {
        acl.entries.push_back(std::move(entry.entry));
      }
    }
  }
  return acl;
}

}  // namespace

const Job* PublishedJobs::Find(std::string_view job_id) const {
  for (const auto& job : jobs_) {
    if (job.job_id == job_id) return &job;
  }
  return nullptr;
}

const Job* PublishedJobs::On(std::string_view resource_id) const {
  for (const auto& job : jobs_) {
    if (job.resource_id == resource_id) return &job;
  }
  return nullptr;
}

Result<std::optional<ListenerConfig>> ServedListener(StoreTx& tx, const Listener& listener,
                                                     const PublishedJobs& published) {
  const Job* own_job = published.On(listener.listener_id);
  if (!Bound(listener, own_job, published)) return std::optional<ListenerConfig>{};
  // A published UpdateListenerAttribute: its new default certificate and forward group.
  std::optional<std::string> new_default;
  std::string group_id = listener.forward_server_group_id;
  if (own_job != nullptr && own_job->api_name == api_name::kUpdateListenerAttribute) {
    new_default = JobPayloadString(*own_job, "DefaultCertificateId");
    if (auto group = JobPayloadString(*own_job, "ForwardServerGroupId")) group_id = *group;
  }
  auto rows = AllListenerCertificates(tx, listener.listener_id);
  if (!rows) return Fail(rows.error());
  ListenerConfig config{listener.listener_id, listener.port, {}};
  config.tls = listener.protocol == "HTTPS" || listener.protocol == "QUIC";
  config.quic = listener.protocol == "QUIC";
  config.load_balancer_id = listener.load_balancer_id;
  config.options = ListenerOptionsFromJson(listener.attributes);
  if (own_job != nullptr && (own_job->api_name == api_name::kUpdateListenerAttribute ||
                             own_job->api_name == api_name::kUpdateListenerLogConfig)) {
    if (auto attributes = JobPayloadObject(*own_job, "Attributes")) {
      if (auto merged = MergeListenerOptions(config.options, *attributes)) {
        config.options = *merged;
      }
    }
  }
  std::vector<std::string> served_ids;
  if (new_default) served_ids.push_back(*new_default);  // the default goes first
  for (const auto& row : *rows) {
    if (new_default && (row.is_default || row.certificate_id == *new_default)) continue;
    if (!RowServed(row.status, row.job_id, published)) continue;
    served_ids.push_back(row.certificate_id);
  }
  for (const auto& id : served_ids) {
    auto material = MaterialOf(tx, listener, id);
    if (!material) return Fail(material.error());
    if (*material) config.certificates.push_back(std::move(**material));
  }
  if (config.tls && config.certificates.empty()) return std::optional<ListenerConfig>{};
  // The access log is the load balancer's switch (EnableLoadBalancerAccessLog).
  auto lb = tx.FindLoadBalancer(listener.account_id, listener.load_balancer_id);
  if (!lb) return Fail(lb.error());
  if (*lb) {
    const auto attributes = nlohmann::json::parse((*lb)->attributes, nullptr, false);
    config.options.access_log = attributes.is_object() && attributes.contains("AccessLogConfig");
  }
  if (config.tls && !config.quic) {  // QUIC is TLS 1.3 with QUIC's own suites
    // The security policy's versions and ciphers (a published change to it laid over).
    const std::string& policy_id = config.options.security_policy_id;
    auto policy =
        ResolveSecurityPolicy(tx, listener.account_id, policy_id, published.On(policy_id));
    if (!policy) return Fail(policy.error());
    config.tls_policy = {std::move(policy->versions), std::move(policy->ciphers)};
  }
  if (!group_id.empty()) {
    auto forward = ForwardOf(tx, listener, group_id, published);
    if (!forward) return Fail(forward.error());
    config.forward = std::move(*forward);
  }
  if (auto r = AddRules(tx, listener, published, config); !r) return Fail(r.error());
  auto acl = AclOf(tx, listener, published);
  if (!acl) return Fail(acl.error());
  config.acl = std::move(*acl);
  if (config.tls && !config.quic && config.options.quic_upgrade) {
    // Alt-Svc names the QUIC listener's port while that listener exists.
    auto quic = tx.FindListener(listener.account_id, config.options.quic_listener_id);
    if (!quic) return Fail(quic.error());
    if (*quic && (*quic)->protocol == "QUIC") config.alt_svc_port = (*quic)->port;
  }
  return std::optional<ListenerConfig>{std::move(config)};
}

Result<std::optional<ListenerConfig>> ServedListenerById(StoreTx& tx, std::string_view account_id,
                                                         std::string_view listener_id,
                                                         const PublishedJobs& published) {
  auto listener = tx.FindListener(account_id, listener_id);
  if (!listener) return Fail(listener.error());
  if (!*listener) return std::optional<ListenerConfig>{};
  return ServedListener(tx, **listener, published);
}

Result<std::vector<ListenerConfig>> AllServedListeners(StoreTx& tx,
                                                       const PublishedJobs& published) {
  std::vector<ListenerConfig> out;
  PageRequest page{.after = 0, .limit = 500};
  while (true) {
    auto listeners = tx.ListListeners({}, page);
    if (!listeners) return Fail(listeners.error());
    for (const auto& listener : listeners->items) {
      auto config = ServedListener(tx, listener, published);
      if (!config) return Fail(config.error());
      if (*config) out.push_back(std::move(**config));
    }
    if (!listeners->next) return out;
    page.after = *listeners->next;
  }
}

}  // namespace openalb
