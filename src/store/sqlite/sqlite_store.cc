#include "store/sqlite/sqlite_store.h"

#include <thread>

#include "store/sql/account_statements.h"
#include "store/sql/node_statements.h"
#include "store/sql/sql_tx.h"
#include "store/sqlite/sqlite_migrations.h"

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
  SqlTx tx(db, kSqliteDialect);
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
  return writes_.Run(body, [this](const std::vector<WriteQueue::Member*>& group) {
    std::lock_guard lock(mutex_);
    CommitGroup(group);
  });
}

void SqliteStore::CommitGroup(const std::vector<WriteQueue::Member*>& group) {
  if (group.size() == 1) {
    group.front()->result = RunInTransaction(*db_, "BEGIN IMMEDIATE", *group.front()->body);
    return;
  }
  if (auto begun = db_->Exec("BEGIN IMMEDIATE"); !begun) {
    for (auto* member : group) member->result = begun;
    return;
  }
  SqlTx tx(*db_, kSqliteDialect);
  for (auto* member : group) member->result = tx.Nested(*member->body);
  auto committed = db_->Exec("COMMIT");
  if (committed) return;
  (void)db_->Exec("ROLLBACK");
  for (auto* member : group) {
    if (member->result) member->result = committed;  // nothing of the group was kept
  }
}

Result<void> SqliteStore::CreateAccount(const Account& account) {
  std::lock_guard lock(mutex_);
  return account_statements::InsertAccount(*db_, account);
}

Result<std::vector<Account>> SqliteStore::ListAccounts() {
  std::lock_guard lock(mutex_);
  return account_statements::ListAccounts(*db_, kSqliteDialect);
}

Result<void> SqliteStore::CreateAccessKey(const AccessKey& key) {
  std::lock_guard lock(mutex_);
  return account_statements::InsertAccessKey(*db_, key);
}

Result<std::vector<AccessKey>> SqliteStore::ListAccessKeys() {
  std::lock_guard lock(mutex_);
  return account_statements::ListAccessKeys(*db_, kSqliteDialect);
}

Result<bool> SqliteStore::DeleteAccessKey(std::string_view access_key_id) {
  std::lock_guard lock(mutex_);
  return account_statements::DeleteAccessKey(*db_, access_key_id);
}

Result<bool> SqliteStore::SetAccessKeyActive(std::string_view access_key_id, bool active) {
  std::lock_guard lock(mutex_);
  return account_statements::SetAccessKeyActive(*db_, access_key_id, active);
}

Result<bool> SqliteStore::ReplaceAccessKeySecret(std::string_view access_key_id,
                                                 std::string_view secret) {
  std::lock_guard lock(mutex_);
  return account_statements::ReplaceAccessKeySecret(*db_, access_key_id, secret);
}

Result<void> SqliteStore::RecordNode(const NodeRecord& node) {
  std::lock_guard lock(mutex_);
  return node_statements::RecordNode(*db_, node);
}

Result<std::vector<NodeRecord>> SqliteStore::ListNodes() {
  std::lock_guard lock(mutex_);
  return node_statements::ListNodes(*db_);
}

Result<int> SqliteStore::ForgetNodes(std::int64_t before_ms) {
  std::lock_guard lock(mutex_);
  return node_statements::ForgetNodes(*db_, before_ms);
}

Result<unsigned> SqliteStore::WaitForChange(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(timeout);  // no other server process shares the file
  return 0u;
}

Result<void> SqliteStore::ScrubOverwritten() {
  std::lock_guard lock(mutex_);
  return db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
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
