// ApiMetrics: what the OpenAPI port has answered, for /metrics on the admin address — requests
// by action and error code, authentication failures by code, and the latency of every answer.
// An action name counts under its own name only when it is one of the served actions (else
// "unknown"), and at most kMaxSeries action/code pairs are kept (further ones count as code
// "other"), so a client cannot grow the series without bound. Thread-safe: one mutex around the
// counts (an API request costs far more), the latency histogram lock-free.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "api/action_table.h"
#include "core/metric_cells.h"
#include "core/prometheus_text.h"

namespace openalb {

class ApiMetrics {
 public:
  static constexpr std::size_t kMaxSeries = 2000;

  // `actions` must outlive this.
  explicit ApiMetrics(const ActionTable& actions) : actions_(actions) {}

  // One answered request: `code` empty on success.
  void Record(std::string_view version, std::string_view action, std::string_view code,
              std::chrono::microseconds latency);
  void Write(PrometheusText& out) const;

 private:
  const ActionTable& actions_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests_;  // GUARDED_BY(mutex_)
  std::map<std::string, std::uint64_t> authentication_failures_;           // GUARDED_BY(mutex_)
  LatencyHistogram latency_;
};

// Whether an error code says the caller was not authenticated (a bad signature, key or time).
bool IsAuthenticationFailure(std::string_view code);

}  // namespace openalb
