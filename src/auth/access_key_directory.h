// AccessKeyDirectory: the access keys the API accepts and whom each belongs to — an
// account's root, or a RAM user with the policies attached to it, parsed — held as an
// immutable in-memory snapshot so the request path never touches the database. It reloads
// from the Store when another process (the `openalb keys|users|policies` CLI) has committed
// a change, and on a lookup miss (at most every kMissReloadInterval unless another process
// committed since the last reload) so a new key works at once.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/ram_policy.h"
#include "core/api_error.h"
#include "core/secret_box.h"
#include "store/store.h"

namespace openalb {

struct KeyRecord {
  std::string account_id;
  std::string secret;
  bool active = true;
  std::string user_name;                         // empty: the account's root
  std::shared_ptr<const UserPolicies> policies;  // set for a RAM user's key
};

class AccessKeyDirectory {
 public:
  static constexpr std::chrono::milliseconds kMissReloadInterval{200};

  // Secrets are stored sealed; `box` opens them into the snapshot.
  AccessKeyDirectory(Store& store, const SecretBox& box) : store_(store), box_(box) {}

  // Loads the first snapshot. Call once before serving.
  Result<void> Load();
  // Reloads if the store reports an external change. Thread-safe; cheap when nothing changed.
  Result<void> RefreshIfChanged();
  // Thread-safe, lock-free on a hit.
  std::optional<KeyRecord> Find(std::string_view access_key_id);

 private:
  using Map = std::unordered_map<std::string, KeyRecord>;
  Result<void> Reload();
  // (account, user) → that user's policies, for every user with a key.
  Result<std::map<std::pair<std::string, std::string>, std::shared_ptr<const UserPolicies>>>
  LoadUserPolicies();

  Store& store_;
  const SecretBox& box_;
  std::atomic<std::shared_ptr<const Map>> snapshot_{std::make_shared<const Map>()};
  std::mutex reload_mutex_;
  std::uint64_t seen_change_counter_ = 0;                     // GUARDED_BY(reload_mutex_)
  std::chrono::steady_clock::time_point last_miss_reload_{};  // GUARDED_BY(reload_mutex_)
};

}  // namespace openalb
