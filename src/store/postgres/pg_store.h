// PgStore: the Store on PostgreSQL, which any number of openalb nodes share. A small pool
// of connections, opened as needed and replaced when the server goes away (a failed call
// answers StoreUnavailable, 503, and the next call reconnects: no restart after an outage).
// Write transactions serialise on one advisory lock, as SQLite's BEGIN IMMEDIATE does, so
// the domain's check-then-write holds across nodes, and commit in groups as SQLite's do (one
// fsync for the writers that queued meanwhile); reads run in REPEATABLE READ snapshots.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/sql/write_queue.h"
#include "store/store.h"

namespace openalb {

class PgStore final : public Store {
 public:
  void WriteMetrics(PrometheusText& out) const override { writes_.WriteMetrics(out, "postgres"); }
  // Connects, migrates to the newest schema, and keeps up to `max_connections` open. A
  // database that cannot be reached yet is not an error: calls answer StoreUnavailable, and
  // the first connection that succeeds migrates.
  static Result<std::unique_ptr<PgStore>> Create(const std::string& url, int max_connections = 8);

  Result<void> CreateAccount(const Account& account) override;
  Result<std::vector<Account>> ListAccounts() override;
  Result<void> CreateAccessKey(const AccessKey& key) override;
  Result<std::vector<AccessKey>> ListAccessKeys() override;
  Result<bool> DeleteAccessKey(std::string_view access_key_id) override;
  Result<bool> SetAccessKeyActive(std::string_view access_key_id, bool active) override;
  Result<bool> ReplaceAccessKeySecret(std::string_view access_key_id,
                                      std::string_view secret) override;
  // VACUUM of the keys table, so a replaced secret's old row version is reclaimed.
  Result<void> ScrubOverwritten() override;
  Result<std::uint64_t> ExternalChangeCounter() override;
  // Each notifies the job workers (one waiting for this node's progress wakes).
  Result<void> RecordNode(const NodeRecord& node) override;
  Result<std::vector<NodeRecord>> ListNodes() override;
  Result<int> ForgetNodes(std::int64_t before_ms) override;
  // LISTEN on a connection of its own, on two channels: a write transaction that changed the
  // configuration notifies data planes, one that inserted a job notifies workers, as it
  // commits. Notifications this process sent itself are not reported: it wakes its own worker
  // and follower directly. After a reconnect the answer is every kind: a notification may
  // have been missed.
  Result<unsigned> WaitForChange(std::chrono::milliseconds timeout) override;
  Result<void> Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) override;

  const std::string& url() const { return url_; }

 private:
  // A connection on loan from the pool; returned on destruction unless it broke.
  class Lease;

  PgStore(std::string url, int max_connections)
      : url_(std::move(url)), max_connections_(max_connections) {}
  Result<Lease> Borrow();
  // Commits a group of queued writers in one transaction (see store/sql/write_queue.h).
  void CommitGroup(const std::vector<WriteQueue::Member*>& group);
  Result<void> EnsureMigrated(PgConnection& connection);
  void Return(std::unique_ptr<PgConnection> connection);

  // Runs `call` on a pooled connection.
  template <typename T, typename Call>
  Result<T> WithConnection(Call&& call);

  const std::string url_;
  const int max_connections_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // GUARDED_BY(mutex_)
  int open_ = 0;                                     // GUARDED_BY(mutex_)
  // The server processes behind this pool's connections: what they announce, this process
  // has already told its own worker and follower in memory (see WaitForChange).
  std::vector<int> own_backends_;  // GUARDED_BY(mutex_)
  WriteQueue writes_;
  std::mutex migrate_mutex_;
  std::atomic<bool> migrated_{false};
  std::mutex listen_mutex_;
  std::unique_ptr<PgConnection> listener_;  // GUARDED_BY(listen_mutex_)
};

}  // namespace openalb
