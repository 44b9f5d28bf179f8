#include "auth/access_key_directory.h"

namespace openalb {

Result<void> AccessKeyDirectory::Load() {
  std::lock_guard lock(reload_mutex_);
  return Reload();
}

Result<void> AccessKeyDirectory::Reload() {
  auto counter = store_.ExternalChangeCounter();
  if (!counter) return Fail(counter.error());
  auto keys = store_.ListAccessKeys();
  if (!keys) return Fail(keys.error());
  auto map = std::make_shared<Map>();
  for (auto& key : *keys) {
    map->emplace(std::move(key.access_key_id),
                 KeyRecord{std::move(key.account_id), std::move(key.secret), key.active});
  }
  snapshot_.store(std::move(map));
  seen_change_counter_ = *counter;
  return {};
}

Result<void> AccessKeyDirectory::RefreshIfChanged() {
  std::lock_guard lock(reload_mutex_);
  auto counter = store_.ExternalChangeCounter();
  if (!counter) return Fail(counter.error());
  if (*counter == seen_change_counter_) return {};
  return Reload();
}

std::optional<KeyRecord> AccessKeyDirectory::Find(std::string_view access_key_id) {
  auto lookup = [&]() -> std::optional<KeyRecord> {
    auto snapshot = snapshot_.load();
    auto it = snapshot->find(std::string(access_key_id));
    if (it == snapshot->end()) return std::nullopt;
    return it->second;
  };
  if (auto hit = lookup()) return hit;
  {
    std::lock_guard lock(reload_mutex_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_miss_reload_ < kMissReloadInterval) return std::nullopt;
    last_miss_reload_ = now;
    if (!Reload()) return std::nullopt;
  }
  return lookup();
}

}  // namespace openalb
