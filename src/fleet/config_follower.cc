#include "fleet/config_follower.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "alb/served_listeners.h"
#include "fleet/served_snapshot_file.h"

namespace openalb {

std::int64_t ConfigFollower::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
      .count();
}

ConfigFollower::ConfigFollower(Store& store, DataPlane& data_plane, const Clock& clock,
                               FollowerOptions options)
    : store_(store),
      data_plane_(data_plane),
      clock_(clock),
      options_(std::move(options)),
      record_(options_.node) {
  if (!options_.snapshot_path.empty()) snapshot_thread_ = std::thread([this] { WriteSnapshots(); });
}

void ConfigFollower::Apply(std::int64_t version, const std::vector<ListenerConfig>& configs,
                           const std::vector<std::string>& removed, bool whole) {
  std::set<std::string, std::less<>> present;
  bool served_changed = false;  // the file on disk is rewritten only then
  for (const auto& config : configs) {
    present.insert(config.listener_id);
    auto before = applied_.find(config.listener_id);
    if (before != applied_.end() && before->second == config) {
      failing_.erase(config.listener_id);  // serving what the store says (a failed change undone)
      continue;                            // the snapshot stays
    }
    if (auto r = data_plane_.Apply(config); !r) {
      // This listener keeps serving what it served; the others go on.
      failing_[config.listener_id] = {version, r.error().code + ": " + r.error().message};
      spdlog::warn("event=listener_not_applied listener_id={} version={} code={} detail=\"{}\"",
                   config.listener_id, version, r.error().code, r.error().message);
      continue;
    }
    applied_[config.listener_id] = config;
    failing_.erase(config.listener_id);
    served_changed = true;
  }
  std::vector<std::string> gone = removed;
  if (whole) {  // everything not in the snapshot goes
    for (const auto& [id, config] : applied_) {
      if (!present.contains(id)) gone.push_back(id);
    }
    std::erase_if(failing_, [&](const auto& entry) { return !present.contains(entry.first); });
  }
  for (const auto& id : gone) {
    if (present.contains(id)) continue;
    data_plane_.Remove(id);
    applied_.erase(id);
    failing_.erase(id);
    served_changed = true;
  }
  RecordFailures();
  record_.applied_version = version;
  applied_version_ = version;
  ready_ = true;
  if (served_changed && !options_.snapshot_path.empty()) {
    ServedSnapshot snapshot{.version = version, .listeners = {}};
    for (const auto& [id, config] : applied_) snapshot.listeners.push_back(config);
    {
      std::lock_guard lock(snapshot_mutex_);
      pending_snapshot_ = std::move(snapshot);  // a newer one replaces one not yet written
    }
    snapshot_wake_.notify_one();
  }
}

void ConfigFollower::WriteSnapshots() {
  std::unique_lock lock(snapshot_mutex_);
  while (true) {
    snapshot_wake_.wait(lock, [this] { return pending_snapshot_ || snapshot_stopping_; });
    if (!pending_snapshot_) return;  // stopping, everything written
    ServedSnapshot snapshot = std::move(*pending_snapshot_);
    pending_snapshot_.reset();
    lock.unlock();
    if (auto r = WriteServedSnapshot(options_.snapshot_path, snapshot); !r) {
      spdlog::warn("event=snapshot_not_written detail=\"{}\"", r.error().internal);
    }
    lock.lock();
  }
}

void ConfigFollower::RecordFailures() {
  record_.apply_error.clear();
  record_.error_listener_id.clear();
  record_.error_version = 0;
  for (const auto& [id, failure] : failing_) {
    if (!record_.error_listener_id.empty()) record_.error_listener_id += ',';
    record_.error_listener_id += id;
    if (failure.version >= record_.error_version) {
      record_.error_version = failure.version;
      record_.apply_error = failure.reason;
    }
  }
}

Result<void> ConfigFollower::SyncOnce() {
  struct Read {
    std::int64_t version = 0;
    bool whole = false;
    std::vector<ListenerConfig> configs;
    std::vector<std::string> removed;
  };
  const std::int64_t known = applied_version_.load();
  const bool whole = known < 0 || NowMs() - last_whole_ms_ >= kWholeReadEveryMs;
  auto read = InTransaction<Read>(store_, TxMode::kRead, [&](StoreTx& tx) -> Result<Read> {
    auto version = tx.ConfigVersion();
    if (!version) return Fail(version.error());
    Read out{.version = *version, .whole = whole, .configs = {}, .removed = {}};
    if (*version == known && !whole) return out;  // nothing new: one row read
    auto jobs = tx.PublishedJobs();
    if (!jobs) return Fail(jobs.error());
    const PublishedJobs published(std::move(*jobs));
    if (whole) {
      auto configs = AllServedListeners(tx, published);
      if (!configs) return Fail(configs.error());
      out.configs = std::move(*configs);
      return out;
    }
    // Only the listeners the versions since `known` changed, all in this one snapshot.
    auto changed = tx.ServedChanges(known, *version);
    if (!changed) return Fail(changed.error());
    for (const auto& [account_id, listener_id] : *changed) {
      auto config = ServedListenerById(tx, account_id, listener_id, published);
      if (!config) return Fail(config.error());
      if (*config) {
        out.configs.push_back(std::move(**config));
      } else {
        out.removed.push_back(listener_id);
      }
    }
    return out;
  });
  if (!read) return Fail(read.error());
  if (read->whole) last_whole_ms_ = NowMs();
  if (read->version != known || read->whole) {
    Apply(read->version, read->configs, read->removed, read->whole);
    spdlog::debug("event=config_applied node_id={} version={} listeners={} whole={}",
                  record_.node_id, read->version, read->configs.size() + read->removed.size(),
                  read->whole);
    if (auto r = Heartbeat(); !r) return r;  // announce the new version at once
    if (on_recorded_) on_recorded_();
    return {};
  }
  if (NowMs() - last_record_ms_ >= options_.lease_ms / 4) return Heartbeat();
  return {};
}

Result<void> ConfigFollower::Heartbeat() {
  record_.heartbeat_ms = NowMs();
  if (auto r = store_.RecordNode(record_); !r) return r;
  last_record_ms_ = record_.heartbeat_ms;
  return {};
}

Result<void> ConfigFollower::ServeSnapshotFile() {
  auto snapshot = ReadServedSnapshot(options_.snapshot_path);
  if (!snapshot) return Fail(snapshot.error());
  // From disk, not from the store: serve it, but claim no version (none was confirmed).
  Apply(snapshot->version, snapshot->listeners, {}, true);
  applied_version_ = -1;
  record_.applied_version = 0;
  spdlog::warn("event=serving_snapshot_file version={} listeners={}", snapshot->version,
               snapshot->listeners.size());
  return {};
}

void ConfigFollower::Start(std::int64_t give_up_ms) {
  const std::int64_t deadline = NowMs() + give_up_ms;
  while (true) {
    auto synced = SyncOnce();
    if (synced) break;
    if (NowMs() >= deadline) {
      spdlog::warn("event=store_unreachable_at_start detail=\"{}\"", synced.error().internal);
      if (!options_.snapshot_path.empty()) (void)ServeSnapshotFile();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  data_plane_.ConfirmCurrentUntil(std::chrono::steady_clock::now() +
                                  std::chrono::milliseconds(options_.lease_ms));
  thread_ = std::thread([this] { Loop(); });
  vouch_thread_ = std::thread([this] { Vouch(); });
}

void ConfigFollower::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();  // Loop and Vouch share the variable
}

void ConfigFollower::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (vouch_thread_.joinable()) vouch_thread_.join();
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_stopping_ = true;  // the writer writes what is pending first
  }
  snapshot_wake_.notify_one();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

void ConfigFollower::Loop() {
  bool reported = false;  // one log line per outage, not one per poll
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto pause =
          std::chrono::milliseconds(std::min(options_.poll_ms, options_.lease_ms / 4));
      wake_.wait_for(lock, pause, [this] { return woken_ || stopping_; });
      if (stopping_) return;
      woken_ = false;
    }
    const bool resuming = resuming_.load();
    auto synced = SyncOnce();
    if (resuming) {
      // Looked for a newer version (or the store is away, and serving the last one is right):
      // connections are admitted again.
      resuming_ = false;
      data_plane_.ConfirmCurrentUntil(std::chrono::steady_clock::now() +
                                      std::chrono::milliseconds(options_.lease_ms));
    }
    if (!synced && !reported) {
      spdlog::warn("event=config_sync_failed detail=\"{}\"", synced.error().internal);
    } else if (synced && reported) {
      spdlog::info("event=config_sync_recovered version={}", applied_version_.load());
    }
    reported = !synced;
  }
}

void ConfigFollower::Vouch() {
  const auto lease = std::chrono::milliseconds(options_.lease_ms);
  auto last = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, lease / 4, [this] { return stopping_; });
      if (stopping_) return;
    }
    const auto now = std::chrono::steady_clock::now();
    // This thread only sleeps: a gap longer than the lease means the process was stopped, and
    // other nodes may have gone on without it. New connections wait (the gate, already past
    // its time, stays shut) until the follower has looked for a newer version.
    if (now - last > lease) {
      spdlog::warn("event=node_resumed gap_ms={}",
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - last).count());
      resuming_ = true;
      Wake();
    } else if (!resuming_.load()) {
      data_plane_.ConfirmCurrentUntil(now + lease);
    }
    last = now;
  }
}

}  // namespace openalb
