#include "fleet/change_feed.h"

#include <chrono>

namespace openalb {

void ChangeFeed::Start() {
  thread_ = std::thread([this] {
    while (!stopping_.load()) {
      auto changed = store_.WaitForChange(std::chrono::milliseconds(500));
      // A failure (the store away) may have hidden a change: subscribers look again, and
      // their own polling covers the rest.
      if (!changed || *changed) {
        for (const auto& wake : subscribers_) wake();
      }
    }
  });
}

void ChangeFeed::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace openalb
