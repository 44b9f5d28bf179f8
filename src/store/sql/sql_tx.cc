#include "store/sql/sql_tx.h"

#include "store/sql/sql_query.h"

#include <string>

namespace openalb {

Result<std::int64_t> SqlTx::ConfigVersion() {
  auto stmt = db_.Prepare("SELECT version FROM config_state");
  if (!stmt) return Fail(stmt.error());
  return sql_query::Scalar(*stmt);
}

Result<std::int64_t> SqlTx::MarkConfigChanged() {
  if (changed_version_) return *changed_version_;
  auto stmt = db_.Prepare("UPDATE config_state SET version = version + 1 RETURNING version");
  if (!stmt) return Fail(stmt.error());
  auto version = sql_query::Scalar(*stmt);
  if (!version) return Fail(version.error());
  changed_version_ = *version;
  return *version;
}

Result<void> SqlTx::NoteServedChange(std::string_view account_id, std::string_view listener_id,
                                     std::int64_t now_ms) {
  auto version = MarkConfigChanged();
  if (!version) return Fail(version.error());
  return sql_query::RunOne(
      db_,
      "INSERT INTO served_changes (version, account_id, listener_id, created_ms) "
      "VALUES (?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, *version).Bind(2, account_id).Bind(3, listener_id).Bind(4, now_ms);
      });
}

Result<std::vector<std::pair<std::string, std::string>>> SqlTx::ServedChanges(std::int64_t after,
                                                                              std::int64_t upto) {
  auto stmt = db_.Prepare(
      "SELECT DISTINCT account_id, listener_id FROM served_changes "
      "WHERE version > ? AND version <= ? ORDER BY listener_id");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, after).Bind(2, upto);
  return sql_query::Rows<std::pair<std::string, std::string>>(*stmt, [](const SqlStatement& s) {
    return std::pair{s.ColumnText(0), s.ColumnText(1)};
  });
}

Result<int> SqlTx::DeleteServedChangesBefore(std::int64_t before_ms) {
  auto r = sql_query::RunOne(db_, "DELETE FROM served_changes WHERE created_ms < ?",
                             [&](SqlStatement& s) { s.Bind(1, before_ms); });
  if (!r) return Fail(r.error());
  return db_.Changes();
}

Result<void> SqlTx::Nested(const std::function<Result<void>(StoreTx&)>& body) {
  const auto version_before = changed_version_;  // a rolled-back bump is undone with it
  std::string name = "nested_" + std::to_string(++savepoint_depth_);
  if (auto r = db_.Exec("SAVEPOINT " + name); !r) {
    --savepoint_depth_;
    return r;
  }
  auto result = body(*this);
  // Writes sent without waiting (a pipelined PostgreSQL connection) belong to this body: their
  // failure is its failure.
  if (result) result = db_.Sync();
  if (!result) {
    (void)db_.Exec("ROLLBACK TO " + name);
    changed_version_ = version_before;
  }
  auto released = db_.Exec("RELEASE " + name);
  --savepoint_depth_;
  if (!result) return result;
  return released;
}

}  // namespace openalb
