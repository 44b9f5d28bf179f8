// SqliteStore: the Store on an embedded SQLite file, the default a new user gets.
// Thread-safe: one connection for writes and one for read transactions, each serialised by
// its own mutex, so a reader never waits for a writer's fsync (WAL lets them overlap).
// Write transactions commit in groups (store/sql/write_queue.h): one fsync for all the
// writers that queued while the previous commit was in progress.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sql/write_queue.h"
#include "store/sqlite/sqlite_database.h"
#include "store/store.h"

namespace openalb {

class SqliteStore final : public Store {
 public:
  void WriteMetrics(PrometheusText& out) const override { writes_.WriteMetrics(out, "sqlite"); }
  // Opens or creates the database file and migrates it to the newest schema.
  static Result<std::unique_ptr<SqliteStore>> Create(const std::string& path);

  Result<void> CreateAccount(const Account& account) override;
  Result<std::vector<Account>> ListAccounts() override;
  Result<void> CreateAccessKey(const AccessKey& key) override;
  Result<std::vector<AccessKey>> ListAccessKeys() override;
  Result<bool> DeleteAccessKey(std::string_view access_key_id) override;
  Result<bool> SetAccessKeyActive(std::string_view access_key_id, bool active) override;
  Result<bool> ReplaceAccessKeySecret(std::string_view access_key_id,
                                      std::string_view secret) override;
  Result<void> ScrubOverwritten() override;
  Result<void> RecordNode(const NodeRecord& node) override;
  Result<std::vector<NodeRecord>> ListNodes() override;
  Result<int> ForgetNodes(std::int64_t before_ms) override;
  Result<unsigned> WaitForChange(std::chrono::milliseconds timeout) override;
  Result<std::uint64_t> ExternalChangeCounter() override;
  Result<void> Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) override;

 private:
  // Runs the group in one transaction and sets each member's result. REQUIRES: mutex_ held.
  void CommitGroup(const std::vector<WriteQueue::Member*>& group);

  SqliteStore(std::unique_ptr<SqliteDatabase> db, std::unique_ptr<SqliteDatabase> reader)
      : db_(std::move(db)), reader_(std::move(reader)) {}

  std::mutex mutex_;
  std::unique_ptr<SqliteDatabase> db_;  // GUARDED_BY(mutex_)
  std::mutex reader_mutex_;
  std::unique_ptr<SqliteDatabase> reader_;  // GUARDED_BY(reader_mutex_)
  WriteQueue writes_;
};

}  // namespace openalb
