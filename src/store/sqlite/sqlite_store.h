// SqliteStore: the Store on an embedded SQLite file, the default a new user gets.
// Thread-safe: one connection for writes and one for read transactions, each serialised by
// its own mutex, so a reader never waits for a writer's fsync (WAL lets them overlap).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite/sqlite_database.h"
#include "store/store.h"

namespace openalb {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file and migrates it to the newest schema.
  static Result<std::unique_ptr<SqliteStore>> Create(const std::string& path);

  Result<void> CreateAccount(const Account& account) override;
  Result<std::vector<Account>> ListAccounts() override;
  Result<void> CreateAccessKey(const AccessKey& key) override;
  Result<std::vector<AccessKey>> ListAccessKeys() override;
  Result<bool> DeleteAccessKey(std::string_view access_key_id) override;
  Result<bool> SetAccessKeyActive(std::string_view access_key_id, bool active) override;
  Result<std::uint64_t> ExternalChangeCounter() override;
  Result<void> Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) override;

 private:
  SqliteStore(std::unique_ptr<SqliteDatabase> db, std::unique_ptr<SqliteDatabase> reader)
      : db_(std::move(db)), reader_(std::move(reader)) {}

  std::mutex mutex_;
  std::unique_ptr<SqliteDatabase> db_;  // GUARDED_BY(mutex_)
  std::mutex reader_mutex_;
  std::unique_ptr<SqliteDatabase> reader_;  // GUARDED_BY(reader_mutex_)
};

}  // namespace openalb
