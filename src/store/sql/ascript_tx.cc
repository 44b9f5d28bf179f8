// AScripts: SqlTx's statements for the ascripts table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kAScriptColumns =
    "ascript_id, account_id, listener_id, name, status, spec, job_id, created_ms";

AScript ReadAScript(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
          s.ColumnText(4), s.ColumnText(5), s.ColumnText(6), s.ColumnInt(7)};
}

}  // namespace

Result<void> SqlTx::InsertAScript(const AScript& a) {
  return RunOne(
      db_,
      "INSERT INTO ascripts(" + std::string(kAScriptColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, a.ascript_id)
            .Bind(2, a.account_id)
            .Bind(3, a.listener_id)
            .Bind(4, a.name)
            .Bind(5, a.status)
            .Bind(6, a.spec)
            .Bind(7, a.job_id)
            .Bind(8, a.created_ms);
      });
}

Result<std::optional<AScript>> SqlTx::FindAScript(std::string_view account_id,
                                                  std::string_view id) {
  return FindOne<AScript>(
      db_,
      "SELECT " + std::string(kAScriptColumns) +
          " FROM ascripts WHERE ascript_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadAScript);
}

Result<void> SqlTx::UpdateAScript(const AScript& a) {
  return RunOne(
      db_, "UPDATE ascripts SET name = ?, status = ?, spec = ?, job_id = ? WHERE ascript_id = ?",
      [&](SqlStatement& s) {
        s.Bind(1, a.name).Bind(2, a.status).Bind(3, a.spec).Bind(4, a.job_id).Bind(5, a.ascript_id);
      });
}

Result<void> SqlTx::DeleteAScript(std::string_view id) {
  return RunOne(db_, "DELETE FROM ascripts WHERE ascript_id = ?",
                [&](SqlStatement& s) { s.Bind(1, id); });
}

Result<Page<AScript>> SqlTx::ListAScripts(const AScriptFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("ascript_id", filter.ids);
  where.In("name", filter.names);
  where.In("listener_id", filter.listener_ids);
  return ListPage<AScript>(db_, "ascripts", kAScriptColumns, where, "seq", false, page,
                           ReadAScript);
}

}  // namespace openalb
