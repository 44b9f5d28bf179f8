// JobMetrics: the jobs this process's worker settled, by the action that created them and
// their result (Succeeded, Failed), and how long each took from its creation to its end — for
// /metrics. Jobs settle a few at a time, off every hot path: one mutex is enough.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/metric_cells.h"
#include "core/prometheus_text.h"

namespace openalb {

class JobMetrics {
 public:
  // A job ended as `result` after `took` (from its creation, its delay included).
  void Settled(const std::string& api_name, std::string_view result,
               std::chrono::milliseconds took);
  // The settled jobs and their durations; `pending`: jobs Processing now (store-wide), when
  // known.
  void Write(PrometheusText& out, std::optional<std::int64_t> pending) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> settled_;  // GUARDED_BY(mutex_)
  LatencyHistogram duration_;
};

}  // namespace openalb
