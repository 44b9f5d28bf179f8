// SqliteStore: the Store on an embedded SQLite file, the default a new user gets.
// Thread-safe: one connection, serialised by a mutex (reads are short; writes are durable
// commits with synchronous=FULL).
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

 private:
  explicit SqliteStore(std::unique_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

  std::mutex mutex_;
  std::unique_ptr<SqliteDatabase> db_;  // GUARDED_BY(mutex_)
};

}  // namespace openalb
