// PgConnection: the SqlConnection of the PostgreSQL engine, over one libpq connection.
// Statements keep the shared SQL's `?` parameters; each text is rewritten to `$n` and
// prepared on the server once per connection. A lost connection fails the statement with
// StoreUnavailable (503) and marks the connection broken so its owner replaces it.
// Not thread-safe: callers serialise access to one connection.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sql/sql_connection.h"

namespace openalb {

// The shared SQL's `?` placeholders as PostgreSQL's `$1`, `$2` …; a `?` inside a quoted
// literal or identifier is left alone.
std::string NumberPlaceholders(std::string_view sql);

class PgConnection final : public SqlConnection {
 public:
  // Connects with `conninfo` (a postgres:// URL or key=value pairs); a connect timeout of a
  // few seconds applies unless the URL sets one.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection() override;

  Result<void> Exec(std::string_view sql) override;
  Result<SqlStatement> Prepare(std::string_view sql) override;
  int Changes() const override { return changes_; }

  // False once the server has gone away: the connection is to be dropped, not reused.
  bool Healthy() const;
  PGconn* raw() { return conn_; }

  // Runs a statement (the PgStatement's side of the work): prepared as `name`, or `sql`
  // unprepared when the name is empty. Returns the result, or a store error; sets Changes().
  Result<PGresult*> Run(const std::string& name, const std::string& sql, int params,
                        const char* const* values, const int* lengths, const int* formats);
  // The server-side name of `sql` (already numbered), preparing it on first use; empty once
  // kMaxPrepared texts are (filters with long IN lists make many distinct texts).
  Result<std::string> PreparedName(std::string_view sql);
  // The error for a failed call: StoreUnavailable when the connection is gone.
  ApiError Failure(const PGresult* result) const;

 private:
  static constexpr size_t kMaxPrepared = 256;
  explicit PgConnection(PGconn* conn) : conn_(conn) {}

  PGconn* conn_;
  int changes_ = 0;
  std::unordered_map<std::string, std::string> prepared_;  // numbered SQL -> statement name
};

}  // namespace openalb
