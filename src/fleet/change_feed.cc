#include "fleet/change_feed.h"

#include <chrono>

namespace openalb {

void ChangeFeed::Start() {
  thread_ = std::thread([this] {
    while (!stopping_.load()) {
      auto changed = store_.WaitForChange(std::chrono::milliseconds(500));
      // A failure (the store away) may have hidden a change: subscribers look again, and
      // their own polling covers the rest.
      const unsigned kinds = changed ? *changed : change_kind::kAll;
      for (const auto& subscriber : subscribers_) {
        if ((subscriber.kinds & kinds) != 0) subscriber.wake();
      }
    }
  });
}

void ChangeFeed::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace openalb
