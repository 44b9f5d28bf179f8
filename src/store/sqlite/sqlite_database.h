// SqliteDatabase: the SqlConnection of the SQLite engine — a thin RAII wrapper over one
// sqlite3 connection with a cache of prepared statements, every error an ApiError.
// Not thread-safe: callers serialise access to one connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/api_error.h"
#include "store/sql/sql_connection.h"

namespace openalb {

class SqliteStatement final : public SqlStatementImpl {
 public:
  // With `in_use`, the statement belongs to its database's cache: destruction resets it
  // for reuse and clears the flag instead of finalizing it.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use = nullptr)
      : db_(db), stmt_(stmt), in_use_(in_use) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() override;

  void Bind(int index, std::string_view text) override;
  void Bind(int index, std::int64_t value) override;
  void BindBlob(int index, std::string_view bytes) override;
  Result<bool> Step() override;
  std::string ColumnText(int index) const override;
  std::int64_t ColumnInt(int index) const override;
  bool ColumnIsNull(int index) const override;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
};

class SqliteDatabase final : public SqlConnection {
 public:
  // Opens (creating if needed) with WAL, synchronous=FULL, foreign keys on and a busy timeout.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);
  ~SqliteDatabase() override;

  Result<void> Exec(std::string_view sql) override;
  // Prepared statements are cached by their SQL text (at most kMaxCachedStatements), so
  // the hot queries are compiled once per connection. A statement still in use when the
  // same SQL is prepared again is compiled afresh for that use.
  Result<SqlStatement> Prepare(std::string_view sql) override;
  int Changes() override { return sqlite3_changes(db_); }

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  static constexpr size_t kMaxCachedStatements = 256;

  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> cache_;
};

}  // namespace openalb
