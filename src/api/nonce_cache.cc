#include "api/nonce_cache.h"

#include <algorithm>
#include <functional>

namespace openalb {

void NonceCache::Sweep(Shard& shard, TimePoint now) {
  std::erase_if(shard.expiry, [now](const auto& entry) { return entry.second <= now; });
  // Amortised O(1): the next sweep waits until the live set has doubled.
  shard.sweep_at = std::max<size_t>(1024, shard.expiry.size() * 2);
}

NonceCache::Outcome NonceCache::Record(std::string_view access_key_id, std::string_view nonce,
                                       TimePoint now, TimePoint expires_at) {
  std::string key;
  key.reserve(access_key_id.size() + 1 + nonce.size());
  key.append(access_key_id).push_back('\n');
  key.append(nonce);
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.expiry.find(key);
  if (it != shard.expiry.end()) {
    if (it->second > now) return Outcome::kReused;
    it->second = expires_at;
    return Outcome::kFresh;
  }
  if (shard.expiry.size() >= shard.sweep_at || shard.expiry.size() >= max_per_shard_) {
    Sweep(shard, now);
    if (shard.expiry.size() >= max_per_shard_) return Outcome::kFull;
  }
  shard.expiry.emplace(std::move(key), expires_at);
  return Outcome::kFresh;
}

size_t NonceCache::SizeForTesting() {
  size_t total = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.expiry.size();
  }
  return total;
}

}  // namespace openalb
