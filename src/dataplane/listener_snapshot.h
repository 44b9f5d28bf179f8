// ListenerSnapshot: what one TLS listener serves, frozen — its default certificate and its
// additional ones, indexed by the DNS names they cover, and the servers it forwards to. Built off
// the hot path, published by one atomic pointer swap, read lock-free by the client-hello callback;
// a connection keeps the snapshot it began with. Selection (Select) follows ALB's SNI rules: the
// exact name, then a wildcard covering exactly one more label (`*.example.com` matches
// `a.example.com`, not `a.b.example.com` nor `example.com`), then the default; where an
// ECDSA and an RSA certificate cover the same name, ECDSA for clients that can complete a
// handshake with it. The snapshot holds certificates as material; their TLS contexts come
// from the data plane's CertificateContexts cache, built by the first handshake that needs one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataplane/access_log_writer.h"
#include "dataplane/address_acl.h"
#include "dataplane/backend_pool.h"
#include "dataplane/certificate_contexts.h"
#include "dataplane/listener_config.h"
#include "dataplane/listener_telemetry.h"
#include "dataplane/route_table.h"
#include "dataplane/tls_policy.h"

namespace openalb {

// A served certificate: its names (lower-case, wildcards as "*.x"), key type, expiry, and
// the chain and sealed key its context is built from.
using ServedCertificate = CertificateMaterial;

class ListenerSnapshot {
 public:
  // `forward` null: the listener has no forward action and answers a fixed 503.
  ListenerSnapshot(std::uint64_t version, std::shared_ptr<CertificateContexts> contexts,
                   ServedCertificate default_certificate, std::vector<ServedCertificate> additional,
                   std::shared_ptr<const BackendPool> forward = nullptr,
                   std::shared_ptr<const RouteTable> routes = nullptr);
  // A plain-HTTP listener's: no certificates.
  ListenerSnapshot(std::uint64_t version, std::shared_ptr<const BackendPool> forward,
                   std::shared_ptr<const RouteTable> routes = nullptr);
  ListenerSnapshot(const ListenerSnapshot&) = delete;
  ListenerSnapshot& operator=(const ListenerSnapshot&) = delete;

  // `server_name` as the client sent it (any case; empty when it sent none).
  const ServedCertificate& Select(std::string_view server_name, bool client_accepts_ecdsa) const;
  // The TLS context of one of this snapshot's certificates, built now if it is not cached.
  Result<SslCtxPtr> ContextOf(const ServedCertificate& certificate) const {
    return contexts_->Get(certificate);
  }
  std::uint64_t version() const { return version_; }
  // Every certificate it serves, the default first (none for plain HTTP).
  std::vector<const ServedCertificate*> certificates() const;
  size_t size() const { return contexts_ ? 1 + additional_.size() : 0; }
  const BackendPool* forward() const { return forward_.get(); }
  // The listener's forwarding rules; null when it has none.
  const RouteTable* routes() const { return routes_.get(); }
  // Its attributes (timeouts, gzip, forwarding headers); set before the snapshot is published.
  const ListenerOptions& options() const { return options_; }
  // Its load balancer and configured port (what SLB-ID and X-Forwarded-Port carry).
  const std::string& load_balancer_id() const { return load_balancer_id_; }
  int port() const { return port_; }
  void set_options(const ListenerOptions& options, std::string load_balancer_id, int port) {
    options_ = options;
    load_balancer_id_ = std::move(load_balancer_id);
    port_ = port;
  }
  // Its security policy; null: openalb's own TLS settings (the base context's).
  const CompiledTlsPolicy* tls_policy() const { return tls_policy_ ? &*tls_policy_ : nullptr; }
  void set_tls_policy(std::optional<CompiledTlsPolicy> policy) { tls_policy_ = std::move(policy); }
  // What its answers' Alt-Svc says (an HTTPS listener upgrading to QUIC), or empty.
  const std::string& alt_svc() const { return alt_svc_; }
  void set_alt_svc(std::string alt_svc) { alt_svc_ = std::move(alt_svc); }
  // Its access control; null: every client is admitted.
  const AddressAcl* acl() const { return acl_ ? &*acl_ : nullptr; }
  void set_acl(std::optional<AddressAcl> acl) { acl_ = std::move(acl); }
  // The listener's counters (the same object across its snapshots); null: not counted (tests).
  ListenerTelemetry* telemetry() const { return telemetry_.get(); }
  // Sets them, and looks up each certificate's "served" counter once, here.
  void set_telemetry(std::shared_ptr<ListenerTelemetry> telemetry);
  // Counts a handshake that chose `certificate` (one of this snapshot's).
  void CountServed(const ServedCertificate& certificate) const;
  // Where its requests' access-log lines go; null: the listener does not log.
  AccessLogWriter* access_log() const { return access_log_.get(); }
  // An access-log line's listener fields: its load balancer, id and configured port.
  void SetListenerFields(AccessLogFields& fields) const {
    fields.load_balancer_id = load_balancer_id_;
    if (telemetry_) fields.listener_id = telemetry_->listener_id();
    fields.listener_port = port_;
  }
  void set_access_log(std::shared_ptr<AccessLogWriter> writer) { access_log_ = std::move(writer); }

 private:
  const ServedCertificate* Best(const std::vector<const ServedCertificate*>& candidates,
                                bool client_accepts_ecdsa) const;

  std::uint64_t version_;
  std::shared_ptr<CertificateContexts> contexts_;  // null for plain HTTP
  ServedCertificate default_;
  std::vector<ServedCertificate> additional_;
  std::unordered_map<std::string, std::vector<const ServedCertificate*>> by_name_;
  std::shared_ptr<const BackendPool> forward_;
  std::shared_ptr<const RouteTable> routes_;
  ListenerOptions options_;
  std::optional<CompiledTlsPolicy> tls_policy_;
  std::optional<AddressAcl> acl_;
  std::string alt_svc_;
  std::string load_balancer_id_;
  int port_ = 0;
  std::shared_ptr<ListenerTelemetry> telemetry_;
  std::vector<ShardedCounter*> served_counters_;  // the default's, then additional_'s
  std::shared_ptr<AccessLogWriter> access_log_;
};

// What the client hello says, read with OpenSSL's client-hello accessors.
struct ClientHelloInfo {
  std::string server_name;  // lower-case; empty when absent
  // The client can complete a handshake with an ECDSA certificate: under TLS 1.3 it lists
  // an ECDSA signature scheme; under TLS 1.2 it also offers an ECDHE-ECDSA cipher suite
  // (a TLS 1.2 client offering only ECDHE-RSA suites cannot use an ECDSA key whatever its
  // signature_algorithms say).
  bool accepts_ecdsa = false;
};
ClientHelloInfo ReadClientHello(SSL* ssl);

}  // namespace openalb
