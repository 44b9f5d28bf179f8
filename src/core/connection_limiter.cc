#include "core/connection_limiter.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace openalb {

ConnectionLimiter::Slot::Slot(Slot&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), id_(std::exchange(other.id_, 0)) {}

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

ConnectionLimiter::Slot::~Slot() { Release(); }

void ConnectionLimiter::Slot::Release() {
  if (limiter_ != nullptr) std::exchange(limiter_, nullptr)->Release(id_);
}

void ConnectionLimiter::Slot::Track(std::weak_ptr<Reclaimable> connection) {
  if (limiter_ == nullptr) return;
  std::lock_guard lock(limiter_->mutex_);
  if (auto it = limiter_->entries_.find(id_); it != limiter_->entries_.end()) {
    it->second.connection = std::move(connection);
  }
}

void ConnectionLimiter::Slot::Idle() {
  if (limiter_ != nullptr) limiter_->SetIdle(id_, true);
}

void ConnectionLimiter::Slot::Busy() {
  if (limiter_ != nullptr) limiter_->SetIdle(id_, false);
}

ConnectionLimiter::ConnectionLimiter(std::size_t max_in_all, std::size_t max_per_client)
    : max_in_all_(max_in_all), max_per_client_(max_per_client) {}

ConnectionLimiter::Verdict ConnectionLimiter::Admit(const std::string& client, Slot& slot) {
  std::vector<std::weak_ptr<Reclaimable>> to_close;
  std::uint64_t id;
  {
    std::lock_guard lock(mutex_);
    if (max_in_all_ != 0 && entries_.size() >= max_in_all_) {
      if (idle_.empty()) return Verdict::kTooManyInAll;
      to_close.push_back(Forget(idle_.front()));
    }
    if (max_per_client_ != 0) {
      auto count = by_client_.find(client);
      if (count != by_client_.end() && count->second >= max_per_client_) {
        auto oldest = std::find_if(idle_.begin(), idle_.end(), [&](std::uint64_t idle_id) {
          return entries_.at(idle_id).client == client;
        });
        if (oldest == idle_.end()) return Verdict::kTooManyFromClient;
        to_close.push_back(Forget(*oldest));
      }
    }
    id = next_id_++;
    entries_.emplace(id, Entry{.client = client});
    ++by_client_[client];
  }
  // Outside the lock: closing may end a session, whose slot then takes the lock.
  for (auto& weak : to_close) {
    if (auto connection = weak.lock()) connection->Reclaim();
  }
  slot = Slot(this, id);  // a place `slot` held before is given back here
  return Verdict::kAdmitted;
}

std::weak_ptr<Reclaimable> ConnectionLimiter::Forget(std::uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return {};
  Entry& entry = it->second;
  if (entry.idle) idle_.erase(entry.idle_at);
  auto count = by_client_.find(entry.client);
  if (count != by_client_.end() && --count->second == 0) by_client_.erase(count);
  auto connection = std::move(entry.connection);
  entries_.erase(it);
  return connection;
}

void ConnectionLimiter::Release(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  Forget(id);  // already forgotten if it was reclaimed
}

void ConnectionLimiter::SetIdle(std::uint64_t id, bool idle) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.idle == idle) return;
  Entry& entry = it->second;
  entry.idle = idle;
  if (idle) {
    entry.idle_at = idle_.insert(idle_.end(), id);
  } else {
    idle_.erase(entry.idle_at);
  }
}

std::size_t ConnectionLimiter::Open() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t ConnectionLimiter::Idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

std::size_t ConnectionLimiter::OpenForTesting(const std::string& client) {
  std::lock_guard lock(mutex_);
  auto it = by_client_.find(client);
  return it == by_client_.end() ? 0 : it->second;
}

}  // namespace openalb
