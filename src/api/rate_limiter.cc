#include "api/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace openalb {

RateLimiter::RateLimiter(double rate_per_second, double burst)
    : rate_(std::max(0.0, rate_per_second)), burst_(std::max(1.0, burst)) {}

bool RateLimiter::Allow(std::string_view key, std::chrono::system_clock::time_point now) {
  if (!enabled()) return true;
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto [it, created] = shard.buckets.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!created && now > bucket.last) {
    const double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
    bucket.last = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

}  // namespace openalb
