// DataPlane: the listeners this process serves, HTTPS and plain HTTP. Apply() makes one listener
// serve exactly a ListenerConfig — binding its port the first time, then building a new snapshot
// off the hot path (TLS contexts are cached per certificate and backend servers' state per
// address, so a change rebuilds only what changed) and publishing it with one swap. A failure
// leaves the previous configuration serving. Thread-safe.
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
#include "dataplane/backend_pool.h"
#include "dataplane/io_workers.h"
#include "dataplane/listener_config.h"
#include "dataplane/port_listener.h"

namespace openalb {

struct DataPlaneOptions {
  std::string bind_address = "127.0.0.1";
  int port_offset = 0;  // listener port N binds N + offset (for running without privileges)
  int threads = 1;      // data plane threads (IoWorkers), separate from the API's
};

// Turns a certificate's sealed private key into PEM.
using KeyOpener = std::function<Result<std::string>(const CertificateMaterial&)>;

class DataPlane {
 public:
  DataPlane(DataPlaneOptions options, KeyOpener open_key)
      : options_(std::move(options)), open_key_(std::move(open_key)), workers_(options_.threads) {}
  ~DataPlane() {
    StopAll();
    workers_.Stop();
  }

  Result<void> Apply(const ListenerConfig& config);
  // Stops serving the listener (its port is closed); nothing if it is not served.
  void Remove(std::string_view listener_id);
  // Serves exactly `configs`: applies each, removes every other listener. Returns the
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

 private:
  struct Served {
    int configured_port = 0;
    bool tls = true;
    std::shared_ptr<PortListener> listener;
  };
  struct CachedContext {
    std::string fingerprint;
    SslCtxPtr context;
    std::int64_t not_after_ms = 0;
  };

  Result<SslCtxPtr> ContextFor(const CertificateMaterial& certificate);  // REQUIRES: mutex_
  Result<std::shared_ptr<const BackendPool>> PoolFor(const ListenerConfig& config);

  const DataPlaneOptions options_;
  const KeyOpener open_key_;
  BackendRegistry backends_;
  IoWorkers workers_;
  mutable std::mutex mutex_;
  std::map<std::string, Served, std::less<>> served_;           // GUARDED_BY(mutex_)
  std::map<std::string, CachedContext, std::less<>> contexts_;  // GUARDED_BY(mutex_)
  std::uint64_t next_version_ = 1;                              // GUARDED_BY(mutex_)
};

}  // namespace openalb
