// The records the store keeps for the ALB resources: load balancers, listeners,
// certificates, the certificates a listener serves, server groups and their servers,
// asynchronous jobs and ClientToken records. Plain values; the rules that change them live in alb/,
// the SQL in store/sqlite/. Times are milliseconds since the Unix epoch (UTC), as ListAsynJobs
// reports them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace openalb {

// Wire spellings of the statuses and enumerations (ALB 2020-06-16).
namespace status {
inline constexpr std::string_view kProvisioning = "Provisioning";
inline constexpr std::string_view kActive = "Active";
inline constexpr std::string_view kRunning = "Running";
inline constexpr std::string_view kStopped = "Stopped";
inline constexpr std::string_view kConfiguring = "Configuring";
inline constexpr std::string_view kAssociating = "Associating";
inline constexpr std::string_view kAssociated = "Associated";
inline constexpr std::string_view kDissociating = "Dissociating";
inline constexpr std::string_view kProcessing = "Processing";
inline constexpr std::string_view kSucceeded = "Succeeded";
inline constexpr std::string_view kFailed = "Failed";
inline constexpr std::string_view kCreating = "Creating";
inline constexpr std::string_view kAvailable = "Available";
inline constexpr std::string_view kAdding = "Adding";
inline constexpr std::string_view kRemoving = "Removing";
inline constexpr std::string_view kDeleting = "Deleting";
}  // namespace status

struct LoadBalancer {
  std::string load_balancer_id;  // "alb-" + 20 characters
  std::string account_id;
  std::string name;
  std::string edition;  // Basic, Standard, StandardWithWaf
  std::string status;   // Provisioning, Active
  std::string vpc_id;
  std::string address_type;  // Internet, Intranet
  std::int64_t created_ms = 0;
  // ZoneMappings, LoadBalancerBillingConfig, AddressAllocatedMode, DeletionProtectionConfig, …
  // as one JSON object in ALB's names (alb/load_balancer_attributes); "{}" is ALB's defaults.
  std::string attributes = "{}";

  bool operator==(const LoadBalancer&) const = default;
};

struct Listener {
  std::string listener_id;  // "lsr-" + 20 characters
  std::string account_id;
  std::string load_balancer_id;
  std::string protocol;  // HTTP, HTTPS, QUIC
  int port = 0;
  std::string description;
  std::string status;          // Provisioning, Running, Configuring, Stopped
  std::string resting_status;  // what `status` returns to when the job in flight ends
  std::int64_t created_ms = 0;
  // The default action: forward to this server group (empty: none, a fixed 503 is served).
  std::string forward_server_group_id;
  // IdleTimeout, RequestTimeout, GzipEnabled, Http2Enabled, XForwardedForConfig as a JSON
  // object (alb/listener_options.h); "{}" means ALB's defaults.
  std::string attributes = "{}";

  bool operator==(const Listener&) const = default;
};

struct Certificate {
  std::string certificate_id;  // "<number>-<region>", as ALB names a CAS certificate
  std::int64_t number = 0;     // the CAS CertId
  std::string account_id;
  std::string name;
  std::string common_name;
  std::vector<std::string> dns_names;
  std::string issuer;
  std::int64_t not_before_ms = 0;
  std::int64_t not_after_ms = 0;
  std::string key_type;  // RSA, ECC
  int key_bits = 0;
  bool is_ca = false;
  std::string fingerprint_sha256;
  std::string chain_pem;
  std::string sealed_private_key;  // SecretBox-sealed, associated data = certificate_id
  std::int64_t created_ms = 0;

  bool operator==(const Certificate&) const = default;
};

// One certificate a listener serves: its default one (is_default) or an additional one.
struct ListenerCertificate {
  std::string listener_id;
  std::string certificate_id;
  bool is_default = false;
  std::string status;  // Associating, Associated, Dissociating
  std::string job_id;  // the job that set `status`; empty once settled

  bool operator==(const ListenerCertificate&) const = default;
};

struct ServerGroup {
  std::string server_group_id;  // "sgp-" + 20 characters
  std::string account_id;
  std::string name;
  std::string server_group_type;  // Instance, Ip
  std::string protocol;           // HTTP: how the load balancer talks to the servers
  std::string scheduler;          // Wrr, Sch
  std::string vpc_id;
  std::string status;  // Creating, Available, Configuring
  std::int64_t created_ms = 0;
  // HealthCheckConfig, StickySessionConfig, UchConfig, … as one JSON object in ALB's names
  // (alb/server_group_attributes); "{}" is ALB's defaults.
  std::string attributes = "{}";

  bool operator==(const ServerGroup&) const = default;
};

// A health check template: HealthCheckConfig's fields under a name, applied to server groups
// by copying (a later change to the template does not reach them, as on ALB).
struct HealthCheckTemplate {
  std::string template_id;  // "hct-" + 20 characters
  std::string account_id;
  std::string name;
  std::string config;  // the health check fields as a JSON object, in ALB's names
  std::int64_t created_ms = 0;

  bool operator==(const HealthCheckTemplate&) const = default;
};

// A custom TLS security policy (the system ones are built in: alb/security_policy_catalogue).
struct SecurityPolicy {
  std::string policy_id;  // "spy-" + 20 characters
  std::string account_id;
  std::string name;
  std::string tls_versions;  // a JSON array, in the order given
  std::string ciphers;       // a JSON array, in the order given
  std::string resource_group_id;
  std::int64_t created_ms = 0;

  bool operator==(const SecurityPolicy&) const = default;
};

// An access control list: IP addresses and CIDR blocks a listener admits (White) or refuses
// (Black). Its entries and listener associations are rows of their own.
struct Acl {
  std::string acl_id;  // "acl-" + 20 characters
  std::string account_id;
  std::string name;
  std::string status;  // Creating, Available, Configuring, Deleting
  std::string resource_group_id;
  std::int64_t created_ms = 0;

  bool operator==(const Acl&) const = default;
};

// One entry of an ACL; `entry` is unique in its ACL and kept as the client wrote it.
struct AclEntry {
  std::string acl_id;
  std::string entry;  // an IPv4 or IPv6 address or CIDR block
  std::string description;
  std::string status;  // Adding, Available, Removing
  std::string job_id;  // the job that set `status`; empty once settled

  bool operator==(const AclEntry&) const = default;
};

// An ACL associated with a listener. Every ACL of one listener has the same type.
struct ListenerAcl {
  std::string listener_id;
  std::string acl_id;
  std::string acl_type;  // White, Black
  std::string status;    // Associating, Associated, Dissociating
  std::string job_id;    // the job that set `status`; empty once settled

  bool operator==(const ListenerAcl&) const = default;
};

// A listener's AScript (ALB's programmable script), recorded and shown; openalb runs none.
struct AScript {
  std::string ascript_id;  // "as-" + 20 characters
  std::string account_id;
  std::string listener_id;
  std::string name;
  std::string status;  // Creating, Available, Configuring, Deleting
  // Enabled, Position, ScriptContent, ExtAttributeEnabled, ExtAttributes, as a JSON object.
  std::string spec = "{}";
  std::string job_id;  // the job that set `status`; empty once settled
  std::int64_t created_ms = 0;

  bool operator==(const AScript&) const = default;
};

// One tag of one resource (TagResources, or Tag.N on a create); a key is unique per resource.
struct ResourceTag {
  std::string account_id;
  std::string resource_type;  // loadbalancer, listener, servergroup, healthchecktemplate, …
  std::string resource_id;
  std::string key;
  std::string value;

  bool operator==(const ResourceTag&) const = default;
};

// One backend server of a server group; (server_id, port) is unique in its group.
struct BackendServer {
  std::string server_group_id;
  std::string server_id;    // an instance id, or the address itself for Ip servers
  std::string server_ip;    // the address the load balancer connects to
  std::string server_type;  // Ecs, Eni, Eci, Ip
  int port = 0;
  int weight = 100;  // 0..100; 0 receives no new requests
  std::string description;
  std::string status;  // Adding, Available, Removing
  std::string job_id;  // the job that set `status`; empty once settled

  bool operator==(const BackendServer&) const = default;
};

// A forwarding rule of a listener. Its conditions and actions are kept as ALB's JSON (what
// ListRules returns; alb/rule_spec reads and writes it).
struct Rule {
  std::string rule_id;  // "rule-" + 20 characters
  std::string account_id;
  std::string load_balancer_id;
  std::string listener_id;
  std::string name;
  int priority = 0;       // 1..10000, unique per listener and direction
  std::string direction;  // Request, Response
  std::string status;     // Provisioning, Configuring, Available
  std::string job_id;     // the job that set `status`; empty once settled
  std::string conditions;
  std::string actions;
  std::int64_t created_ms = 0;

  bool operator==(const Rule&) const = default;
};

struct Job {
  std::string job_id;  // lower-case UUID
  std::string account_id;
  std::string api_name;       // the action that created it
  std::string operate_type;   // Create, Update, Delete
  std::string resource_type;  // loadbalancer, listener
  std::string resource_id;
  std::string status;  // Processing, Succeeded, Failed
  std::string error_code;
  std::string error_message;
  std::string payload;  // JSON the job needs to finish; never returned
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  std::int64_t run_after_ms = 0;  // not before this time (--job-delay)
  // On a shared store: the job's changes are committed as this configuration version, and
  // the job succeeds once every live data-plane node has applied it (0: not yet settled).
  std::int64_t awaiting_version = 0;

  bool operator==(const Job&) const = default;
};

// A ClientToken already used by an account for an action, and what it produced.
struct ClientTokenRecord {
  std::string account_id;
  std::string api_name;
  std::string token;
  std::string fingerprint;  // of the request's parameters
  std::string job_id;
  std::int64_t created_ms = 0;

  bool operator==(const ClientTokenRecord&) const = default;
};

}  // namespace openalb
