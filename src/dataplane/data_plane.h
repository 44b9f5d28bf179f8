// DataPlane: the listeners this process serves, HTTPS and plain HTTP. Apply() makes one listener
// serve exactly a ListenerConfig — binding its port the first time, then building a new snapshot
// off the hot path and publishing it with one swap. TLS contexts come from a bounded cache
// (certificate_contexts.h): a change builds the contexts of certificates new to the listener at
// once, so a certificate that cannot be served fails the change, not a handshake; start-up
// (Reconcile) builds none and lets each name's first handshake build its own. Backend servers'
// state is kept per address. A failure leaves the previous configuration serving. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"
#include "core/backend_address_policy.h"
#include "core/prometheus_text.h"
#include "dataplane/backend_pool.h"
#include "dataplane/certificate_contexts.h"
#include "dataplane/gnutls_certificates.h"
#include "dataplane/health_checker.h"
#include "dataplane/io_workers.h"
#include "dataplane/listener_config.h"
#include "dataplane/port_listener.h"
#include "dataplane/route_table.h"
#include "dataplane/session_limits.h"

namespace openalb {

struct DataPlaneOptions {
  std::string bind_address = "127.0.0.1";
  int port_offset = 0;  // listener port N binds N + offset (for running without privileges)
  int threads = 1;      // data plane threads (IoWorkers), separate from the API's
  std::size_t context_cache = CertificateContexts::kDefaultCapacity;  // TLS contexts kept
  SessionLimits limits;  // timeouts, connection caps and buffered bytes of client connections
  const Clock* clock = nullptr;  // what rotates ticket keys; null: the system clock
  bool metrics = true;           // false: listeners' counters are never bumped
};

class DataPlane {
 public:
  DataPlane(DataPlaneOptions options, KeyOpener open_key)
      : options_(std::move(options)),
        contexts_(std::make_shared<CertificateContexts>(open_key, options_.context_cache)),
        gnutls_certificates_(
            std::make_shared<GnutlsCertificates>(std::move(open_key), options_.context_cache)),
        sessions_(std::make_shared<SessionShared>(
            options_.limits, options_.clock != nullptr ? *options_.clock : system_clock_)),
        workers_(options_.threads),
        health_(workers_) {}
  ~DataPlane() {
    StopAll();
    workers_.Stop();
  }

  // Builds the TLS contexts of the certificates the listener did not serve before, and
  // fails (changing nothing) if one cannot be built.
  Result<void> Apply(const ListenerConfig& config);
  // Stops serving the listener (its port is closed); nothing if it is not served.
  void Remove(std::string_view listener_id);
  // Serves exactly `configs`: applies each, removes every other listener. Builds no TLS
  // context (start-up opens every port as soon as its names are indexed). Returns the
  // failures (each also leaves that listener as it was).
  std::vector<std::pair<std::string, ApiError>> Reconcile(
      const std::vector<ListenerConfig>& configs);

  // The port a listener is bound to, if served.
  std::optional<std::uint16_t> PortOf(std::string_view listener_id) const;
  // The snapshot a new connection to the listener would get, if served.
  std::shared_ptr<const ListenerSnapshot> SnapshotOf(std::string_view listener_id) const;
  void StopAll();

  // Served certificates that expire before now_ms + within_ms, as (id, not_after_ms), soonest
  // first; WarnExpiring logs each (event=certificate_expiring) — served once a day by
  // `openalb serve`, so an expiry never arrives unannounced.
  std::vector<std::pair<std::string, std::int64_t>> ExpiringWithin(std::int64_t now_ms,
                                                                   std::int64_t within_ms) const;
  void WarnExpiring(std::int64_t now_ms) const;
  // The data plane's gauges for /metrics (data_plane_metrics.cc): listeners served, client
  // connections open and idle, request bytes buffered, and each served certificate's days to
  // expiry (labelled by certificate id only: never by a name a client sent).
  void WriteMetrics(PrometheusText& out, std::int64_t now_ms) const;
  // Each served listener's requests answered and 5xx answers so far (the console's rates).
  struct ListenerTotals {
    std::string listener_id;
    std::uint64_t answered = 0;
    std::uint64_t server_errors = 0;
  };
  std::vector<ListenerTotals> Totals() const;
  const CertificateContexts& contexts() const { return *contexts_; }
  // The active health checks of the servers this process forwards to.
  const HealthChecker& health() const { return health_; }
  // The addresses servers may have (core/backend_address_policy.h); pools built from now on
  // skip the others. Set before the first Apply; null (the default) allows every address.
  // Until `until`, the configuration served is known to be current; past it new connections
  // are refused (see SessionShared::current_until_ns). The config follower moves it.
  void ConfirmCurrentUntil(std::chrono::steady_clock::time_point until) {
    sessions_->current_until_ns.store(until.time_since_epoch().count(), std::memory_order_relaxed);
  }
  void SetBackendPolicy(std::shared_ptr<const BackendAddressPolicy> policy) {
    backend_policy_ = std::move(policy);
  }
  // Where listeners whose load balancer logs write their access-log lines; set before the
  // first Apply (null: no listener logs).
  void SetAccessLog(std::shared_ptr<AccessLogWriter> writer) { access_log_ = std::move(writer); }

 private:
  struct Served {
    int configured_port = 0;
    bool tls = true;
    bool quic = false;  // a UDP port (dataplane/quic_listener.h)
    std::shared_ptr<PortListener> listener;
    std::shared_ptr<ListenerTelemetry> telemetry;  // kept across its snapshots
  };
  enum class Contexts { kBuildNew, kOnFirstHandshake };
  Result<void> Apply(const ListenerConfig& config, Contexts contexts);
  Result<std::shared_ptr<const BackendPool>> PoolFor(const ForwardConfig& forward);
  Result<std::shared_ptr<const RouteTable>> RoutesFor(const ListenerConfig& config);

  const DataPlaneOptions options_;
  SystemClock system_clock_;
  const std::shared_ptr<CertificateContexts> contexts_;
  const std::shared_ptr<GnutlsCertificates> gnutls_certificates_;  // QUIC listeners' (GnuTLS)
  BackendRegistry backends_;
  std::shared_ptr<const BackendAddressPolicy> backend_policy_;
  std::shared_ptr<AccessLogWriter> access_log_;
  const std::shared_ptr<SessionShared> sessions_;
  IoWorkers workers_;
  HealthChecker health_;  // its probes run on workers_
  mutable std::mutex mutex_;
  std::map<std::string, Served, std::less<>> served_;  // GUARDED_BY(mutex_)
  std::uint64_t next_version_ = 1;                     // GUARDED_BY(mutex_)
};

}  // namespace openalb
