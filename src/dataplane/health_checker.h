// Active health checks. ServerHealth is one server of one server group as its probes see it:
// Initial until the first verdict, Unhealthy after UnhealthyThreshold failed probes in a row,
// Healthy after HealthyThreshold good ones. Pools read Up() on every pick (one relaxed atomic
// load); Initial counts as up, so adding a server or changing a check sends no request astray
// while the first probe is on its way. HealthChecker keeps one ServerHealth per (group,
// address, port) while some pool uses it and runs its probe loop on a data-plane thread: HTTP
// or HTTPS (a request whose status must be in HealthCheckCodes), TCP (a connection), or gRPC
// (a call over cleartext HTTP/2 whose grpc-status must be in the codes' ranges). Each loop starts
// at a random point of its interval, so a thousand servers are probed evenly, not in bursts. Every
// node of a fleet probes for itself.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/prometheus_text.h"
#include "dataplane/io_workers.h"
#include "dataplane/server_group_policy.h"

namespace openalb {

enum class HealthState { kInitial, kHealthy, kUnhealthy };

struct HealthReport {
  HealthState state = HealthState::kInitial;
  std::string reason_code;  // Unhealthy: CONNECT_TIMEOUT, CONNECT_FAIL, RESPONSE_MISMATCH, …
  std::string expected;     // RESPONSE_MISMATCH: the codes wanted, e.g. HTTP_2xx
  std::string actual;       // RESPONSE_MISMATCH: what came, e.g. HTTP_503
};

class ServerHealth {
 public:
  explicit ServerHealth(HealthCheckPolicy policy) : policy_(std::move(policy)) {}

  bool Up() const { return up_.load(std::memory_order_relaxed); }
  HealthReport Report() const;
  HealthCheckPolicy policy() const;
  void SetPolicy(const HealthCheckPolicy& policy);
  // One probe's verdict (`failure` empty when it passed).
  void Record(const HealthReport& failure, bool passed);
  std::uint64_t probes() const { return probes_.load(std::memory_order_relaxed); }
  std::uint64_t failed_probes() const { return failed_probes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> up_{true};
  std::atomic<std::uint64_t> probes_{0};
  std::atomic<std::uint64_t> failed_probes_{0};
  mutable std::mutex mutex_;
  HealthCheckPolicy policy_;  // GUARDED_BY(mutex_)
  HealthReport report_;       // GUARDED_BY(mutex_)
  int passes_ = 0;            // GUARDED_BY(mutex_): in a row
  int failures_ = 0;          // GUARDED_BY(mutex_): in a row
};

class HealthChecker {
 public:
  using Endpoint = boost::asio::ip::tcp::endpoint;
  explicit HealthChecker(IoWorkers& workers);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // The server's health under `policy` (enabled), probed from now on while the result is
  // held; an existing one keeps its state and takes the new policy.
  std::shared_ptr<ServerHealth> Watch(const std::string& server_group_id, const Endpoint& endpoint,
                                      const HealthCheckPolicy& policy);
  // What the probes of a watched server say; nullopt when it is not watched here.
  std::optional<HealthReport> ReportOf(const std::string& server_group_id,
                                       const std::string& address, int port) const;
  // Servers watched now (for tests and `openalb top`).
  size_t watched() const;
  // For /metrics: each watched server's state (1 in its state's series) and its probes by
  // result, labelled by server group id and the server's address:port (the configuration's).
  void WriteMetrics(PrometheusText& out) const;

  struct Shared;  // what the probes share (health_checker.cc)

 private:
  IoWorkers& workers_;
  std::shared_ptr<Shared> shared_;
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<ServerHealth>> watched_;  // GUARDED_BY(mutex_)
};

}  // namespace openalb
