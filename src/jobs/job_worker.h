// JobWorker: finishes due asynchronous jobs in the background. Each pass takes up to
// `batch` due jobs and completes them in one durable transaction (a job that cannot succeed
// is failed in its own savepoint, so it never blocks the others), which also makes the
// worker's commits group naturally under load. Jobs left by a crash are due again on start.
// With a data plane, a job that changes what a listener serves completes only once the
// data plane has applied the listener's new configuration (in the same nested
// transaction: if applying fails, the job fails with that error and the previous
// configuration keeps serving).
// On a shared store (a fleet) the worker applies nothing itself: each data-plane node follows
// the configuration version (fleet/config_follower). A job's changes commit as a version, the
// job stays Processing with that version awaited, and it succeeds only when every live
// data-plane node has applied it — or fails with the reason of a node that could not.
// RunOnce() does one pass, for tests; Start() runs passes on a thread until Stop().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "alb/domain.h"
#include "core/api_error.h"
#include "dataplane/data_plane.h"
#include "jobs/job_metrics.h"

namespace openalb {

// How a worker on a shared store waits for the data-plane nodes.
struct FleetAcknowledgement {
  bool enabled = false;
  std::int64_t lease_ms = 5000;  // a node silent this long is not waited for
};

class JobWorker {
 public:
  explicit JobWorker(const Domain& domain, DataPlane* data_plane = nullptr, int batch = 64,
                     FleetAcknowledgement fleet = {})
      : domain_(domain), data_plane_(data_plane), batch_(batch), fleet_(fleet) {}
  ~JobWorker() { Stop(); }
  JobWorker(const JobWorker&) = delete;
  JobWorker& operator=(const JobWorker&) = delete;

  // Finishes the jobs due now; returns how many it finished (Succeeded or Failed).
  Result<int> RunOnce();
  // Milliseconds until the next Processing job is due (0 if one is due now), if any.
  Result<std::optional<std::int64_t>> MillisecondsUntilNextJob();

  // Makes the data plane serve what the store says (start-up, or after a failed commit).
  Result<void> SyncDataPlane();

  // Applies the domain's job delay to jobs left by an earlier run (so restarting with
  // --job-delay 0 finishes them at once), syncs the data plane, then runs passes on a
  // thread.
  Result<void> Start();
  // Wakes the thread to look for due jobs now. Thread-safe.
  void Wake();
  // Called after a pass that published a new configuration version: this process's own
  // data plane looks at once instead of waiting for the store's notification. Set before
  // Start.
  void OnPublished(std::function<void()> published) { on_published_ = std::move(published); }
  void Stop();
  // For /metrics: jobs Processing (the store's count), and those this worker ended.
  void WriteMetrics(PrometheusText& out) const;

 private:
  void Loop();
  // Settles jobs whose version every live data-plane node has applied (or one could not);
  // returns how many it settled.
  // How a pass left a job: `result` Succeeded or Failed once it ended (empty while it waits
  // for the nodes), and a line for the log.
  struct JobOutcome {
    Job job;
    std::string result;
    std::string text;
  };
  Result<int> SettleAcknowledged(StoreTx& tx, const std::vector<NodeRecord>& nodes,
                                 std::int64_t now, std::vector<JobOutcome>& outcomes);
  // Applies, in `tx`, the serving configuration `job` leaves its listeners in.
  Result<void> ApplyToDataPlane(StoreTx& tx, const Job& job,
                                const std::vector<std::string>& listeners_before);

  const Domain& domain_;
  DataPlane* const data_plane_;
  const int batch_;
  const FleetAcknowledgement fleet_;
  JobMetrics metrics_;
  bool awaiting_ = false;     // jobs were left waiting for nodes at the end of the last pass
  bool new_version_ = false;  // the last pass published or undid a job: a new version
  std::function<void()> on_published_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;     // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace openalb
