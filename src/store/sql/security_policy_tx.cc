// Security policies: SqlTx's statements for the security_policies table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kPolicyColumns =
    "policy_id, account_id, name, tls_versions, ciphers, resource_group_id, created_ms";

SecurityPolicy ReadSecurityPolicy(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
          s.ColumnText(4), s.ColumnText(5), s.ColumnInt(6)};
}

}  // namespace

Result<void> SqlTx::InsertSecurityPolicy(const SecurityPolicy& p) {
  return RunOne(db_,
                "INSERT INTO security_policies(" + std::string(kPolicyColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, p.policy_id)
                      .Bind(2, p.account_id)
                      .Bind(3, p.name)
                      .Bind(4, p.tls_versions)
                      .Bind(5, p.ciphers)
                      .Bind(6, p.resource_group_id)
                      .Bind(7, p.created_ms);
                });
}

Result<std::optional<SecurityPolicy>> SqlTx::FindSecurityPolicy(std::string_view account_id,
                                                                std::string_view id) {
  return FindOne<SecurityPolicy>(
      db_,
      "SELECT " + std::string(kPolicyColumns) +
          " FROM security_policies WHERE policy_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadSecurityPolicy);
}

Result<void> SqlTx::UpdateSecurityPolicy(const SecurityPolicy& p) {
  return RunOne(db_,
                "UPDATE security_policies SET name = ?, tls_versions = ?, ciphers = ?, "
                "resource_group_id = ? WHERE policy_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, p.name)
                      .Bind(2, p.tls_versions)
                      .Bind(3, p.ciphers)
                      .Bind(4, p.resource_group_id)
                      .Bind(5, p.policy_id);
                });
}

Result<void> SqlTx::DeleteSecurityPolicy(std::string_view id) {
  if (auto r = RunOne(db_, "DELETE FROM security_policies WHERE policy_id = ?",
                      [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  return DeleteTags(id, {});  // its tags go with it
}

Result<Page<SecurityPolicy>> SqlTx::ListSecurityPolicies(const SecurityPolicyFilter& filter,
                                                         const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("policy_id", filter.ids);
  where.In("name", filter.names);
  return ListPage<SecurityPolicy>(db_, "security_policies", kPolicyColumns, where, "seq", false,
                                  page, ReadSecurityPolicy);
}

}  // namespace openalb
