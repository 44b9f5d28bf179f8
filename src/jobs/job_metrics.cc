#include "jobs/job_metrics.h"

#include <algorithm>

namespace openalb {

void JobMetrics::Settled(const std::string& api_name, std::string_view result,
                         std::chrono::milliseconds took) {
  {
    std::lock_guard lock(mutex_);
    ++settled_[{api_name, std::string(result)}];
  }
  duration_.Observe(std::chrono::duration_cast<std::chrono::microseconds>(
      std::max(took, std::chrono::milliseconds(0))));
}

void JobMetrics::Write(PrometheusText& out, std::optional<std::int64_t> pending) const {
  if (pending) {
    out.Family("openalb_jobs_pending", "gauge",
               "Asynchronous jobs Processing now, of every account (the store's count).");
    out.Sample("openalb_jobs_pending", {}, static_cast<double>(*pending));
  }
  out.Family("openalb_jobs_settled_total", "counter",
             "Jobs this node's worker ended, by the action that created them and result.");
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, count] : settled_) {
      out.Sample("openalb_jobs_settled_total", {{"api", key.first}, {"result", key.second}},
                 static_cast<double>(count));
    }
  }
  out.Family("openalb_job_duration_seconds", "histogram",
             "From a job's creation to its end (Succeeded or Failed), --job-delay included.");
  out.Histogram("openalb_job_duration_seconds", {}, duration_.Read());
}

}  // namespace openalb
