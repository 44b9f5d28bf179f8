// AccessKeyDirectory: the access keys the API accepts, held as an immutable in-memory
// snapshot so the request path never touches the database. It reloads from the Store
// when another process (e.g. `openalb keys delete`) has committed a change, and on a
// lookup miss (at most every kMissReloadInterval) so a new key works at once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/api_error.h"
#include "store/store.h"

namespace openalb {

struct KeyRecord {
  std::string account_id;
  std::string secret;
  bool active = true;
};

class AccessKeyDirectory {
 public:
  static constexpr std::chrono::milliseconds kMissReloadInterval{200};

  explicit AccessKeyDirectory(Store& store) : store_(store) {}

  // Loads the first snapshot. Call once before serving.
  Result<void> Load();
  // Reloads if the store reports an external change. Thread-safe; cheap when nothing changed.
  Result<void> RefreshIfChanged();
  // Thread-safe, lock-free on a hit.
  std::optional<KeyRecord> Find(std::string_view access_key_id);

 private:
  using Map = std::unordered_map<std::string, KeyRecord>;
  Result<void> Reload();

  Store& store_;
  std::atomic<std::shared_ptr<const Map>> snapshot_{std::make_shared<const Map>()};
  std::mutex reload_mutex_;
  std::uint64_t seen_change_counter_ = 0;                     // GUARDED_BY(reload_mutex_)
  std::chrono::steady_clock::time_point last_miss_reload_{};  // GUARDED_BY(reload_mutex_)
};

}  // namespace openalb
