// NonceCache: remembers each (AccessKeyId, SignatureNonce) pair for as long as a request
// carrying it could still pass the timestamp check, so a replayed request is refused.
// Memory is bounded by `max_entries`. At the cap a shard forgets its oldest quarter of entries
// (those with the earliest expiry) and raises its floor: from then on it refuses any request
// whose expiry is not after the floor (kTooOld; the caller answers InvalidTimeStamp.Expired).
// A replay of a forgotten nonce is therefore still refused, and under overload the replay
// window narrows from 15 minutes to what the cap covers instead of refusing everyone.
//
// Pairs are held as 64-bit hashes with an expiry second, in flat open-addressing tables
// (16 bytes a slot, at most half full), so a lookup touches one cache line and allocates
// nothing. A false "reused" needs a hash collision with a live nonce: about one in 10^12
// requests at ten million live entries. Thread-safe: sharded, one mutex per shard.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace openalb {

class NonceCache {
 public:
  enum class Outcome { kFresh, kReused, kTooOld };
  using TimePoint = std::chrono::system_clock::time_point;

  explicit NonceCache(size_t max_entries);

  // Records the pair until `expires_at`. kReused if it is already recorded and unexpired;
  // kTooOld if `expires_at` is not after the floor of entries forgotten at the cap.
  Outcome Record(std::string_view access_key_id, std::string_view nonce, TimePoint now,
                 TimePoint expires_at);

  // Live (unexpired) entries at `now`, and slots allocated (the memory held, 16 bytes each).
  size_t LiveEntriesForTesting(TimePoint now);
  size_t SlotsForTesting();

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kInitialSlots = 1024;  // per shard; a power of two

  struct Slot {
    std::uint64_t key = 0;       // 0 marks an empty slot
    std::int64_t expires_s = 0;  // seconds since the epoch
  };
  struct Shard {
    std::mutex mutex;
    std::vector<Slot> slots;   // GUARDED_BY(mutex); size is a power of two
    size_t occupied = 0;       // GUARDED_BY(mutex); live or expired, not empty
    std::int64_t floor_s = 0;  // GUARDED_BY(mutex); expiries up to this are refused
  };

  // Drops entries expiring at or before `drop_through_s`, resizing so the rest fill a sixth
  // to a third of the table. REQUIRES: shard.mutex held.
  void Rebuild(Shard& shard, std::int64_t drop_through_s);
  // At the cap: forgets the quarter of entries that expire first and raises the floor to
  // the latest expiry forgotten. REQUIRES: shard.mutex held.
  void ForgetOldest(Shard& shard, std::int64_t now_s);

  size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace openalb
