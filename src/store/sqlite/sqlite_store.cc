#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_tx.h"

namespace openalb {

Result<std::unique_ptr<SqliteStore>> SqliteStore::Create(const std::string& path) {
  auto db = SqliteDatabase::Open(path);
  if (!db) return Fail(db.error());
  if (auto r = MigrateSqlite(**db); !r) return Fail(r.error());
  auto reader = SqliteDatabase::Open(path);
  if (!reader) return Fail(reader.error());
  if (auto r = (*reader)->Exec("PRAGMA query_only=ON"); !r) return Fail(r.error());
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), std::move(*reader)));
}

namespace {

Result<void> RunInTransaction(SqliteDatabase& db, std::string_view begin,
                              const std::function<Result<void>(StoreTx&)>& body) {
  if (auto r = db.Exec(begin); !r) return r;
  SqliteTx tx(db);
  auto result = body(tx);
  if (result) result = db.Exec("COMMIT");
  if (!result) (void)db.Exec("ROLLBACK");
  return result;
}

}  // namespace

Result<void> SqliteStore::Transact(TxMode mode, const std::function<Result<void>(StoreTx&)>& body) {
  if (mode == TxMode::kRead) {
    std::lock_guard lock(reader_mutex_);
    return RunInTransaction(*reader_, "BEGIN", body);
  }
  std::lock_guard lock(mutex_);
  return RunInTransaction(*db_, "BEGIN IMMEDIATE", body);
}

Result<void> SqliteStore::CreateAccount(const Account& account) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare("INSERT INTO accounts(account_id, name, created_at) VALUES (?, ?, ?)");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, account.account_id).Bind(2, account.name).Bind(3, account.created_at);
  return stmt->Run();
}

Result<std::vector<Account>> SqliteStore::ListAccounts() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare("SELECT account_id, name, created_at FROM accounts ORDER BY rowid");
  if (!stmt) return Fail(stmt.error());
  std::vector<Account> out;
  while (true) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    out.push_back({stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2)});
  }
  return out;
}

Result<void> SqliteStore::CreateAccessKey(const AccessKey& key) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare(
      "INSERT INTO access_keys(access_key_id, account_id, secret, active, created_at) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, key.access_key_id)
      .Bind(2, key.account_id)
      .Bind(3, key.secret)
      .Bind(4, std::int64_t{key.active ? 1 : 0})
      .Bind(5, key.created_at);
  return stmt->Run();
}

Result<std::vector<AccessKey>> SqliteStore::ListAccessKeys() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare(
      "SELECT access_key_id, account_id, secret, active, created_at FROM access_keys "
      "ORDER BY account_id, rowid");
  if (!stmt) return Fail(stmt.error());
  std::vector<AccessKey> out;
  while (true) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    out.push_back({stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2),
                   stmt->ColumnInt(3) != 0, stmt->ColumnText(4)});
  }
  return out;
}

Result<bool> SqliteStore::DeleteAccessKey(std::string_view access_key_id) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare("DELETE FROM access_keys WHERE access_key_id = ?");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, access_key_id);
  if (auto r = stmt->Run(); !r) return Fail(r.error());
  return db_->Changes() > 0;
}

Result<bool> SqliteStore::SetAccessKeyActive(std::string_view access_key_id, bool active) {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare("UPDATE access_keys SET active = ? WHERE access_key_id = ?");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, std::int64_t{active ? 1 : 0}).Bind(2, access_key_id);
  if (auto r = stmt->Run(); !r) return Fail(r.error());
  return db_->Changes() > 0;
}

Result<std::uint64_t> SqliteStore::ExternalChangeCounter() {
  std::lock_guard lock(mutex_);
  auto stmt = db_->Prepare("PRAGMA data_version");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  return static_cast<std::uint64_t>(stmt->ColumnInt(0));
}

}  // namespace openalb
