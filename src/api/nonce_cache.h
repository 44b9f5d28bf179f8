// NonceCache: remembers each (AccessKeyId, SignatureNonce) pair for as long as a request
// carrying it could still pass the timestamp check, so a replayed request is refused.
// Memory is bounded: past `max_entries` live entries new requests are refused (the
// caller answers ServiceUnavailable) rather than forgetting nonces early.
// Thread-safe: sharded, one mutex per shard.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace openalb {

class NonceCache {
 public:
  enum class Outcome { kFresh, kReused, kFull };
  using TimePoint = std::chrono::system_clock::time_point;

  explicit NonceCache(size_t max_entries) : max_per_shard_(max_entries / kShards + 1) {}

  // Records the pair until `expires_at`. kReused if it is already recorded and unexpired.
  Outcome Record(std::string_view access_key_id, std::string_view nonce, TimePoint now,
                 TimePoint expires_at);

  size_t SizeForTesting();

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, TimePoint> expiry;  // GUARDED_BY(mutex)
    size_t sweep_at = 1024;                             // GUARDED_BY(mutex)
  };
  static void Sweep(Shard& shard, TimePoint now);

  size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace openalb
