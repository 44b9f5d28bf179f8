// The engine-neutral face of one database connection: prepared statements with positional
// `?` parameters, rows read as text or integers. The SQL of every resource (store/sql/*_tx.cc)
// is written once against this, and each engine — SQLite (store/sqlite/) and PostgreSQL
// (store/postgres/) — implements it; what the engines disagree on lives in SqlDialect.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/api_error.h"

namespace openalb {

// A store failure as an ApiError: "InternalError" to the client, the engine's own words in
// `internal` only.
ApiError StoreError(std::string_view what);
// The database cannot be reached: "ServiceUnavailable" (503) to the client, so it retries,
// instead of a hang or an InternalError.
ApiError StoreUnavailable(std::string_view what);
// Whether `error` is a store's failure (either kind) rather than a domain rule's answer.
bool IsStoreFailure(const ApiError& error);

// What one engine's prepared statement does. Parameters and columns count as the engine's
// own API does: parameters from 1, columns from 0.
class SqlStatementImpl {
 public:
  virtual ~SqlStatementImpl() = default;
  virtual void Bind(int index, std::string_view text) = 0;
  virtual void Bind(int index, std::int64_t value) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual Result<bool> Step() = 0;
  // Runs to completion, ignoring rows. An engine may send it without waiting for the answer
  // (PostgreSQL inside a write transaction): a failure then surfaces at the connection's next
  // statement that reads an answer, at Changes() or at SqlConnection::Sync().
  virtual Result<void> Run() {
    while (true) {
      auto row = Step();
      if (!row) return Fail(row.error());
      if (!*row) return {};
    }
  }
  // Text or blob bytes; empty for NULL.
  virtual std::string ColumnText(int index) const = 0;
  virtual std::int64_t ColumnInt(int index) const = 0;
  virtual bool ColumnIsNull(int index) const = 0;
};

// A prepared statement, whichever engine prepared it. Move-only.
class SqlStatement {
 public:
  explicit SqlStatement(std::unique_ptr<SqlStatementImpl> impl) : impl_(std::move(impl)) {}

  SqlStatement& Bind(int index, std::string_view text) {
    impl_->Bind(index, text);
    return *this;
  }
  SqlStatement& Bind(int index, std::int64_t value) {
    impl_->Bind(index, value);
    return *this;
  }
  SqlStatement& BindBlob(int index, std::string_view bytes) {
    impl_->BindBlob(index, bytes);
    return *this;
  }
  // Advances one row: true if a row is available, false when done.
  Result<bool> Step() { return impl_->Step(); }
  // Runs to completion, ignoring rows (see SqlStatementImpl::Run).
  Result<void> Run() { return impl_->Run(); }
  std::string ColumnText(int index) const { return impl_->ColumnText(index); }
  std::int64_t ColumnInt(int index) const { return impl_->ColumnInt(index); }
  bool ColumnIsNull(int index) const { return impl_->ColumnIsNull(index); }

 private:
  std::unique_ptr<SqlStatementImpl> impl_;
};

// One connection. Not thread-safe: callers serialise access to it.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs one or more statements without parameters.
  virtual Result<void> Exec(std::string_view sql) = 0;
  virtual Result<SqlStatement> Prepare(std::string_view sql) = 0;
  // Rows the last INSERT/UPDATE/DELETE changed.
  virtual int Changes() = 0;
  // Waits for every statement sent without waiting (SqlStatementImpl::Run) and returns the
  // first failure among them; nothing to do for an engine that always waits.
  virtual Result<void> Sync() { return {}; }
};

// Where the engines' SQL differs, as data rather than as a second copy of the statements.
struct SqlDialect {
  // Appended to the due-jobs query so concurrent workers never claim the same job.
  std::string_view claim_rows;
  // A column that orders rows of tables without `seq` (accounts, keys) by insertion.
  std::string_view insertion_order;
};

inline constexpr SqlDialect kSqliteDialect{"", "rowid"};
inline constexpr SqlDialect kPostgresDialect{" FOR UPDATE SKIP LOCKED", "seq"};

}  // namespace openalb
