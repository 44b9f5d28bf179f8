// PgConnection: the SqlConnection of the PostgreSQL engine, over one libpq connection.
// Statements keep the shared SQL's `?` parameters; each text is rewritten to `$n` and
// prepared on the server once per connection. A lost connection fails the statement with
// StoreUnavailable (503) and marks the connection broken so its owner replaces it.
// Inside a write transaction the connection can be *pipelined* (libpq's pipeline mode):
// statements that return no rows (INSERT, UPDATE, DELETE, SAVEPOINT …) are sent without
// waiting, and their answers are read — in order, failures reported — when a statement needs
// its own answer, at Changes(), Sync() or EndPipeline(). A transaction of a dozen writes then
// costs a few round trips instead of a dozen; each round trip to a backend on this machine
// costs ~0.13 ms (pgbench's SELECT 1), which is what limited a fleet's changes per second.
// Not thread-safe: callers serialise access to one connection.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  int Changes() override;
  Result<void> Sync() override;

  // Enters pipeline mode. Exec then takes one statement at a time (BEGIN, COMMIT …), sent
  // without waiting like any statement that returns no rows.
  Result<void> BeginPipeline();
  // Reads every answer still due and leaves pipeline mode, in one round trip; the first
  // failure among them (the transaction is then aborted: the caller rolls it back).
  Result<void> EndPipeline();
  bool pipelined() const { return pipelined_; }

  // False once the server has gone away: the connection is to be dropped, not reused.
  bool Healthy() const;
  PGconn* raw() { return conn_; }

  // Runs a statement (the PgStatement's side of the work): prepared as `name`, or `sql`
  // unprepared when the name is empty. Returns the result, or a store error; sets Changes().
  Result<PGresult*> Run(const std::string& name, const std::string& sql, int params,
                        const char* const* values, const int* lengths, const int* formats);
  // In pipeline mode: sends a statement whose rows nobody reads, without waiting.
  Result<void> Send(const std::string& name, const std::string& sql, int params,
                    const char* const* values, const int* lengths, const int* formats);
  // The server-side name of `sql` (already numbered), preparing it on first use; empty once
  // kMaxPrepared texts are (filters with long IN lists make many distinct texts).
  Result<std::string> PreparedName(std::string_view sql);
  // The error for a failed call: StoreUnavailable when the connection is gone.
  ApiError Failure(const PGresult* result) const;

 private:
  static constexpr size_t kMaxPrepared = 256;
  explicit PgConnection(PGconn* conn) : conn_(conn) {}

  // Sends one command in pipeline mode (prepared when `name` is set) and asks the server to
  // answer now.
  bool SendCommand(const std::string& name, const std::string& sql, int params,
                   const char* const* values, const int* lengths, const int* formats);
  // Reads the answers of the `unread_` commands sent before; the first failure among them.
  // After a failure the server skips the rest of the pipeline until a sync point: that is
  // sent and read, so the transaction can be rolled back (or to a savepoint).
  Result<void> ReadUnread(bool sync_sent = false);
  // Reads up to and including the answer of a sync point already sent.
  Result<void> ReadSync();
  // Reads one command's answer (its result, then the end of it).
  PGresult* ReadOne();
  Result<void> Resynchronise();

  PGconn* conn_;
  int changes_ = 0;
  bool pipelined_ = false;
  int unread_ = 0;  // commands sent in pipeline mode whose answers are not read yet
  std::unordered_map<std::string, std::string> prepared_;  // numbered SQL -> statement name
  int prepared_count_ = 0;                                 // names are never reused
  std::vector<std::string> unconfirmed_;  // prepared in the pipeline, answers not yet read
};

}  // namespace openalb
