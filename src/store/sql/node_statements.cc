#include "store/sql/node_statements.h"

#include "store/sql/sql_query.h"

namespace openalb::node_statements {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

const char* const kUpsertNode =
    "INSERT INTO nodes (node_id, roles, listener_address, applied_version, apply_error, "
    "error_version, error_listener, heartbeat_ms, started_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (node_id) DO UPDATE SET roles = excluded.roles, "
    "listener_address = excluded.listener_address, applied_version = excluded.applied_version, "
    "apply_error = excluded.apply_error, error_version = excluded.error_version, "
    "error_listener = excluded.error_listener, "
    "heartbeat_ms = excluded.heartbeat_ms, started_ms = excluded.started_ms";

void BindNode(SqlStatement& s, const NodeRecord& n) {
  s.Bind(1, n.node_id)
      .Bind(2, n.roles)
      .Bind(3, n.listener_address)
      .Bind(4, n.applied_version)
      .Bind(5, n.apply_error)
      .Bind(6, n.error_version)
      .Bind(7, n.error_listener_id)
      .Bind(8, n.heartbeat_ms)
      .Bind(9, n.started_ms);
}

Result<void> RecordNode(SqlConnection& db, const NodeRecord& n) {
  return RunOne(db, kUpsertNode, [&](SqlStatement& s) { BindNode(s, n); });
}

Result<std::vector<NodeRecord>> ListNodes(SqlConnection& db) {
  auto stmt = db.Prepare(
      "SELECT node_id, roles, listener_address, applied_version, apply_error, error_version, "
      "error_listener, heartbeat_ms, started_ms FROM nodes ORDER BY node_id");
  if (!stmt) return Fail(stmt.error());
  return Rows<NodeRecord>(*stmt, [](const SqlStatement& s) {
    return NodeRecord{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
                      s.ColumnInt(3),  s.ColumnText(4), s.ColumnInt(5),
                      s.ColumnText(6), s.ColumnInt(7),  s.ColumnInt(8)};
  });
}

Result<int> ForgetNodes(SqlConnection& db, std::int64_t before_ms) {
  auto r = RunOne(db, "DELETE FROM nodes WHERE heartbeat_ms < ?",
                  [&](SqlStatement& s) { s.Bind(1, before_ms); });
  if (!r) return Fail(r.error());
  return db.Changes();
}

}  // namespace openalb::node_statements
