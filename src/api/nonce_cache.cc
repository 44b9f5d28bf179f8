#include "api/nonce_cache.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace openalb {
namespace {

std::int64_t Seconds(NonceCache::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

NonceCache::NonceCache(size_t max_entries) : max_entries_(std::max<size_t>(max_entries, 4)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  crypto_shorthash_keygen(hash_key_.data());
}

std::uint64_t NonceCache::Hash(std::string_view nonce) const {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size(),
                   hash_key_.data());
  std::uint64_t hash = 0;
  std::memcpy(&hash, out, sizeof hash);
  return hash == 0 ? 1 : hash;  // 0 marks an empty slot
}

NonceCache::KeyTable& NonceCache::TableFor(std::string_view access_key_id) {
  {
    std::shared_lock lock(tables_mutex_);
    if (auto it = tables_.find(access_key_id); it != tables_.end()) return *it->second;
  }
  std::unique_lock lock(tables_mutex_);
  auto [it, inserted] = tables_.try_emplace(std::string(access_key_id));
  if (inserted) {
    it->second = std::make_unique<KeyTable>();
    it->second->slots.resize(kInitialSlots);
  }
  return *it->second;
}

void NonceCache::Rebuild(KeyTable& table, std::int64_t drop_through_s) {
  size_t live = 0;
  for (const auto& slot : table.slots) {
    if (slot.hash != 0 && slot.expires_s > drop_through_s) ++live;
  }
  size_t size = std::max(kInitialSlots, std::bit_ceil((live + 1) * 3));
  std::vector<Slot> fresh(size);
  const size_t mask = size - 1;
  for (const auto& slot : table.slots) {
    if (slot.hash == 0 || slot.expires_s <= drop_through_s) continue;
    size_t i = slot.hash & mask;
    while (fresh[i].hash != 0) i = (i + 1) & mask;
    fresh[i] = slot;
  }
  table.slots = std::move(fresh);
  total_.fetch_sub(table.occupied - live);
  table.occupied = live;
  table.held.store(live);
}

void NonceCache::ForgetOldest(KeyTable& table, size_t count, std::int64_t now_s) {
  if (count == 0) return;
  std::vector<std::int64_t> expiries;
  expiries.reserve(table.occupied);
  for (const auto& slot : table.slots) {
    if (slot.hash != 0 && slot.expires_s > now_s) expiries.push_back(slot.expires_s);
  }
  if (expiries.empty()) return Rebuild(table, now_s);
  auto last_forgotten =
      expiries.begin() + static_cast<std::ptrdiff_t>(std::min(count, expiries.size()) - 1);
  std::nth_element(expiries.begin(), last_forgotten, expiries.end());
  table.floor_s = std::max(table.floor_s, *last_forgotten);
  Rebuild(table, std::max(now_s, table.floor_s));
}

void NonceCache::Reclaim(std::int64_t now_s) {
  std::unique_lock reclaiming(reclaim_mutex_, std::try_to_lock);
  if (!reclaiming.owns_lock()) return;  // another thread is at it; the cap is soft meanwhile
  if (total_.load() < max_entries_) return;

  std::vector<KeyTable*> tables;
  {
    std::shared_lock lock(tables_mutex_);
    tables.reserve(tables_.size());
    for (auto& [id, table] : tables_) tables.push_back(table.get());
  }
  for (KeyTable* table : tables) {
    std::lock_guard lock(table->mutex);
    Rebuild(*table, now_s);
  }
  const size_t target = max_entries_ - max_entries_ / 4;
  const size_t total = total_.load();
  if (total <= target) return;

  // Water-filling: the k heaviest keys come down to one level L, chosen so that together
  // they give up what is over the target; every other key keeps all it holds.
  const size_t excess = total - target;
  std::vector<std::pair<size_t, KeyTable*>> by_size;
  by_size.reserve(tables.size());
  for (KeyTable* table : tables) by_size.emplace_back(table->held.load(), table);
  std::sort(by_size.begin(), by_size.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  size_t k = 0, top_sum = 0, level = 0;
  bool found = false;
  while (k < by_size.size() && !found) {
    top_sum += by_size[k].first;
    ++k;
    const size_t next = k < by_size.size() ? by_size[k].first : 0;
    if (top_sum - k * next >= excess) {
      level = (top_sum - excess) / k;
      found = true;
    }
  }
  // The sizes were read while other threads record: if they no longer add up to the excess,
  // trim nobody now (the cap is soft) rather than everyone to nothing.
  if (!found) return;
  for (size_t i = 0; i < k; ++i) {
    KeyTable& table = *by_size[i].second;
    std::lock_guard lock(table.mutex);
    if (table.occupied > level) ForgetOldest(table, table.occupied - level, now_s);
  }
}

NonceCache::Outcome NonceCache::Record(std::string_view access_key_id, std::string_view nonce,
                                       TimePoint now, TimePoint expires_at) {
  const std::uint64_t hash = Hash(nonce);
  const std::int64_t now_s = Seconds(now);
  // Round up, so an entry is never forgotten before `expires_at`.
  const std::int64_t expires_s =
      Seconds(expires_at + std::chrono::seconds(1) - std::chrono::nanoseconds(1));
  KeyTable& table = TableFor(access_key_id);
  if (total_.load() >= max_entries_) Reclaim(now_s);

  std::lock_guard lock(table.mutex);
  if (expires_s <= table.floor_s) return Outcome::kTooOld;
  std::uint64_t probes = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const size_t mask = table.slots.size() - 1;
    size_t i = hash & mask;
    ++probes;
    while (table.slots[i].hash != 0 && table.slots[i].hash != hash) {
      i = (i + 1) & mask;
      ++probes;
    }
    Slot& slot = table.slots[i];
    if (slot.hash == hash) {
      probes_.fetch_add(probes, std::memory_order_relaxed);
      if (slot.expires_s > now_s) return Outcome::kReused;
      slot.expires_s = expires_s;
      return Outcome::kFresh;
    }
    if ((table.occupied + 1) * 2 <= table.slots.size()) {
      probes_.fetch_add(probes, std::memory_order_relaxed);
      slot = {hash, expires_s};
      ++table.occupied;
      table.held.store(table.occupied);
      total_.fetch_add(1);
      return Outcome::kFresh;
    }
    // Half full: drop what has expired, growing if need be; then there is room.
    Rebuild(table, now_s);
  }
  return Outcome::kTooOld;  // not reached: the second probe finds room
}

size_t NonceCache::LiveEntriesForTesting(TimePoint now) {
  size_t live = 0;
  const std::int64_t now_s = Seconds(now);
  std::shared_lock tables_lock(tables_mutex_);
  for (auto& [id, table] : tables_) {
    std::lock_guard lock(table->mutex);
    for (const auto& slot : table->slots) live += slot.hash != 0 && slot.expires_s > now_s;
  }
  return live;
}

size_t NonceCache::SlotsForTesting() {
  size_t slots = 0;
  std::shared_lock tables_lock(tables_mutex_);
  for (auto& [id, table] : tables_) {
    std::lock_guard lock(table->mutex);
    slots += table->slots.size();
  }
  return slots;
}

}  // namespace openalb
