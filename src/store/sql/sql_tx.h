// SqlTx: the StoreTx of both engines — the SQL of every resource, written once against
// SqlConnection and split by resource (load_balancer_tx.cc, listener_tx.cc,
// certificate_tx.cc, server_group_tx.cc, acl_tx.cc, job_tx.cc, identity_tx.cc, …), run on a
// connection whose transaction the store has already begun. Not thread-safe; lives for one
// transaction.
#pragma once

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace openalb {

class SqlTx final : public StoreTx {
 public:
  SqlTx(SqlConnection& db, const SqlDialect& dialect) : db_(db), dialect_(dialect) {}

  Result<void> InsertLoadBalancer(const LoadBalancer& lb) override;
  Result<std::optional<LoadBalancer>> FindLoadBalancer(std::string_view account_id,
                                                       std::string_view id) override;
  Result<void> UpdateLoadBalancer(const LoadBalancer& lb) override;
  Result<void> DeleteLoadBalancer(std::string_view id) override;
  Result<Page<LoadBalancer>> ListLoadBalancers(const LoadBalancerFilter& filter,
                                               const PageRequest& page) override;

  Result<void> InsertListener(const Listener& listener) override;
  Result<std::optional<Listener>> FindListener(std::string_view account_id,
                                               std::string_view id) override;
  Result<void> UpdateListener(const Listener& listener) override;
  Result<void> DeleteListener(std::string_view id) override;
  Result<Page<Listener>> ListListeners(const ListenerFilter& filter,
                                       const PageRequest& page) override;
  Result<int> CountListeners(std::string_view load_balancer_id) override;
  Result<bool> ListenerPortTaken(std::string_view load_balancer_id, int port) override;

  Result<void> InsertCertificate(const Certificate& certificate) override;
  Result<std::optional<Certificate>> FindCertificate(std::string_view account_id,
                                                     std::string_view id) override;
  Result<std::optional<Certificate>> FindCertificateByNumber(std::string_view account_id,
                                                             std::int64_t number) override;
  Result<bool> CertificateNumberTaken(std::int64_t number) override;
  Result<void> DeleteCertificate(std::string_view id) override;
  Result<Page<Certificate>> ListCertificates(std::string_view account_id,
                                             const PageRequest& page) override;
  Result<int> CountCertificateUses(std::string_view certificate_id) override;

  Result<Page<ListenerCertificate>> ListListenerCertificates(
      const ListenerCertificateFilter& filter, const PageRequest& page) override;
  Result<void> InsertListenerCertificate(const ListenerCertificate& lc) override;
  Result<void> UpdateListenerCertificate(const ListenerCertificate& lc) override;
  Result<void> DeleteListenerCertificate(std::string_view listener_id,
                                         std::string_view certificate_id) override;
  Result<int> CountAdditionalCertificates(std::string_view load_balancer_id) override;

  Result<void> InsertServerGroup(const ServerGroup& group) override;
  Result<std::optional<ServerGroup>> FindServerGroup(std::string_view account_id,
                                                     std::string_view id) override;
  Result<void> UpdateServerGroup(const ServerGroup& group) override;
  Result<void> DeleteServerGroup(std::string_view id) override;
  Result<Page<ServerGroup>> ListServerGroups(const ServerGroupFilter& filter,
                                             const PageRequest& page) override;
  Result<Page<BackendServer>> ListBackendServers(const BackendServerFilter& filter,
                                                 const PageRequest& page) override;
  Result<void> InsertBackendServer(const BackendServer& server) override;
  Result<void> UpdateBackendServer(const BackendServer& server) override;
  Result<void> DeleteBackendServer(std::string_view server_group_id, std::string_view server_id,
                                   int port) override;
  Result<int> CountBackendServers(std::string_view server_group_id) override;

  Result<void> InsertSecurityPolicy(const SecurityPolicy& policy) override;
  Result<std::optional<SecurityPolicy>> FindSecurityPolicy(std::string_view account_id,
                                                           std::string_view id) override;
  Result<void> UpdateSecurityPolicy(const SecurityPolicy& policy) override;
  Result<void> DeleteSecurityPolicy(std::string_view id) override;
  Result<Page<SecurityPolicy>> ListSecurityPolicies(const SecurityPolicyFilter& filter,
                                                    const PageRequest& page) override;
  Result<void> InsertAcl(const Acl& acl) override;
  Result<std::optional<Acl>> FindAcl(std::string_view account_id, std::string_view id) override;
  Result<void> UpdateAcl(const Acl& acl) override;
  Result<void> DeleteAcl(std::string_view id) override;
  Result<Page<Acl>> ListAcls(const AclFilter& filter, const PageRequest& page) override;
  Result<Page<AclEntry>> ListAclEntries(std::string_view acl_id, const PageRequest& page) override;
  Result<void> InsertAclEntry(const AclEntry& entry) override;
  Result<void> UpdateAclEntry(const AclEntry& entry) override;
  Result<void> DeleteAclEntry(std::string_view acl_id, std::string_view entry) override;
  Result<int> CountAclEntries(std::string_view acl_id) override;
  Result<Page<ListenerAcl>> ListListenerAcls(const ListenerAclFilter& filter,
                                             const PageRequest& page) override;
  Result<void> InsertListenerAcl(const ListenerAcl& relation) override;
  Result<void> UpdateListenerAcl(const ListenerAcl& relation) override;
  Result<void> DeleteListenerAcl(std::string_view listener_id, std::string_view acl_id) override;
  Result<void> InsertAScript(const AScript& script) override;
  Result<std::optional<AScript>> FindAScript(std::string_view account_id,
                                             std::string_view id) override;
  Result<void> UpdateAScript(const AScript& script) override;
  Result<void> DeleteAScript(std::string_view id) override;
  Result<Page<AScript>> ListAScripts(const AScriptFilter& filter, const PageRequest& page) override;
  Result<void> PutTag(const ResourceTag& tag) override;
  Result<void> DeleteTags(std::string_view resource_id,
                          const std::vector<std::string>& keys) override;
  Result<Page<ResourceTag>> ListTags(const TagFilter& filter, const PageRequest& page) override;
  Result<void> InsertHealthCheckTemplate(const HealthCheckTemplate& t) override;
  Result<std::optional<HealthCheckTemplate>> FindHealthCheckTemplate(std::string_view account_id,
                                                                     std::string_view id) override;
  Result<void> UpdateHealthCheckTemplate(const HealthCheckTemplate& t) override;
  Result<void> DeleteHealthCheckTemplate(std::string_view id) override;
  Result<Page<HealthCheckTemplate>> ListHealthCheckTemplates(
      const HealthCheckTemplateFilter& filter, const PageRequest& page) override;
  Result<void> InsertRule(const Rule& rule) override;
  Result<std::optional<Rule>> FindRule(std::string_view account_id, std::string_view id) override;
  Result<void> UpdateRule(const Rule& rule) override;
  Result<void> DeleteRule(std::string_view id) override;
  Result<Page<Rule>> ListRules(const RuleFilter& filter, const PageRequest& page) override;
  Result<int> CountRules(std::string_view load_balancer_id) override;
  Result<bool> RulePriorityTaken(std::string_view listener_id, std::string_view direction,
                                 int priority, std::string_view except_rule_id) override;

  Result<void> InsertJob(const Job& job) override;
  Result<std::optional<Job>> FindJob(std::string_view id) override;
  Result<void> UpdateJob(const Job& job) override;
  Result<Page<Job>> ListJobs(const JobFilter& filter, const PageRequest& page) override;
  Result<std::vector<Job>> DueJobs(std::int64_t now_ms, int limit) override;
  Result<std::vector<Job>> AwaitingJobs(int limit) override;
  Result<std::vector<Job>> PublishedJobs() override;
  Result<int> RescheduleProcessingJobs(std::int64_t delay_ms) override;
  Result<std::optional<std::int64_t>> NextJobTime() override;
  Result<std::int64_t> CountProcessingJobs() override;

  Result<std::optional<ClientTokenRecord>> FindClientToken(std::string_view account_id,
                                                           std::string_view api_name,
                                                           std::string_view token) override;
  Result<void> InsertClientToken(const ClientTokenRecord& record) override;
  Result<int> DeleteClientTokensBefore(std::int64_t before_ms) override;

  Result<void> InsertUser(const RamUser& user) override;
  Result<std::optional<RamUser>> FindUser(std::string_view account_id,
                                          std::string_view user_name) override;
  Result<std::vector<RamUser>> ListUsers(std::string_view account_id) override;
  Result<void> DeleteUser(std::string_view account_id, std::string_view user_name) override;
  Result<void> InsertPolicy(const StoredPolicy& policy) override;
  Result<std::optional<StoredPolicy>> FindPolicy(std::string_view account_id,
                                                 std::string_view policy_name) override;
  Result<std::vector<StoredPolicy>> ListPolicies(std::string_view account_id) override;
  Result<void> DeletePolicy(std::string_view account_id, std::string_view policy_name) override;
  Result<void> InsertPolicyAttachment(const PolicyAttachment& attachment) override;
  Result<bool> DeletePolicyAttachment(const PolicyAttachment& attachment) override;
  Result<std::vector<PolicyAttachment>> ListPolicyAttachments(std::string_view account_id) override;
  Result<void> InsertAuditEntry(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> ListAuditEntries(std::string_view account_id,
                                                   std::int64_t after_seq, int limit) override;
  Result<std::vector<AuditEntry>> LatestAuditEntries(int limit) override;

  Result<std::int64_t> ConfigVersion() override;
  Result<std::int64_t> MarkConfigChanged() override;
  Result<void> NoteServedChange(std::string_view account_id, std::string_view listener_id,
                                std::int64_t now_ms) override;
  Result<std::vector<std::pair<std::string, std::string>>> ServedChanges(
      std::int64_t after, std::int64_t upto) override;
  Result<int> DeleteServedChangesBefore(std::int64_t before_ms) override;
  Result<void> Nested(const std::function<Result<void>(StoreTx&)>& body) override;

  // The version this transaction commits as, if it changed the configuration.
  std::optional<std::int64_t> changed_version() const { return changed_version_; }
  // Whether this transaction inserted a job (a worker somewhere should look).
  bool inserted_job() const { return inserted_job_; }

 private:
  SqlConnection& db_;
  const SqlDialect& dialect_;
  std::optional<std::int64_t> changed_version_;
  bool inserted_job_ = false;
  int savepoint_depth_ = 0;
};

}  // namespace openalb
