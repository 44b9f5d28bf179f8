// ChangeFeed: the one subscription a node holds on the store's change announcements
// (Store::WaitForChange, LISTEN/NOTIFY on PostgreSQL), fanned out in memory to whoever must
// look again — the node's config follower (new versions) and job worker (new jobs, nodes'
// progress). One connection per node, however
// many threads want to know (APISIX's per-worker watches grew as nodes × workers).
#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "store/store.h"

namespace openalb {

class ChangeFeed {
 public:
  struct Subscriber {
    unsigned kinds;  // change_kind bits it wants to hear of
    std::function<void()> wake;
  };
  ChangeFeed(Store& store, std::vector<Subscriber> subscribers)
      : store_(store), subscribers_(std::move(subscribers)) {}
  ~ChangeFeed() { Stop(); }
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  void Start();
  // Returns within the feed's wait (half a second).
  void Stop();

 private:
  Store& store_;
  std::vector<Subscriber> subscribers_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace openalb
