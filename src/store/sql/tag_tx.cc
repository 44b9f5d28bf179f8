// Tags: SqlTx's statements for the resource_tags table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kTagColumns =
    "account_id, resource_type, resource_id, tag_key, tag_value";

ResourceTag ReadTag(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4)};
}

}  // namespace

Result<void> SqlTx::PutTag(const ResourceTag& tag) {
  // The same statement on both engines (SQLite 3.24+ and PostgreSQL take ON CONFLICT).
  return RunOne(db_,
                "INSERT INTO resource_tags(" + std::string(kTagColumns) +
                    ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (resource_id, tag_key) "
                    "DO UPDATE SET tag_value = excluded.tag_value",
                [&](SqlStatement& s) {
                  s.Bind(1, tag.account_id)
                      .Bind(2, tag.resource_type)
                      .Bind(3, tag.resource_id)
                      .Bind(4, tag.key)
                      .Bind(5, tag.value);
                });
}

Result<void> SqlTx::DeleteTags(std::string_view resource_id, const std::vector<std::string>& keys) {
  Where where;
  where.Eq("resource_id", resource_id);
  where.In("tag_key", keys);
  return RunOne(db_, "DELETE FROM resource_tags" + where.sql(),
                [&](SqlStatement& s) { where.BindAll(s); });
}

Result<Page<ResourceTag>> SqlTx::ListTags(const TagFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.Eq("resource_type", filter.resource_type);
  where.In("resource_id", filter.resource_ids);
  where.In("tag_key", filter.keys);
  return ListPage<ResourceTag>(db_, "resource_tags", kTagColumns, where, "seq", false, page,
                               ReadTag);
}

}  // namespace openalb
