// ConfigFollower: how a data-plane node on a shared store serves what the store says. It
// follows the configuration version: woken by the store's change feed (LISTEN/NOTIFY) and
// polling as the safety net, it reads the version and, in the same snapshot, the listeners the
// versions since its own changed (the worker notes them; every listener at start and every
// 30 s), applies what changed (a listener whose config is unchanged is not touched; a new
// certificate's TLS context is built, so a key that cannot load fails here, on this node),
// and only then records the version as applied — with the failing listeners and reason if one
// could not be applied, which keeps serving its previous configuration (until the worker
// undoes the change everywhere). Published jobs' changes are served ahead of their rows
// (alb/served_listeners.h). A heartbeat goes with
// every record and at least every lease / 4.
// A process stopped longer than the lease (SIGSTOP, a frozen VM) may have been passed over by
// job workers: on resuming, its listeners admit no new connection until it has looked for a
// newer version.
// While the store is unreachable nothing changes: the node keeps serving its last applied
// configuration, and keeps a copy of it on disk (fleet/served_snapshot_file, written by a
// thread of its own whenever what is served changed) so that a restart during the outage
// serves it too.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "dataplane/data_plane.h"
#include "fleet/served_snapshot_file.h"
#include "store/store.h"

namespace openalb {

struct FollowerOptions {
  NodeRecord node;               // id, roles, listener address, started_ms
  std::int64_t lease_ms = 5000;  // heartbeats at least every lease / 4
  std::int64_t poll_ms = 1000;   // the safety net under the change feed
  std::string snapshot_path;     // where the last applied configuration is kept; "" = none
};

class ConfigFollower {
 public:
  ConfigFollower(Store& store, DataPlane& data_plane, const Clock& clock, FollowerOptions options);
  ~ConfigFollower() { Stop(); }
  ConfigFollower(const ConfigFollower&) = delete;
  ConfigFollower& operator=(const ConfigFollower&) = delete;

  // Applies the store's current version if it is newer than the applied one; records the
  // node either way. Fails (serving what it served) when the store cannot be read.
  Result<void> SyncOnce();
  // Serves the configuration kept on disk, for a start while the store is unreachable.
  Result<void> ServeSnapshotFile();

  // Syncs until it succeeds once (or `give_up_ms` passes, then serves the snapshot file),
  // then follows on a thread.
  void Start(std::int64_t give_up_ms);
  void Stop();
  // Look now (the change feed saw something). Thread-safe.
  void Wake();
  // Called after the node recorded a newly applied version: this process's own job worker
  // looks at once. Set before Start.
  void OnRecorded(std::function<void()> recorded) { on_recorded_ = std::move(recorded); }

  // True once a version has been applied (from the store or the snapshot file).
  bool ready() const { return ready_.load(); }
  std::int64_t applied_version() const { return applied_version_.load(); }

 private:
  void Loop();
  // Keeps the data plane's admission gate open while this process runs without a stop
  // longer than the lease (see DataPlane::ConfirmCurrentUntil).
  void Vouch();
  std::int64_t NowMs() const;
  Result<void> Heartbeat();
  // Serves `configs` (those unchanged are not touched) and stops serving `removed`; with
  // `whole`, `configs` is everything and any other listener goes too.
  void Apply(std::int64_t version, const std::vector<ListenerConfig>& configs,
             const std::vector<std::string>& removed, bool whole);
  // Puts failing_ into record_: every failing listener (comma-separated), the newest version
  // one failed at, and that failure's reason.
  void RecordFailures();

  Store& store_;
  DataPlane& data_plane_;
  const Clock& clock_;
  FollowerOptions options_;
  NodeRecord record_;  // only the follower's thread (or Start, before it) touches it
  std::map<std::string, ListenerConfig, std::less<>> applied_;
  // Listeners this node could not serve as the store says, until it can (or the change is
  // undone): a later version that does not touch them must not hide the failure.
  struct Failure {
    std::int64_t version = 0;
    std::string reason;
  };
  std::map<std::string, Failure, std::less<>> failing_;
  std::atomic<std::int64_t> applied_version_{-1};
  std::atomic<bool> ready_{false};
  std::int64_t last_record_ms_ = 0;
  std::int64_t last_whole_ms_ = 0;
  // Every so often a node re-reads every served listener (the net under the per-version
  // notes, which only the job worker writes).
  static constexpr std::int64_t kWholeReadEveryMs = 30'000;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;     // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::atomic<bool> resuming_{false};
  std::thread thread_;
  std::thread vouch_thread_;

  // The served-config file is written off the apply path (its fsync would delay every
  // acknowledgement): the newest pending snapshot, by a thread of its own.
  void WriteSnapshots();
  std::mutex snapshot_mutex_;
  std::condition_variable snapshot_wake_;
  std::optional<ServedSnapshot> pending_snapshot_;  // GUARDED_BY(snapshot_mutex_)
  bool snapshot_stopping_ = false;                  // GUARDED_BY(snapshot_mutex_)
  std::thread snapshot_thread_;
  std::function<void()> on_recorded_;
};

}  // namespace openalb
