#include "store/sqlite/sqlite_migrations.h"

#include <array>
#include <string>

namespace openalb {
namespace {

constexpr std::array<const char*, 1> kMigrations = {
    // 1: accounts and their access keys.
    R"sql(
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY CHECK (length(account_id) = 16),
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  account_id    TEXT NOT NULL REFERENCES accounts(account_id),
  secret        TEXT NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at    TEXT NOT NULL
);
CREATE INDEX access_keys_by_account ON access_keys(account_id);
)sql",
};

}  // namespace

int LatestSqliteSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<void> MigrateSqlite(SqliteDatabase& db) {
  auto stmt = db.Prepare("PRAGMA user_version");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  int version = static_cast<int>(stmt->ColumnInt(0));
  if (version > LatestSqliteSchemaVersion()) {
    return Fail(StoreError("database schema version " + std::to_string(version) +
                           " is newer than this binary supports (" +
                           std::to_string(LatestSqliteSchemaVersion()) + ")"));
  }
  for (int next = version + 1; next <= LatestSqliteSchemaVersion(); ++next) {
    std::string sql = "BEGIN IMMEDIATE;";
    sql += kMigrations[static_cast<size_t>(next - 1)];
    sql += "PRAGMA user_version=" + std::to_string(next) + "; COMMIT;";
    if (auto r = db.Exec(sql); !r) {
      (void)db.Exec("ROLLBACK");
      return r;
    }
  }
  return {};
}

}  // namespace openalb
