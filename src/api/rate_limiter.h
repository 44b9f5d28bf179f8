// RateLimiter: requests per second per AccessKey, a token bucket each (`rate` tokens a
// second, at most `burst` saved up), as ALB's flow control answers Throttling.User. Only
// authenticated keys get a bucket, so memory is bounded by the keys that exist. Sharded by
// key hash with a mutex per shard; a rate of 0 turns it off. Time is the caller's clock (the
// endpoint's injected one); a step back gives no tokens back.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace openalb {

class RateLimiter {
 public:
  RateLimiter(double rate_per_second, double burst);

  bool enabled() const { return rate_ > 0; }
  // Takes one token from `key`'s bucket; false when it is empty.
  bool Allow(std::string_view key, std::chrono::system_clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::system_clock::time_point last;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;  // GUARDED_BY(mutex)
  };
  static constexpr size_t kShards = 16;

  double rate_;
  double burst_;
  std::array<Shard, kShards> shards_;
};

}  // namespace openalb
