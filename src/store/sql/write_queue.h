// WriteQueue: group commit for write transactions, shared by both engines (LevelDB's writer
// queue, applied to SQL transactions). Writers that arrive while a commit is in progress
// queue; the first of them commits every queued body in one transaction — each in its own
// savepoint, so one body's failure undoes only its own writes — and pays one fsync for all.
// Bodies still run one at a time, in arrival order, so the result is as if each had
// committed alone. The engine supplies how a group commits (CommitGroup). Each group's
// commit is timed and counted for /metrics (WriteMetrics).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/metric_cells.h"
#include "core/prometheus_text.h"

#include "store/store.h"

namespace openalb {

class WriteQueue {
 public:
  using Body = std::function<Result<void>(StoreTx&)>;
  struct Member {
    const Body* body;
    Result<void> result = {};
    bool done = false;  // GUARDED_BY(WriteQueue::mutex_)
    std::condition_variable wake;
  };
  // Runs every member's body in one transaction and sets each member's result. Called by one
  // leader at a time.
  using CommitGroup = std::function<void(const std::vector<Member*>& group)>;

  explicit WriteQueue(std::size_t max_group = 64) : max_group_(max_group) {}

  // Returns once `body` has committed (alone or with others) or failed.
  Result<void> Run(const Body& body, const CommitGroup& commit);

  // Commits (groups), writes (bodies) by result, and the commit latency histogram, labelled
  // with the engine's name (sqlite, postgres).
  void WriteMetrics(PrometheusText& out, std::string_view engine) const;

 private:
  const std::size_t max_group_;
  std::mutex mutex_;
  std::deque<Member*> queue_;  // GUARDED_BY(mutex_); the front one commits next
  LatencyHistogram commit_latency_;
  ShardedCounter writes_ok_, writes_failed_;
};

}  // namespace openalb
