#include "store/sqlite/sqlite_database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace openalb {

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), in_use_(other.in_use_) {
  other.stmt_ = nullptr;
  other.in_use_ = nullptr;
}

SqliteStatement::~SqliteStatement() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

void SqliteStatement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void SqliteStatement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(StoreError(sqlite3_errmsg(db_)));
}

std::string SqliteStatement::ColumnText(int index) const {
  auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

std::int64_t SqliteStatement::ColumnInt(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

bool SqliteStatement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

namespace {

// The database file exists with mode 0600 before SQLite opens it: SQLite gives its WAL and
// shared-memory files the database's mode, so all three are private to the server's user
// whatever the umask. An existing file readable by others is narrowed. An existing file is
// never opened here: closing any descriptor of a file drops every POSIX lock this process
// holds on it, including those of a SQLite connection already open on it.
Result<void> MakePrivateFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 0077) != 0 && ::chmod(path.c_str(), 0600) != 0) {
      return Fail(StoreError("chmod 600 " + path + ": " + std::strerror(errno)));
    }
    return {};
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    return Fail(StoreError("create " + path + ": " + std::strerror(errno)));
  }
  if (fd >= 0) ::close(fd);
  return {};
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  if (path != ":memory:" && !path.empty()) {
    if (auto r = MakePrivateFile(path); !r) return Fail(r.error());
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(raw));
  if (rc != SQLITE_OK) {
    return Fail(StoreError("open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory")));
  }
  sqlite3_busy_timeout(raw, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (auto r = db->Exec(pragma); !r) return Fail(r.error());
  }
  return db;
}

SqliteDatabase::~SqliteDatabase() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached->stmt);
  sqlite3_close_v2(db_);
}

Result<void> SqliteDatabase::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Fail(StoreError(message));
  }
  return {};
}

Result<SqlStatement> SqliteDatabase::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end() && !it->second->in_use) {
    it->second->in_use = true;
    return SqlStatement(
        std::make_unique<SqliteStatement>(db_, it->second->stmt, &it->second->in_use));
  }
  sqlite3_stmt* stmt = nullptr;
  if (it == cache_.end() && cache_.size() < kMaxCachedStatements) {
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return Fail(StoreError(sqlite3_errmsg(db_)));
    }
    auto& cached = cache_[std::string(sql)];
    cached = std::make_unique<CachedStatement>(CachedStatement{stmt, true});
    return SqlStatement(std::make_unique<SqliteStatement>(db_, stmt, &cached->in_use));
  }
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return Fail(StoreError(sqlite3_errmsg(db_)));
  }
  return SqlStatement(std::make_unique<SqliteStatement>(db_, stmt));
}

}  // namespace openalb
