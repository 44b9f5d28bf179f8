#include "server/store_copy.h"

#include <functional>

namespace openalb {
namespace {

constexpr int kPage = 500;

// Every item of a paged list, following `next` to the end.
template <typename T, typename List>
Result<std::vector<T>> All(StoreTx& tx, List list) {
  std::vector<T> out;
  PageRequest page{.after = 0, .limit = kPage};
  while (true) {
    Result<Page<T>> got = list(tx, page);
    if (!got) return Fail(got.error());
    for (auto& item : got->items) out.push_back(std::move(item));
    if (!got->next) return out;
    page.after = *got->next;
  }
}

// Everything a store holds, as the Store interface reads it.
struct Contents {
  std::vector<Account> accounts;
  std::vector<AccessKey> keys;
  std::vector<RamUser> users;
  std::vector<StoredPolicy> policies;
  std::vector<PolicyAttachment> attachments;
  std::vector<LoadBalancer> load_balancers;
  std::vector<Certificate> certificates;
  std::vector<Listener> listeners;
  std::vector<ListenerCertificate> listener_certificates;
  std::vector<ServerGroup> server_groups;
  std::vector<BackendServer> backend_servers;
  std::vector<Rule> rules;
  std::vector<HealthCheckTemplate> templates;
  std::vector<SecurityPolicy> security_policies;
  std::vector<ResourceTag> tags;
  std::vector<Acl> acls;
  std::vector<AclEntry> acl_entries;
  std::vector<ListenerAcl> listener_acls;
  std::vector<AScript> ascripts;
  std::vector<Job> jobs;
  std::vector<AuditEntry> audit;
};

Result<void> ReadAll(StoreTx& tx, Contents& c) {
  auto users = tx.ListUsers("");
  if (!users) return Fail(users.error());
  c.users = std::move(*users);
  auto policies = tx.ListPolicies("");
  if (!policies) return Fail(policies.error());
  c.policies = std::move(*policies);
  auto attachments = tx.ListPolicyAttachments("");
  if (!attachments) return Fail(attachments.error());
  c.attachments = std::move(*attachments);
  auto lbs = All<LoadBalancer>(
      tx, [](StoreTx& t, const PageRequest& p) { return t.ListLoadBalancers({}, p); });
  if (!lbs) return Fail(lbs.error());
  c.load_balancers = std::move(*lbs);
  for (const auto& account : c.accounts) {
    auto certificates = All<Certificate>(tx, [&](StoreTx& t, const PageRequest& p) {
      return t.ListCertificates(account.account_id, p);
    });
    if (!certificates) return Fail(certificates.error());
    c.certificates.insert(c.certificates.end(), certificates->begin(), certificates->end());
  }
  auto listeners =
      All<Listener>(tx, [](StoreTx& t, const PageRequest& p) { return t.ListListeners({}, p); });
  if (!listeners) return Fail(listeners.error());
  c.listeners = std::move(*listeners);
  for (const auto& listener : c.listeners) {
    auto lcs = All<ListenerCertificate>(tx, [&](StoreTx& t, const PageRequest& p) {
      return t.ListListenerCertificates({.listener_id = listener.listener_id}, p);
    });
    if (!lcs) return Fail(lcs.error());
    c.listener_certificates.insert(c.listener_certificates.end(), lcs->begin(), lcs->end());
  }
  auto groups = All<ServerGroup>(
      tx, [](StoreTx& t, const PageRequest& p) { return t.ListServerGroups({}, p); });
  if (!groups) return Fail(groups.error());
  c.server_groups = std::move(*groups);
  for (const auto& group : c.server_groups) {
    auto servers = All<BackendServer>(tx, [&](StoreTx& t, const PageRequest& p) {
      return t.ListBackendServers({.server_group_id = group.server_group_id}, p);
    });
    if (!servers) return Fail(servers.error());
    c.backend_servers.insert(c.backend_servers.end(), servers->begin(), servers->end());
  }
  auto rules = All<Rule>(tx, [](StoreTx& t, const PageRequest& p) { return t.ListRules({}, p); });
  if (!rules) return Fail(rules.error());
  c.rules = std::move(*rules);
  auto templates = All<HealthCheckTemplate>(
      tx, [](StoreTx& t, const PageRequest& p) { return t.ListHealthCheckTemplates({}, p); });
  if (!templates) return Fail(templates.error());
  c.templates = std::move(*templates);
  auto security_policies = All<SecurityPolicy>(
      tx, [](StoreTx& t, const PageRequest& p) { return t.ListSecurityPolicies({}, p); });
  if (!security_policies) return Fail(security_policies.error());
  c.security_policies = std::move(*security_policies);
  auto tags =
      All<ResourceTag>(tx, [](StoreTx& t, const PageRequest& p) { return t.ListTags({}, p); });
  if (!tags) return Fail(tags.error());
  c.tags = std::move(*tags);
  auto acls = All<Acl>(tx, [](StoreTx& t, const PageRequest& p) { return t.ListAcls({}, p); });
  if (!acls) return Fail(acls.error());
  c.acls = std::move(*acls);
  for (const auto& acl : c.acls) {
    auto entries = All<AclEntry>(
        tx, [&](StoreTx& t, const PageRequest& p) { return t.ListAclEntries(acl.acl_id, p); });
    if (!entries) return Fail(entries.error());
    c.acl_entries.insert(c.acl_entries.end(), entries->begin(), entries->end());
  }
  auto relations = All<ListenerAcl>(
      tx, [](StoreTx& t, const PageRequest& p) { return t.ListListenerAcls({}, p); });
  if (!relations) return Fail(relations.error());
  c.listener_acls = std::move(*relations);
  auto ascripts =
      All<AScript>(tx, [](StoreTx& t, const PageRequest& p) { return t.ListAScripts({}, p); });
  if (!ascripts) return Fail(ascripts.error());
  c.ascripts = std::move(*ascripts);
  auto jobs = All<Job>(tx, [](StoreTx& t, const PageRequest& p) { return t.ListJobs({}, p); });
  if (!jobs) return Fail(jobs.error());
  c.jobs.assign(jobs->rbegin(), jobs->rend());  // listed newest first; kept oldest first
  for (std::int64_t after = 0;;) {
    auto entries = tx.ListAuditEntries("", after, kPage);
    if (!entries) return Fail(entries.error());
    if (entries->empty()) break;
    after = entries->back().seq;
    for (auto& entry : *entries) {
      entry.seq = 0;  // each store numbers its own log
      c.audit.push_back(std::move(entry));
    }
  }
  return {};
}

Result<Contents> Read(Store& store) {
  Contents c;
  auto accounts = store.ListAccounts();
  if (!accounts) return Fail(accounts.error());
  c.accounts = std::move(*accounts);
  auto keys = store.ListAccessKeys();
  if (!keys) return Fail(keys.error());
  c.keys = std::move(*keys);
  if (auto r = store.Transact(TxMode::kRead, [&](StoreTx& tx) { return ReadAll(tx, c); }); !r) {
    return Fail(r.error());
  }
  return c;
}

// Inserts each item with `insert`, stopping at the first failure.
template <typename T, typename Insert>
Result<void> InsertEach(const std::vector<T>& items, Insert insert) {
  for (const auto& item : items) {
    if (auto r = insert(item); !r) return r;
  }
  return {};
}

Result<void> Write(StoreTx& tx, const Contents& c) {
  // Parents before children, so every reference finds its row.
  if (auto r = InsertEach(c.users, [&](const auto& x) { return tx.InsertUser(x); }); !r) return r;
  if (auto r = InsertEach(c.policies, [&](const auto& x) { return tx.InsertPolicy(x); }); !r) {
    return r;
  }
  if (auto r =
          InsertEach(c.attachments, [&](const auto& x) { return tx.InsertPolicyAttachment(x); });
      !r) {
    return r;
  }
  if (auto r =
          InsertEach(c.load_balancers, [&](const auto& x) { return tx.InsertLoadBalancer(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.certificates, [&](const auto& x) { return tx.InsertCertificate(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.listeners, [&](const auto& x) { return tx.InsertListener(x); }); !r) {
    return r;
  }
  if (auto r = InsertEach(c.listener_certificates,
                          [&](const auto& x) { return tx.InsertListenerCertificate(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.server_groups, [&](const auto& x) { return tx.InsertServerGroup(x); });
      !r) {
    return r;
  }
  if (auto r =
          InsertEach(c.backend_servers, [&](const auto& x) { return tx.InsertBackendServer(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.rules, [&](const auto& x) { return tx.InsertRule(x); }); !r) return r;
  if (auto r =
          InsertEach(c.templates, [&](const auto& x) { return tx.InsertHealthCheckTemplate(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.security_policies,
                          [&](const auto& x) { return tx.InsertSecurityPolicy(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.tags, [&](const auto& x) { return tx.PutTag(x); }); !r) return r;
  if (auto r = InsertEach(c.acls, [&](const auto& x) { return tx.InsertAcl(x); }); !r) return r;
  if (auto r = InsertEach(c.acl_entries, [&](const auto& x) { return tx.InsertAclEntry(x); }); !r) {
    return r;
  }
  if (auto r = InsertEach(c.listener_acls, [&](const auto& x) { return tx.InsertListenerAcl(x); });
      !r) {
    return r;
  }
  if (auto r = InsertEach(c.ascripts, [&](const auto& x) { return tx.InsertAScript(x); }); !r) {
    return r;
  }
  if (auto r = InsertEach(c.jobs, [&](const auto& x) { return tx.InsertJob(x); }); !r) return r;
  return InsertEach(c.audit, [&](const auto& x) { return tx.InsertAuditEntry(x); });
}

ApiError CopyError(const std::string& what) { return ApiError{"StoreCopyFailed", 1, what, {}}; }

template <typename T>
Result<void> Same(const std::string& table, const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) {
    return Fail(CopyError(table + ": " + std::to_string(a.size()) + " rows in the source, " +
                          std::to_string(b.size()) + " read back"));
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i])) {
      return Fail(CopyError(table + ": row " + std::to_string(i + 1) + " reads back different"));
    }
  }
  return {};
}

}  // namespace

Result<std::vector<CopiedTable>> CopyStore(Store& from, Store& to) {
  auto existing = to.ListAccounts();
  if (!existing) return Fail(existing.error());
  if (!existing->empty()) {
    return Fail(CopyError("the destination already holds an installation (" +
                          std::to_string(existing->size()) +
                          " accounts); copy only into an empty database"));
  }
  auto source = Read(from);
  if (!source) return Fail(source.error());
  const Contents& c = *source;
  for (const auto& account : c.accounts) {
    if (auto r = to.CreateAccount(account); !r) return Fail(r.error());
  }
  for (const auto& key : c.keys) {
    if (auto r = to.CreateAccessKey(key); !r) return Fail(r.error());
  }
  if (auto r = to.Transact(TxMode::kWrite, [&](StoreTx& tx) { return Write(tx, c); }); !r) {
    return Fail(r.error());
  }
  auto back = Read(to);
  if (!back) return Fail(back.error());
  const Contents& b = *back;
  for (auto check : std::initializer_list<Result<void>>{
           Same("accounts", c.accounts, b.accounts),
           Same("access_keys", c.keys, b.keys),
           Same("ram_users", c.users, b.users),
           Same("policies", c.policies, b.policies),
           Same("policy_attachments", c.attachments, b.attachments),
           Same("load_balancers", c.load_balancers, b.load_balancers),
           Same("certificates", c.certificates, b.certificates),
           Same("listeners", c.listeners, b.listeners),
           Same("listener_certificates", c.listener_certificates, b.listener_certificates),
           Same("server_groups", c.server_groups, b.server_groups),
           Same("backend_servers", c.backend_servers, b.backend_servers),
           Same("rules", c.rules, b.rules),
           Same("health_check_templates", c.templates, b.templates),
           Same("security_policies", c.security_policies, b.security_policies),
           Same("resource_tags", c.tags, b.tags),
           Same("acls", c.acls, b.acls),
           Same("acl_entries", c.acl_entries, b.acl_entries),
           Same("listener_acls", c.listener_acls, b.listener_acls),
           Same("ascripts", c.ascripts, b.ascripts),
           Same("jobs", c.jobs, b.jobs),
           Same("audit_log", c.audit, b.audit)}) {
    if (!check) return Fail(check.error());
  }
  auto n = [](const auto& v) { return static_cast<std::int64_t>(v.size()); };
  return std::vector<CopiedTable>{{"accounts", n(c.accounts)},
                                  {"access_keys", n(c.keys)},
                                  {"ram_users", n(c.users)},
                                  {"policies", n(c.policies)},
                                  {"policy_attachments", n(c.attachments)},
                                  {"load_balancers", n(c.load_balancers)},
                                  {"certificates", n(c.certificates)},
                                  {"listeners", n(c.listeners)},
                                  {"listener_certificates", n(c.listener_certificates)},
                                  {"server_groups", n(c.server_groups)},
                                  {"backend_servers", n(c.backend_servers)},
                                  {"rules", n(c.rules)},
                                  {"health_check_templates", n(c.templates)},
                                  {"security_policies", n(c.security_policies)},
                                  {"resource_tags", n(c.tags)},
                                  {"acls", n(c.acls)},
                                  {"acl_entries", n(c.acl_entries)},
                                  {"listener_acls", n(c.listener_acls)},
                                  {"ascripts", n(c.ascripts)},
                                  {"jobs", n(c.jobs)},
                                  {"audit_log", n(c.audit)}};
}

}  // namespace openalb
