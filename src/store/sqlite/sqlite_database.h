// SqliteDatabase: a thin RAII wrapper over one sqlite3 connection with prepared
// statements, so the SQL of the store stays readable and every error becomes an ApiError.
// Not thread-safe: callers serialise access to one connection.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/api_error.h"

namespace openalb {

ApiError StoreError(std::string_view what);

class SqliteStatement {
 public:
  // With `in_use`, the statement belongs to its database's cache: destruction resets it
  // for reuse and clears the flag instead of finalizing it.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use = nullptr)
      : db_(db), stmt_(stmt), in_use_(in_use) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite.
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& Bind(int index, std::int64_t value);
  SqliteStatement& BindBlob(int index, std::string_view bytes);

  // Advances one row: true if a row is available, false when done.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Result<void> Run();

  // Text or blob bytes.
  std::string ColumnText(int index) const;
  std::int64_t ColumnInt(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
};

class SqliteDatabase {
 public:
  // Opens (creating if needed) with WAL, synchronous=FULL, foreign keys on and a busy timeout.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);
  ~SqliteDatabase();

  Result<void> Exec(std::string_view sql);
  // Prepared statements are cached by their SQL text (at most kMaxCachedStatements), so
  // the hot queries are compiled once per connection. A statement still in use when the
  // same SQL is prepared again is compiled afresh for that use.
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Number of rows the last INSERT/UPDATE/DELETE changed.
  int Changes() const { return sqlite3_changes(db_); }

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
