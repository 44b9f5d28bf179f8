// Store: the durable state of openalb, behind one interface so that the SQLite
// implementation (store/sqlite/) and a later PostgreSQL one pass the same contract tests.
// Accounts and keys have one-call methods (each its own transaction). The ALB resources are
// read and changed inside Transact(): the domain (alb/) runs its checks and writes against a
// StoreTx, and everything commits durably or nothing does. A write transaction holds the
// database's write lock from its start (SQLite BEGIN IMMEDIATE; in PostgreSQL the rows it
// reads are locked FOR UPDATE), so two requests on one listener are serialised.
// Store failures come back as ApiError "InternalError" with the database's own message in
// `internal` only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api_error.h"
#include "core/prometheus_text.h"
#include "store/records.h"

namespace openalb {

struct Account {
  std::string account_id;  // 16 decimal digits
  std::string name;
  std::string created_at;  // ISO 8601 UTC

  bool operator==(const Account&) const = default;
};

struct AccessKey {
  std::string access_key_id;
  std::string account_id;
  std::string secret;
  bool active = true;
  std::string created_at;
  std::string user_name;  // the RAM user it belongs to; empty for the account's root

  bool operator==(const AccessKey&) const = default;
};

// A RAM user: an identity inside an account, allowed only what its policies allow.
struct RamUser {
  std::string account_id;
  std::string user_name;
  std::string created_at;

  bool operator==(const RamUser&) const = default;
};

// A custom policy of an account: its document as written (validated when stored).
struct StoredPolicy {
  std::string account_id;
  std::string policy_name;
  std::string document;
  std::string created_at;

  bool operator==(const StoredPolicy&) const = default;
};

struct PolicyAttachment {
  std::string account_id;
  std::string policy_name;
  std::string user_name;

  bool operator==(const PolicyAttachment&) const = default;
};

// One mutating API request, as the append-only audit log keeps it.
struct AuditEntry {
  std::int64_t seq = 0;  // assigned by the store, increasing
  std::string time;      // ISO 8601 UTC
  std::string request_id;
  std::string account_id;
  std::string user_name;  // empty for the root
  std::string access_key_id;
  std::string action;    // the RAM action, "alb:DeleteListener"
  std::string resource;  // the ARN it was authorised against
  std::string source_ip;
  std::string result;  // "Success", "Denied" or "Failed"
  std::string code;    // the error code, empty on success

  bool operator==(const AuditEntry&) const = default;
};

// A request's audit entry on its way to the log. The write that commits the request's
// effects records it in the same transaction and sets `recorded`; otherwise (a denial, a
// failure, an action that writes nothing) the endpoint appends it on its own.
struct PendingAudit {
  AuditEntry entry;
  bool recorded = false;
};

// One openalb process sharing the store: what it does and how far it has got. Written by the
// node itself (start-up, each heartbeat, each apply), read by job workers (who wait for the
// live data-plane nodes) and by `openalb nodes`.
// What Store::WaitForChange announces, as bits.
namespace change_kind {
// A new configuration version (the job worker published or undid a job): for data planes.
inline constexpr unsigned kConfig = 1;
// A job to run or a node's progress (a job inserted, a node recorded): for job workers.
inline constexpr unsigned kJobs = 2;
inline constexpr unsigned kAll = kConfig | kJobs;
}  // namespace change_kind

struct NodeRecord {
  std::string node_id;
  std::string roles;                 // "api,worker,dataplane", or a subset
  std::string listener_address;      // where its listeners bind
  std::int64_t applied_version = 0;  // the configuration version it serves
  std::string apply_error;           // why it could not apply error_version; empty if it could
  std::int64_t error_version = 0;
  std::string error_listener_id;  // the listeners it cannot serve as the store says (a,b)
  std::int64_t heartbeat_ms = 0;  // last sign of life, ms since the epoch
  std::int64_t started_ms = 0;

  bool operator==(const NodeRecord&) const = default;
};

// Keyset pagination: rows after `after` (an opaque position from a previous page), at most
// `limit` of them.
struct PageRequest {
  std::int64_t after = 0;
  int limit = 20;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;            // rows matching the filter, on every page
  std::optional<std::int64_t> next;  // position to pass as `after` for the next page
};

// Empty vectors and strings match everything.
struct LoadBalancerFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::string status;
};

struct ListenerFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> load_balancer_ids;
  std::string protocol;
  std::string forward_server_group_id;
};

struct ServerGroupFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::string vpc_id;
  std::string server_group_type;
};

struct HealthCheckTemplateFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> names;
};

struct SecurityPolicyFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> names;
};

struct AclFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::string resource_group_id;
};

// Either or both of the ids; empty matches every row.
struct ListenerAclFilter {
  std::string listener_id;
  std::string acl_id;
};

struct AScriptFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::vector<std::string> listener_ids;
};

struct TagFilter {
  std::string account_id;
  std::string resource_type;
  std::vector<std::string> resource_ids;
  std::vector<std::string> keys;
};

struct BackendServerFilter {
  std::string server_group_id;  // required
  std::vector<std::string> server_ids;
};

struct ListenerCertificateFilter {
  std::string listener_id;  // required
  std::vector<std::string> certificate_ids;
};

struct RuleFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> listener_ids;
  std::vector<std::string> load_balancer_ids;
  std::string direction;
  std::string server_group_id;  // rules whose actions forward to it
};

struct JobFilter {
  std::string account_id;
  std::vector<std::string> ids;
  std::vector<std::string> resource_ids;
  std::string resource_type;
  std::string api_name;
  std::optional<std::int64_t> created_from_ms;  // inclusive
  std::optional<std::int64_t> created_to_ms;    // inclusive
};

// Reads and writes inside one transaction. Lookups by id are scoped to an account, so a
// resource of another account is simply not found.
class StoreTx {
 public:
  virtual ~StoreTx() = default;

  virtual Result<void> InsertLoadBalancer(const LoadBalancer& lb) = 0;
  virtual Result<std::optional<LoadBalancer>> FindLoadBalancer(std::string_view account_id,
                                                               std::string_view id) = 0;
  // Name, status, attributes, edition and address type.
  virtual Result<void> UpdateLoadBalancer(const LoadBalancer& lb) = 0;
  // Also removes its tags (as every Delete of a taggable resource does).
  virtual Result<void> DeleteLoadBalancer(std::string_view id) = 0;
  virtual Result<Page<LoadBalancer>> ListLoadBalancers(const LoadBalancerFilter& filter,
                                                       const PageRequest& page) = 0;

  virtual Result<void> InsertListener(const Listener& listener) = 0;
  virtual Result<std::optional<Listener>> FindListener(std::string_view account_id,
                                                       std::string_view id) = 0;
  virtual Result<void> UpdateListener(const Listener& listener) = 0;
  // Also removes the listener's certificate associations and rules.
  virtual Result<void> DeleteListener(std::string_view id) = 0;
  virtual Result<Page<Listener>> ListListeners(const ListenerFilter& filter,
                                               const PageRequest& page) = 0;
  virtual Result<int> CountListeners(std::string_view load_balancer_id) = 0;
  virtual Result<bool> ListenerPortTaken(std::string_view load_balancer_id, int port) = 0;

  virtual Result<void> InsertCertificate(const Certificate& certificate) = 0;
  virtual Result<std::optional<Certificate>> FindCertificate(std::string_view account_id,
                                                             std::string_view id) = 0;
  virtual Result<std::optional<Certificate>> FindCertificateByNumber(std::string_view account_id,
                                                                     std::int64_t number) = 0;
  // Across all accounts: numbers are unique server-wide.
  virtual Result<bool> CertificateNumberTaken(std::int64_t number) = 0;
  virtual Result<void> DeleteCertificate(std::string_view id) = 0;
  virtual Result<Page<Certificate>> ListCertificates(std::string_view account_id,
                                                     const PageRequest& page) = 0;
  // Listeners that serve it, default or additional.
  virtual Result<int> CountCertificateUses(std::string_view certificate_id) = 0;

  // Default first, then in the order they were associated.
  virtual Result<Page<ListenerCertificate>> ListListenerCertificates(
      const ListenerCertificateFilter& filter, const PageRequest& page) = 0;
  virtual Result<void> InsertListenerCertificate(const ListenerCertificate& lc) = 0;
  virtual Result<void> UpdateListenerCertificate(const ListenerCertificate& lc) = 0;
  virtual Result<void> DeleteListenerCertificate(std::string_view listener_id,
                                                 std::string_view certificate_id) = 0;
  // Additional (not default) certificates on all listeners of a load balancer.
  virtual Result<int> CountAdditionalCertificates(std::string_view load_balancer_id) = 0;

  virtual Result<void> InsertServerGroup(const ServerGroup& group) = 0;
  virtual Result<std::optional<ServerGroup>> FindServerGroup(std::string_view account_id,
                                                             std::string_view id) = 0;
  virtual Result<void> UpdateServerGroup(const ServerGroup& group) = 0;
  // Also removes its servers.
  virtual Result<void> DeleteServerGroup(std::string_view id) = 0;
  virtual Result<Page<ServerGroup>> ListServerGroups(const ServerGroupFilter& filter,
                                                     const PageRequest& page) = 0;

  virtual Result<void> InsertHealthCheckTemplate(const HealthCheckTemplate& t) = 0;
  virtual Result<std::optional<HealthCheckTemplate>> FindHealthCheckTemplate(
      std::string_view account_id, std::string_view id) = 0;
  // Name and config.
  virtual Result<void> UpdateHealthCheckTemplate(const HealthCheckTemplate& t) = 0;
  virtual Result<void> DeleteHealthCheckTemplate(std::string_view id) = 0;
  // In the order they were created.
  virtual Result<Page<HealthCheckTemplate>> ListHealthCheckTemplates(
      const HealthCheckTemplateFilter& filter, const PageRequest& page) = 0;

  virtual Result<void> InsertSecurityPolicy(const SecurityPolicy& policy) = 0;
  virtual Result<std::optional<SecurityPolicy>> FindSecurityPolicy(std::string_view account_id,
                                                                   std::string_view id) = 0;
  // Name, TLS versions, ciphers and resource group.
  virtual Result<void> UpdateSecurityPolicy(const SecurityPolicy& policy) = 0;
  // Also removes its tags.
  virtual Result<void> DeleteSecurityPolicy(std::string_view id) = 0;
  // In the order they were created.
  virtual Result<Page<SecurityPolicy>> ListSecurityPolicies(const SecurityPolicyFilter& filter,
                                                            const PageRequest& page) = 0;

  virtual Result<void> InsertAcl(const Acl& acl) = 0;
  virtual Result<std::optional<Acl>> FindAcl(std::string_view account_id, std::string_view id) = 0;
  // Name, status and resource group.
  virtual Result<void> UpdateAcl(const Acl& acl) = 0;
  // Also removes its entries and tags (its listener associations must be gone).
  virtual Result<void> DeleteAcl(std::string_view id) = 0;
  // In the order they were created.
  virtual Result<Page<Acl>> ListAcls(const AclFilter& filter, const PageRequest& page) = 0;

  // In the order they were added.
  virtual Result<Page<AclEntry>> ListAclEntries(std::string_view acl_id,
                                                const PageRequest& page) = 0;
  virtual Result<void> InsertAclEntry(const AclEntry& entry) = 0;
  // Status and job.
  virtual Result<void> UpdateAclEntry(const AclEntry& entry) = 0;
  virtual Result<void> DeleteAclEntry(std::string_view acl_id, std::string_view entry) = 0;
  virtual Result<int> CountAclEntries(std::string_view acl_id) = 0;

  // In the order they were associated. A listener's rows go when it is deleted.
  virtual Result<Page<ListenerAcl>> ListListenerAcls(const ListenerAclFilter& filter,
                                                     const PageRequest& page) = 0;
  virtual Result<void> InsertListenerAcl(const ListenerAcl& relation) = 0;
  // Status and job.
  virtual Result<void> UpdateListenerAcl(const ListenerAcl& relation) = 0;
  virtual Result<void> DeleteListenerAcl(std::string_view listener_id, std::string_view acl_id) = 0;

  virtual Result<void> InsertAScript(const AScript& script) = 0;
  virtual Result<std::optional<AScript>> FindAScript(std::string_view account_id,
                                                     std::string_view id) = 0;
  // Name, status, spec and job.
  virtual Result<void> UpdateAScript(const AScript& script) = 0;
  virtual Result<void> DeleteAScript(std::string_view id) = 0;
  // In the order they were created. A listener's go when it is deleted.
  virtual Result<Page<AScript>> ListAScripts(const AScriptFilter& filter,
                                             const PageRequest& page) = 0;

  // Adds the tag, or sets the value of the resource's tag with that key.
  virtual Result<void> PutTag(const ResourceTag& tag) = 0;
  // The resource's tags with these keys; every tag of it when `keys` is empty.
  virtual Result<void> DeleteTags(std::string_view resource_id,
                                  const std::vector<std::string>& keys) = 0;
  // In the order they were first put.
  virtual Result<Page<ResourceTag>> ListTags(const TagFilter& filter, const PageRequest& page) = 0;

  // In the order they were added.
  virtual Result<Page<BackendServer>> ListBackendServers(const BackendServerFilter& filter,
                                                         const PageRequest& page) = 0;
  virtual Result<void> InsertBackendServer(const BackendServer& server) = 0;
  virtual Result<void> UpdateBackendServer(const BackendServer& server) = 0;
  virtual Result<void> DeleteBackendServer(std::string_view server_group_id,
                                           std::string_view server_id, int port) = 0;
  virtual Result<int> CountBackendServers(std::string_view server_group_id) = 0;

  virtual Result<void> InsertRule(const Rule& rule) = 0;
  virtual Result<std::optional<Rule>> FindRule(std::string_view account_id,
                                               std::string_view id) = 0;
  // Name, priority, status, job, conditions and actions.
  virtual Result<void> UpdateRule(const Rule& rule) = 0;
  virtual Result<void> DeleteRule(std::string_view id) = 0;
  // In the order they were created.
  virtual Result<Page<Rule>> ListRules(const RuleFilter& filter, const PageRequest& page) = 0;
  virtual Result<int> CountRules(std::string_view load_balancer_id) = 0;
  // Whether another rule of the listener (not `except_rule_id`) has this priority and direction.
  virtual Result<bool> RulePriorityTaken(std::string_view listener_id, std::string_view direction,
                                         int priority, std::string_view except_rule_id) = 0;

  virtual Result<void> InsertJob(const Job& job) = 0;
  virtual Result<std::optional<Job>> FindJob(std::string_view id) = 0;
  virtual Result<void> UpdateJob(const Job& job) = 0;
  // Newest first.
  virtual Result<Page<Job>> ListJobs(const JobFilter& filter, const PageRequest& page) = 0;
  // Processing jobs with run_after_ms <= now_ms, oldest first, at most `limit`. Called in a
  // write transaction by the job worker; a PostgreSQL store claims them with
  // `FOR UPDATE SKIP LOCKED` so several workers never take the same job.
  virtual Result<std::vector<Job>> DueJobs(std::int64_t now_ms, int limit) = 0;
  // Processing jobs whose changes are committed and wait for the data-plane nodes to apply
  // them (awaiting_version > 0), oldest first; claimed as DueJobs are.
  virtual Result<std::vector<Job>> AwaitingJobs(int limit) = 0;
  // The same jobs, read without claiming them (in a read transaction): what data-plane nodes
  // serve ahead of the store's rows (alb/served_listeners.h).
  virtual Result<std::vector<Job>> PublishedJobs() = 0;
  // Sets every Processing job's run_after_ms to its created_ms + delay_ms; returns how many.
  virtual Result<int> RescheduleProcessingJobs(std::int64_t delay_ms) = 0;
  // The earliest run_after_ms of any Processing job not yet settled.
  virtual Result<std::optional<std::int64_t>> NextJobTime() = 0;
  // How many jobs are Processing now, of every account (for /metrics).
  virtual Result<std::int64_t> CountProcessingJobs() = 0;

  virtual Result<std::optional<ClientTokenRecord>> FindClientToken(std::string_view account_id,
                                                                   std::string_view api_name,
                                                                   std::string_view token) = 0;
  virtual Result<void> InsertClientToken(const ClientTokenRecord& record) = 0;
  // Drops tokens created before `before_ms`; returns how many.
  virtual Result<int> DeleteClientTokensBefore(std::int64_t before_ms) = 0;

  // RAM users, policies and attachments. Each list is of one account, or of all when
  // `account_id` is empty. Deleting a user also deletes its AccessKeys and attachments.
  virtual Result<void> InsertUser(const RamUser& user) = 0;
  virtual Result<std::optional<RamUser>> FindUser(std::string_view account_id,
                                                  std::string_view user_name) = 0;
  virtual Result<std::vector<RamUser>> ListUsers(std::string_view account_id) = 0;
  virtual Result<void> DeleteUser(std::string_view account_id, std::string_view user_name) = 0;
  virtual Result<void> InsertPolicy(const StoredPolicy& policy) = 0;
  virtual Result<std::optional<StoredPolicy>> FindPolicy(std::string_view account_id,
                                                         std::string_view policy_name) = 0;
  virtual Result<std::vector<StoredPolicy>> ListPolicies(std::string_view account_id) = 0;
  virtual Result<void> DeletePolicy(std::string_view account_id, std::string_view policy_name) = 0;
  virtual Result<void> InsertPolicyAttachment(const PolicyAttachment& attachment) = 0;
  // Returns false when there was no such attachment.
  virtual Result<bool> DeletePolicyAttachment(const PolicyAttachment& attachment) = 0;
  virtual Result<std::vector<PolicyAttachment>> ListPolicyAttachments(
      std::string_view account_id) = 0;

  // The audit log only grows: the schema refuses updates and deletes of its rows.
  virtual Result<void> InsertAuditEntry(const AuditEntry& entry) = 0;
  // Oldest first, rows with seq > `after_seq`, at most `limit`.
  virtual Result<std::vector<AuditEntry>> ListAuditEntries(std::string_view account_id,
                                                           std::int64_t after_seq, int limit) = 0;
  // The newest `limit` rows of every account, newest first (the console).
  virtual Result<std::vector<AuditEntry>> LatestAuditEntries(int limit) = 0;

  // The configuration version: one number, increased by every committed transaction that
  // changes what a data plane serves, so data-plane nodes know what they have applied. Only
  // the job worker changes that (it publishes or undoes a job; the API's writes only mark
  // rows for a job): it calls MarkConfigChanged(), which returns the version the transaction
  // commits as (the same for every call in one transaction). ConfigVersion() reads it as
  // this transaction sees it.
  virtual Result<std::int64_t> ConfigVersion() = 0;
  virtual Result<std::int64_t> MarkConfigChanged() = 0;
  // Notes that this transaction's version changes what `listener_id` serves, so data-plane
  // nodes re-read that listener (the job worker notes each listener a job settles).
  virtual Result<void> NoteServedChange(std::string_view account_id, std::string_view listener_id,
                                        std::int64_t now_ms) = 0;
  // The listeners (account, id) noted for versions in (after, upto], each once.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ServedChanges(
      std::int64_t after, std::int64_t upto) = 0;
  // Drops notes made before `before_ms`; returns how many.
  virtual Result<int> DeleteServedChangesBefore(std::int64_t before_ms) = 0;

  // Runs `body` in a nested transaction (a savepoint): if it fails, its writes are undone
  // and the error returned, while the enclosing transaction goes on.
  virtual Result<void> Nested(const std::function<Result<void>(StoreTx&)>& body) = 0;
};

enum class TxMode { kRead, kWrite };

class Store {
 public:
  virtual ~Store() = default;

  // The store's own figures for /metrics (writes, commit latency); none by default.
  virtual void WriteMetrics(PrometheusText& out) const { (void)out; }

  virtual Result<void> CreateAccount(const Account& account) = 0;
  virtual Result<std::vector<Account>> ListAccounts() = 0;

  // Fails with InternalError if the account does not exist.
  virtual Result<void> CreateAccessKey(const AccessKey& key) = 0;
  // All keys of every account, ordered by account then creation.
  virtual Result<std::vector<AccessKey>> ListAccessKeys() = 0;
  // Returns false when no such key existed.
  virtual Result<bool> DeleteAccessKey(std::string_view access_key_id) = 0;
  // Returns false when no such key existed.
  virtual Result<bool> SetAccessKeyActive(std::string_view access_key_id, bool active) = 0;
  // Replaces the stored secret (sealing one kept from before secrets were sealed). Returns
  // false when no such key existed.
  virtual Result<bool> ReplaceAccessKeySecret(std::string_view access_key_id,
                                              std::string_view secret) = 0;
  // Makes data that has been overwritten unrecoverable from the store's files (a sealed
  // secret's plain-text predecessor, say): SQLite copies its WAL into the database, whose
  // pages the new content replaces, and truncates the WAL.
  virtual Result<void> ScrubOverwritten() = 0;

  // Inserts or replaces the node's row (one-call, outside any write transaction's lock).
  virtual Result<void> RecordNode(const NodeRecord& node) = 0;
  virtual Result<std::vector<NodeRecord>> ListNodes() = 0;
  // Forgets nodes whose heartbeat is older than `before_ms`; returns how many.
  virtual Result<int> ForgetNodes(std::int64_t before_ms) = 0;
  // Waits up to `timeout` for a sign that another process changed something: PostgreSQL's
  // LISTEN/NOTIFY, a wake-up only — callers re-read what they need. Returns the kinds of
  // change announced (ChangeKinds bits; every kind after a reconnection, which may have hidden
  // some), 0 at the timeout. SQLite, which no other server process shares, waits out the
  // timeout.
  virtual Result<unsigned> WaitForChange(std::chrono::milliseconds timeout) = 0;

  // A number that changes whenever another process or connection commits a change, so
  // in-memory snapshots know when to reload. Not a count of anything.
  virtual Result<std::uint64_t> ExternalChangeCounter() = 0;

  // Runs `body` in one transaction: commits (durably, for kWrite) when it succeeds, rolls
  // back and returns its error when it fails. A kRead transaction sees one consistent
  // snapshot and must not write.
  virtual Result<void> Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) = 0;
};

// Transact() for a body that returns a value.
template <typename T, typename Body>
Result<T> InTransaction(Store& store, TxMode mode, Body&& body) {
  std::optional<T> out;
  auto done = store.Transact(mode, [&](StoreTx& tx) -> Result<void> {
    Result<T> value = body(tx);
    if (!value) return Fail(std::move(value.error()));
    out.emplace(std::move(*value));
    return {};
  });
  if (!done) return Fail(std::move(done.error()));
  return std::move(*out);
}

}  // namespace openalb
