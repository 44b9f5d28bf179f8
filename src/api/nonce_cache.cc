#include "api/nonce_cache.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <string>

namespace openalb {
namespace {

std::int64_t Seconds(NonceCache::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

NonceCache::NonceCache(size_t max_entries) : max_per_shard_(max_entries / kShards + 1) {
  for (auto& shard : shards_) shard.slots.resize(kInitialSlots);
}

void NonceCache::Rebuild(Shard& shard, std::int64_t drop_through_s) {
  size_t live = 0;
  for (const auto& slot : shard.slots) {
    if (slot.key != 0 && slot.expires_s > drop_through_s) ++live;
  }
  size_t size = std::max(kInitialSlots, std::bit_ceil((live + 1) * 3));
  std::vector<Slot> fresh(size);
  const size_t mask = size - 1;
  for (const auto& slot : shard.slots) {
    if (slot.key == 0 || slot.expires_s <= drop_through_s) continue;
    size_t i = slot.key & mask;
    while (fresh[i].key != 0) i = (i + 1) & mask;
    fresh[i] = slot;
  }
  shard.slots = std::move(fresh);
  shard.occupied = live;
}

void NonceCache::ForgetOldest(Shard& shard, std::int64_t now_s) {
  std::vector<std::int64_t> expiries;
  expiries.reserve(shard.occupied);
  for (const auto& slot : shard.slots) {
    if (slot.key != 0 && slot.expires_s > now_s) expiries.push_back(slot.expires_s);
  }
  if (expiries.empty()) return Rebuild(shard, now_s);
  auto quarter = expiries.begin() + static_cast<std::ptrdiff_t>(expiries.size() / 4);
  std::nth_element(expiries.begin(), quarter, expiries.end());
  shard.floor_s = std::max(shard.floor_s, *quarter);
  Rebuild(shard, std::max(now_s, shard.floor_s));
}

NonceCache::Outcome NonceCache::Record(std::string_view access_key_id, std::string_view nonce,
                                       TimePoint now, TimePoint expires_at) {
  std::string joined;
  joined.reserve(access_key_id.size() + 1 + nonce.size());
  joined.append(access_key_id).push_back('\n');
  joined.append(nonce);
  std::uint64_t key = std::hash<std::string>{}(joined);
  if (key == 0) key = 1;  // 0 marks an empty slot
  const std::int64_t now_s = Seconds(now);
  // Round up, so an entry is never forgotten before `expires_at`.
  const std::int64_t expires_s =
      Seconds(expires_at + std::chrono::seconds(1) - std::chrono::nanoseconds(1));
  Shard& shard = shards_[(key >> 59) % kShards];
  std::lock_guard lock(shard.mutex);
  if (expires_s <= shard.floor_s) return Outcome::kTooOld;

  for (int attempt = 0; attempt < 2; ++attempt) {
    const size_t mask = shard.slots.size() - 1;
    size_t i = key & mask;
    while (shard.slots[i].key != 0 && shard.slots[i].key != key) i = (i + 1) & mask;
    Slot& slot = shard.slots[i];
    if (slot.key == key) {
      if (slot.expires_s > now_s) return Outcome::kReused;
      slot.expires_s = expires_s;
      return Outcome::kFresh;
    }
    if (shard.occupied < max_per_shard_ && (shard.occupied + 1) * 2 <= shard.slots.size()) {
      slot = {key, expires_s};
      ++shard.occupied;
      return Outcome::kFresh;
    }
    // Half full: drop what has expired, growing if need be. Still at the cap after that:
    // forget the oldest quarter. Either way there is room when probing again.
    Rebuild(shard, now_s);
    if (shard.occupied >= max_per_shard_) {
      ForgetOldest(shard, now_s);
      if (expires_s <= shard.floor_s) return Outcome::kTooOld;
    }
  }
  return Outcome::kTooOld;  // not reached: the second probe finds room
}

size_t NonceCache::LiveEntriesForTesting(TimePoint now) {
  size_t live = 0;
  const std::int64_t now_s = Seconds(now);
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const auto& slot : shard.slots) live += slot.key != 0 && slot.expires_s > now_s;
  }
  return live;
}

}  // namespace openalb

namespace openalb {

size_t NonceCache::SlotsForTesting() {
  size_t slots = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    slots += shard.slots.size();
  }
  return slots;
}

}  // namespace openalb
