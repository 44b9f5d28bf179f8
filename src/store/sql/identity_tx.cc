// RAM users, policies and attachments, and the append-only audit log: SqlTx's statements
// for the identity tables.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

// "WHERE account_id = ?" when one account is asked for, nothing for all.
AuditEntry ReadAuditEntry(const SqlStatement& s) {
  return AuditEntry{s.ColumnInt(0),  s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
                    s.ColumnText(4), s.ColumnText(5), s.ColumnText(6), s.ColumnText(7),
                    s.ColumnText(8), s.ColumnText(9), s.ColumnText(10)};
}

Where ForAccount(std::string_view account_id) {
  Where where;
  where.Eq("account_id", account_id);
  return where;
}

RamUser ReadUser(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2)};
}

StoredPolicy ReadPolicy(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3)};
}

template <typename T, typename Read>
Result<std::vector<T>> ListForAccount(SqlConnection& db, std::string_view select_from,
                                      std::string_view account_id, std::string_view order,
                                      Read read) {
  Where where = ForAccount(account_id);
  auto stmt =
      db.Prepare(std::string(select_from) + where.sql() + " ORDER BY " + std::string(order));
  if (!stmt) return Fail(stmt.error());
  where.BindAll(*stmt);
  return Rows<T>(*stmt, read);
}

}  // namespace

Result<void> SqlTx::InsertUser(const RamUser& u) {
  return RunOne(
      db_, "INSERT INTO ram_users(account_id, user_name, created_at) VALUES (?, ?, ?)",
      [&](SqlStatement& s) { s.Bind(1, u.account_id).Bind(2, u.user_name).Bind(3, u.created_at); });
}

Result<std::optional<RamUser>> SqlTx::FindUser(std::string_view account_id,
                                               std::string_view user_name) {
  return FindOne<RamUser>(
      db_,
      "SELECT account_id, user_name, created_at FROM ram_users "
      "WHERE account_id = ? AND user_name = ?",
      [&](SqlStatement& s) { s.Bind(1, account_id).Bind(2, user_name); }, ReadUser);
}

Result<std::vector<RamUser>> SqlTx::ListUsers(std::string_view account_id) {
  return ListForAccount<RamUser>(db_, "SELECT account_id, user_name, created_at FROM ram_users",
                                 account_id, "account_id, user_name", ReadUser);
}

Result<void> SqlTx::DeleteUser(std::string_view account_id, std::string_view user_name) {
  for (std::string_view sql : {
           "DELETE FROM access_keys WHERE account_id = ? AND user_name = ?",
           "DELETE FROM policy_attachments WHERE account_id = ? AND user_name = ?",
           "DELETE FROM ram_users WHERE account_id = ? AND user_name = ?",
       }) {
    auto r = RunOne(db_, sql, [&](SqlStatement& s) { s.Bind(1, account_id).Bind(2, user_name); });
    if (!r) return r;
  }
  return {};
}

Result<void> SqlTx::InsertPolicy(const StoredPolicy& p) {
  return RunOne(
      db_,
      "INSERT INTO policies(account_id, policy_name, document, created_at) VALUES (?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, p.account_id).Bind(2, p.policy_name).Bind(3, p.document).Bind(4, p.created_at);
      });
}

Result<std::optional<StoredPolicy>> SqlTx::FindPolicy(std::string_view account_id,
                                                      std::string_view policy_name) {
  return FindOne<StoredPolicy>(
      db_,
      "SELECT account_id, policy_name, document, created_at FROM policies "
      "WHERE account_id = ? AND policy_name = ?",
      [&](SqlStatement& s) { s.Bind(1, account_id).Bind(2, policy_name); }, ReadPolicy);
}

Result<std::vector<StoredPolicy>> SqlTx::ListPolicies(std::string_view account_id) {
  return ListForAccount<StoredPolicy>(
      db_, "SELECT account_id, policy_name, document, created_at FROM policies", account_id,
      "account_id, policy_name", ReadPolicy);
}

Result<void> SqlTx::DeletePolicy(std::string_view account_id, std::string_view policy_name) {
  return RunOne(db_, "DELETE FROM policies WHERE account_id = ? AND policy_name = ?",
                [&](SqlStatement& s) { s.Bind(1, account_id).Bind(2, policy_name); });
}

Result<void> SqlTx::InsertPolicyAttachment(const PolicyAttachment& a) {
  return RunOne(
      db_, "INSERT INTO policy_attachments(account_id, policy_name, user_name) VALUES (?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, a.account_id).Bind(2, a.policy_name).Bind(3, a.user_name);
      });
}

Result<bool> SqlTx::DeletePolicyAttachment(const PolicyAttachment& a) {
  auto r = RunOne(
      db_,
      "DELETE FROM policy_attachments WHERE account_id = ? AND policy_name = ? AND user_name = ?",
      [&](SqlStatement& s) {
        s.Bind(1, a.account_id).Bind(2, a.policy_name).Bind(3, a.user_name);
      });
  if (!r) return Fail(r.error());
  return db_.Changes() > 0;
}

Result<std::vector<PolicyAttachment>> SqlTx::ListPolicyAttachments(std::string_view account_id) {
  return ListForAccount<PolicyAttachment>(
      db_, "SELECT account_id, policy_name, user_name FROM policy_attachments", account_id,
      "account_id, user_name, policy_name", [](const SqlStatement& s) {
        return PolicyAttachment{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2)};
      });
}

Result<void> SqlTx::InsertAuditEntry(const AuditEntry& e) {
  return RunOne(db_,
                "INSERT INTO audit_log(time, request_id, account_id, user_name, access_key_id, "
                "action, resource, source_ip, result, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, e.time)
                      .Bind(2, e.request_id)
                      .Bind(3, e.account_id)
                      .Bind(4, e.user_name)
                      .Bind(5, e.access_key_id)
                      .Bind(6, e.action)
                      .Bind(7, e.resource)
                      .Bind(8, e.source_ip)
                      .Bind(9, e.result)
                      .Bind(10, e.code);
                });
}

Result<std::vector<AuditEntry>> SqlTx::ListAuditEntries(std::string_view account_id,
                                                        std::int64_t after_seq, int limit) {
  Where where = ForAccount(account_id);
  where.Compare("seq", ">", after_seq);
  auto stmt = db_.Prepare(
      "SELECT seq, time, request_id, account_id, user_name, access_key_id, action, resource, "
      "source_ip, result, code FROM audit_log" +
      where.sql() + " ORDER BY seq LIMIT ?");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(where.BindAll(*stmt), static_cast<std::int64_t>(limit));
  return Rows<AuditEntry>(*stmt, ReadAuditEntry);
}

Result<std::vector<AuditEntry>> SqlTx::LatestAuditEntries(int limit) {
  auto stmt = db_.Prepare(
      "SELECT seq, time, request_id, account_id, user_name, access_key_id, action, resource, "
      "source_ip, result, code FROM audit_log ORDER BY seq DESC LIMIT ?");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, static_cast<std::int64_t>(limit));
  return Rows<AuditEntry>(*stmt, ReadAuditEntry);
}

}  // namespace openalb
