// NonceCache: remembers each (AccessKeyId, SignatureNonce) pair for as long as a request
// carrying it could still pass the timestamp check, so a replayed request is refused.
//
// Each AccessKey has a table of its own, with its own floor, so no caller can change whether
// another's request is accepted. Memory is bounded by `max_entries` across all keys: when
// they reach it, expired entries are dropped everywhere and, if that is not enough, the
// heaviest keys — and only they — forget their entries that expire first, down to a common
// level (max-min fairness: a key holding less than that level loses nothing). A key that
// forgot entries raises its floor to the latest expiry it forgot and from then on refuses
// its own requests expiring no later (kTooOld; the caller answers InvalidTimeStamp.Expired),
// so a replay of a forgotten nonce is still refused; under a flood the flooding key's replay
// window narrows, nobody else's.
//
// Nonces are held as 64-bit SipHash-2-4 values under a key drawn at start (libsodium's
// crypto_shorthash), with an expiry second, in flat open-addressing tables (16 bytes a slot,
// at most half full). The hash key is secret, so nobody can choose nonces that collide and
// turn a lookup into a long probe. A false "reused" needs a collision with a live nonce of
// the same AccessKey: about one in 10^12 requests at ten million live entries. Thread-safe:
// a shared lock on the key map, one mutex per key.
#pragma once

#include <sodium.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace openalb {

class NonceCache {
 public:
  enum class Outcome { kFresh, kReused, kTooOld };
  using TimePoint = std::chrono::system_clock::time_point;

  explicit NonceCache(size_t max_entries);

  // Records the pair until `expires_at`. kReused if it is already recorded and unexpired;
  // kTooOld if `expires_at` is not after the floor of entries this key forgot at the cap.
  Outcome Record(std::string_view access_key_id, std::string_view nonce, TimePoint now,
                 TimePoint expires_at);

  // Live (unexpired) entries at `now`, and slots allocated (the memory held, 16 bytes each).
  size_t LiveEntriesForTesting(TimePoint now);
  size_t SlotsForTesting();
  // Table slots looked at by Record so far: what a hash flood would inflate.
  std::uint64_t ProbesForTesting() const { return probes_.load(); }

 private:
  static constexpr size_t kInitialSlots = 64;  // per key; a power of two

  struct Slot {
    std::uint64_t hash = 0;      // 0 marks an empty slot
    std::int64_t expires_s = 0;  // seconds since the epoch
  };
  struct KeyTable {
    std::mutex mutex;
    std::vector<Slot> slots;      // GUARDED_BY(mutex); size is a power of two
    size_t occupied = 0;          // GUARDED_BY(mutex); live or expired, not empty
    std::int64_t floor_s = 0;     // GUARDED_BY(mutex); expiries up to this are refused
    std::atomic<size_t> held{0};  // == occupied, readable without the mutex
  };

  KeyTable& TableFor(std::string_view access_key_id);
  std::uint64_t Hash(std::string_view nonce) const;
  // Drops entries expiring at or before `drop_through_s`, resizing so the rest fill a sixth
  // to a third of the table. REQUIRES: table.mutex held.
  void Rebuild(KeyTable& table, std::int64_t drop_through_s);
  // At the cap: drops expired entries of every key, then trims the heaviest keys to a
  // common level until a quarter of the cap is free. Takes each key's mutex in turn; the
  // caller holds none.
  void Reclaim(std::int64_t now_s);
  // Forgets the `count` entries of `table` that expire first and raises its floor.
  // REQUIRES: table.mutex held.
  void ForgetOldest(KeyTable& table, size_t count, std::int64_t now_s);

  const size_t max_entries_;
  std::array<unsigned char, crypto_shorthash_KEYBYTES> hash_key_{};
  std::atomic<size_t> total_{0};  // entries held across keys
  std::atomic<std::uint64_t> probes_{0};
  std::mutex reclaim_mutex_;  // one Reclaim at a time
  std::shared_mutex tables_mutex_;
  std::map<std::string, std::unique_ptr<KeyTable>, std::less<>> tables_;  // GUARDED_BY
};

}  // namespace openalb
