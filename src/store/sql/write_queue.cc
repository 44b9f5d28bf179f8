#include "store/sql/write_queue.h"

#include <algorithm>
#include <chrono>

namespace openalb {

Result<void> WriteQueue::Run(const Body& body, const CommitGroup& commit) {
  Member self{&body};
  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (self.done) return std::move(self.result);  // a leader committed it with its group
  // This writer leads: everyone queued now commits with it.
  std::vector<Member*> group(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                  queue_.size(), max_group_)));
  lock.unlock();
  const auto started = std::chrono::steady_clock::now();
  commit(group);
  commit_latency_.Observe(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started));
  for (const Member* member : group) (member->result ? writes_ok_ : writes_failed_).Add();
  lock.lock();
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(group.size()));
  for (Member* member : group) {
    if (member == &self) continue;
    member->done = true;
    member->wake.notify_one();
  }
  if (!queue_.empty()) queue_.front()->wake.notify_one();
  return std::move(self.result);
}

void WriteQueue::WriteMetrics(PrometheusText& out, std::string_view engine) const {
  out.Family("openalb_store_writes_total", "counter",
             "Write transactions of the store, by result (ok, failed: undone).");
  out.Sample("openalb_store_writes_total", {{"engine", engine}, {"result", "ok"}},
             static_cast<double>(writes_ok_.Sum()));
  out.Sample("openalb_store_writes_total", {{"engine", engine}, {"result", "failed"}},
             static_cast<double>(writes_failed_.Sum()));
  out.Family("openalb_store_commit_duration_seconds", "histogram",
             "Each group commit of write transactions: their bodies, COMMIT and its fsync.");
  out.Histogram("openalb_store_commit_duration_seconds", {{"engine", engine}},
                commit_latency_.Read());
}

}  // namespace openalb
