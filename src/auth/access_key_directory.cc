#include "auth/access_key_directory.h"

#include <spdlog/spdlog.h>

#include "auth/access_key_secrets.h"

namespace openalb {

Result<void> AccessKeyDirectory::Load() {
  std::lock_guard lock(reload_mutex_);
  return Reload();
}

Result<std::map<std::pair<std::string, std::string>, std::shared_ptr<const UserPolicies>>>
AccessKeyDirectory::LoadUserPolicies() {
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const UserPolicies>> out;
  auto loaded = store_.Transact(TxMode::kRead, [&](StoreTx& tx) -> Result<void> {
    auto users = tx.ListUsers("");
    if (!users) return Fail(users.error());
    auto documents = tx.ListPolicies("");
    if (!documents) return Fail(documents.error());
    auto attachments = tx.ListPolicyAttachments("");
    if (!attachments) return Fail(attachments.error());
    std::map<std::pair<std::string, std::string>, const StoredPolicy*> by_name;
    for (const auto& p : *documents) by_name[{p.account_id, p.policy_name}] = &p;
    std::map<std::pair<std::string, std::string>, UserPolicies> building;
    for (const auto& u : *users) building[{u.account_id, u.user_name}];
    for (const auto& a : *attachments) {
      UserPolicies& user = building[{a.account_id, a.user_name}];
      auto document = by_name.find({a.account_id, a.policy_name});
      auto parsed = document == by_name.end() ? Result<RamPolicy>(Fail(ApiError{}))
                                              : RamPolicy::Parse(document->second->document);
      if (!parsed) {
        user.unusable = true;
        continue;
      }
      user.policies.push_back({a.policy_name, std::move(*parsed)});
    }
    for (auto& [who, policies] : building) {
      out.emplace(who, std::make_shared<const UserPolicies>(std::move(policies)));
    }
    return {};
  });
  if (!loaded) return Fail(loaded.error());
  return out;
}

Result<void> AccessKeyDirectory::Reload() {
  auto counter = store_.ExternalChangeCounter();
  if (!counter) return Fail(counter.error());
  auto keys = store_.ListAccessKeys();
  if (!keys) return Fail(keys.error());
  auto users = LoadUserPolicies();
  if (!users) return Fail(users.error());
  auto map = std::make_shared<Map>();
  for (auto& key : *keys) {
    std::shared_ptr<const UserPolicies> policies;
    if (!key.user_name.empty()) {
      auto it = users->find({key.account_id, key.user_name});
      // A key whose user is gone is refused like a deleted key.
      if (it == users->end()) continue;
      policies = it->second;
    }
    auto secret = OpenAccessKeySecret(box_, key.access_key_id, key.secret);
    if (!secret) {
      // Refused like a deleted key; the rest keep working.
      spdlog::error("event=access_key_unusable access_key_id={} detail=\"{}\"", key.access_key_id,
                    secret.error().internal);
      continue;
    }
    map->emplace(std::move(key.access_key_id),
                 KeyRecord{std::move(key.account_id), std::move(*secret), key.active,
                           std::move(key.user_name), std::move(policies)});
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
    if (now - last_miss_reload_ < kMissReloadInterval) {
      // Reloaded a moment ago: again only if another process has committed since (a key
      // the CLI just created), so a stream of unknown keys cannot force reloads.
      auto counter = store_.ExternalChangeCounter();
      if (!counter || *counter == seen_change_counter_) return std::nullopt;
    }
    last_miss_reload_ = now;
    if (!Reload()) return std::nullopt;
  }
  return lookup();
}

}  // namespace openalb
