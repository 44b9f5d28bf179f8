// Health check templates: SqlTx's statements for the health_check_templates table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kTemplateColumns = "template_id, account_id, name, config, created_ms";

HealthCheckTemplate ReadTemplate(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnInt(4)};
}

}  // namespace

Result<void> SqlTx::InsertHealthCheckTemplate(const HealthCheckTemplate& t) {
  return RunOne(db_,
                "INSERT INTO health_check_templates(" + std::string(kTemplateColumns) +
                    ") VALUES (?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, t.template_id)
                      .Bind(2, t.account_id)
                      .Bind(3, t.name)
                      .Bind(4, t.config)
                      .Bind(5, t.created_ms);
                });
}

Result<std::optional<HealthCheckTemplate>> SqlTx::FindHealthCheckTemplate(
    std::string_view account_id, std::string_view id) {
  return FindOne<HealthCheckTemplate>(
      db_,
      "SELECT " + std::string(kTemplateColumns) +
          " FROM health_check_templates WHERE template_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadTemplate);
}

Result<void> SqlTx::UpdateHealthCheckTemplate(const HealthCheckTemplate& t) {
  return RunOne(
      db_, "UPDATE health_check_templates SET name = ?, config = ? WHERE template_id = ?",
      [&](SqlStatement& s) { s.Bind(1, t.name).Bind(2, t.config).Bind(3, t.template_id); });
}

Result<void> SqlTx::DeleteHealthCheckTemplate(std::string_view id) {
  if (auto r = RunOne(db_, "DELETE FROM health_check_templates WHERE template_id = ?",
                      [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  return DeleteTags(id, {});  // its tags go with it
}

Result<Page<HealthCheckTemplate>> SqlTx::ListHealthCheckTemplates(
    const HealthCheckTemplateFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("template_id", filter.ids);
  where.In("name", filter.names);
  return ListPage<HealthCheckTemplate>(db_, "health_check_templates", kTemplateColumns, where,
                                       "seq", false, page, ReadTemplate);
}

}  // namespace openalb
