// ListenerConfig: what the data plane must serve for one listener — its port, its
// certificates (the default first) and the servers it forwards to, as plain values. The domain
// and its forwarding rules (rule_config.h) (alb/served_listeners) derives it from the store; the
// data plane turns it into a bound port and a snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/rule_config.h"
#include "dataplane/server_group_policy.h"

namespace openalb {

struct CertificateMaterial {
  std::string certificate_id;
  std::string fingerprint_sha256;  // a re-imported certificate under the same id rebuilds
  std::vector<std::string> names;  // lower-case DNS names (SANs, CN)
  bool ecdsa = false;
  std::string chain_pem;
  std::string sealed_private_key;  // opened by the data plane's key opener
  std::int64_t not_after_ms = 0;   // expiry, ms since the epoch

  bool operator==(const CertificateMaterial&) const = default;
};

struct BackendTarget {
  std::string address;  // an IP address literal
  int port = 0;
  int weight = 100;       // 1..100 (servers of weight 0 are left out)
  std::string server_id;  // as the API names it (what health reports carry)

  bool operator==(const BackendTarget&) const = default;
};

// The listener's ForwardGroup default action.
struct ForwardConfig {
  std::string server_group_id;
  ServerGroupPolicy policy;            // scheduler, health check, stickiness
  std::vector<BackendTarget> servers;  // may be empty: every request gets a 503

  bool operator==(const ForwardConfig&) const = default;
};

// The listener attributes the data plane honours (UpdateListenerAttribute changes them live).
struct ListenerOptions {
  int idle_timeout_s = 15;     // IdleTimeout: a kept-alive client connection waits this long
  int request_timeout_s = 60;  // RequestTimeout: a server's answer, else 504
  bool gzip = true;            // GzipEnabled: compress compressible answers for gzip clients
  bool http2 = true;           // Http2Enabled: ALPN offers h2 to new connections
  // XForwardedForConfig
  bool xff_enabled = true;           // X-Forwarded-For carries the client's address
  bool xff_remove = false;           // ProcessingMode remove: no X-Forwarded-For at all
  bool xff_proto = true;             // X-Forwarded-Proto
  bool xff_client_src_port = false;  // X-Forwarded-Client-srcport
  bool xff_slb_id = false;           // SLB-ID
  bool xff_slb_port = false;         // X-Forwarded-Port
  bool xff_host = false;             // X-Forwarded-Host
  // SecurityPolicyId: the TLS versions and ciphers of HTTPS handshakes (resolved into
  // ListenerConfig::tls_policy by the domain).
  std::string security_policy_id = "tls_cipher_policy_1_0";
  // QuicConfig (HTTPS listeners): answers advertise the QUIC listener `quic_listener_id` (of the
  // same load balancer) by Alt-Svc while `quic_upgrade` is on.
  bool quic_upgrade = false;
  std::string quic_listener_id;
  // The data-plane access log: on while the listener's load balancer has its access log
  // enabled (EnableLoadBalancerAccessLog, as on ALB); set by the domain from the load balancer.
  bool access_log = false;
  // LogConfig (UpdateListenerLogConfig): with the access log on, custom headers adds the
  // request's headers to each line (credentials left out); tracing is recorded and shown.
  bool log_custom_headers = false;  // AccessLogRecordCustomizedHeadersEnabled
  bool tracing = false;             // AccessLogTracingConfig.TracingEnabled
  int tracing_sample = 0;           // AccessLogTracingConfig.TracingSample, 1..10000 when on
  std::string tracing_type;         // AccessLogTracingConfig.TracingType: Zipkin

  bool operator==(const ListenerOptions&) const = default;
};

// What a listener's TLS handshakes accept: its security policy's versions and cipher suites,
// as ALB (and OpenSSL) name them. Empty versions: openalb's own settings (TLS 1.2 and 1.3,
// forward-secret AEAD suites), for listeners built without the domain (tests).
struct TlsPolicyConfig {
  std::vector<std::string> versions;
  std::vector<std::string> ciphers;

  bool operator==(const TlsPolicyConfig&) const = default;
};

// The listener's access control (AssociateAclsWithListener): its ACLs' type and every entry
// of them. Empty entries: every client is admitted (as on ALB, an ACL with no entries filters
// nothing, White or Black).
struct AclConfig {
  std::string type;                  // White, Black
  std::vector<std::string> entries;  // addresses and CIDR blocks, as the ACLs list them

  bool operator==(const AclConfig&) const = default;
};

struct ListenerConfig {
  std::string listener_id;
  int port = 0;
  std::vector<CertificateMaterial> certificates;  // [0] is the default; empty for HTTP
  std::optional<ForwardConfig> forward;           // none: a fixed 503 for every request
  bool tls = true;                                // HTTPS (or QUIC); false: plain HTTP
  bool quic = false;                              // QUIC: HTTP/3 on a UDP port
  std::vector<RuleConfig> rules;                  // by priority, smallest first
  std::vector<ForwardConfig> rule_groups;         // every server group the rules forward to
  std::string load_balancer_id;                   // what InsertHeader's SLBId inserts
  ListenerOptions options;
  TlsPolicyConfig tls_policy;
  AclConfig acl;
  int alt_svc_port = 0;  // the QUIC listener's port HTTPS answers advertise (Alt-Svc); 0: none

  bool operator==(const ListenerConfig&) const = default;
};

}  // namespace openalb
