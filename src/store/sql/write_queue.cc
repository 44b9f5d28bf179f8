#include "store/sql/write_queue.h"

#include <algorithm>

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
  commit(group);
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

}  // namespace openalb
