// Access control lists: SqlTx's statements for the acls, acl_entries and listener_acls tables.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kAclColumns =
    "acl_id, account_id, name, status, resource_group_id, created_ms";
constexpr std::string_view kAclEntryColumns = "acl_id, entry, description, status, job_id";
constexpr std::string_view kListenerAclColumns = "listener_id, acl_id, acl_type, status, job_id";

Acl ReadAcl(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
          s.ColumnText(3), s.ColumnText(4), s.ColumnInt(5)};
}

AclEntry ReadAclEntry(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4)};
}

ListenerAcl ReadListenerAcl(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4)};
}

}  // namespace

Result<void> SqlTx::InsertAcl(const Acl& a) {
  return RunOne(db_, "INSERT INTO acls(" + std::string(kAclColumns) + ") VALUES (?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, a.acl_id)
                      .Bind(2, a.account_id)
                      .Bind(3, a.name)
                      .Bind(4, a.status)
                      .Bind(5, a.resource_group_id)
                      .Bind(6, a.created_ms);
                });
}

Result<std::optional<Acl>> SqlTx::FindAcl(std::string_view account_id, std::string_view id) {
  return FindOne<Acl>(
      db_, "SELECT " + std::string(kAclColumns) + " FROM acls WHERE acl_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadAcl);
}

Result<void> SqlTx::UpdateAcl(const Acl& a) {
  return RunOne(
      db_, "UPDATE acls SET name = ?, status = ?, resource_group_id = ? WHERE acl_id = ?",
      [&](SqlStatement& s) {
        s.Bind(1, a.name).Bind(2, a.status).Bind(3, a.resource_group_id).Bind(4, a.acl_id);
      });
}

Result<void> SqlTx::DeleteAcl(std::string_view id) {
  if (auto r = RunOne(db_, "DELETE FROM acl_entries WHERE acl_id = ?",
                      [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  if (auto r =
          RunOne(db_, "DELETE FROM acls WHERE acl_id = ?", [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  return DeleteTags(id, {});  // its tags go with it
}

Result<Page<Acl>> SqlTx::ListAcls(const AclFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("acl_id", filter.ids);
  where.In("name", filter.names);
  where.Eq("resource_group_id", filter.resource_group_id);
  return ListPage<Acl>(db_, "acls", kAclColumns, where, "seq", false, page, ReadAcl);
}

Result<Page<AclEntry>> SqlTx::ListAclEntries(std::string_view acl_id, const PageRequest& page) {
  Where where;
  where.Eq("acl_id", std::string(acl_id));
  return ListPage<AclEntry>(db_, "acl_entries", kAclEntryColumns, where, "seq", false, page,
                            ReadAclEntry);
}

Result<void> SqlTx::InsertAclEntry(const AclEntry& e) {
  return RunOne(
      db_, "INSERT INTO acl_entries(" + std::string(kAclEntryColumns) + ") VALUES (?, ?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, e.acl_id)
            .Bind(2, e.entry)
            .Bind(3, e.description)
            .Bind(4, e.status)
            .Bind(5, e.job_id);
      });
}

Result<void> SqlTx::UpdateAclEntry(const AclEntry& e) {
  return RunOne(db_, "UPDATE acl_entries SET status = ?, job_id = ? WHERE acl_id = ? AND entry = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, e.status).Bind(2, e.job_id).Bind(3, e.acl_id).Bind(4, e.entry);
                });
}

Result<void> SqlTx::DeleteAclEntry(std::string_view acl_id, std::string_view entry) {
  return RunOne(db_, "DELETE FROM acl_entries WHERE acl_id = ? AND entry = ?",
                [&](SqlStatement& s) { s.Bind(1, acl_id).Bind(2, entry); });
}

Result<int> SqlTx::CountAclEntries(std::string_view acl_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM acl_entries WHERE acl_id = ?",
                 [&](SqlStatement& s) { s.Bind(1, acl_id); });
}

Result<Page<ListenerAcl>> SqlTx::ListListenerAcls(const ListenerAclFilter& filter,
                                                  const PageRequest& page) {
  Where where;
  where.Eq("listener_id", filter.listener_id);
  where.Eq("acl_id", filter.acl_id);
  return ListPage<ListenerAcl>(db_, "listener_acls", kListenerAclColumns, where, "seq", false, page,
                               ReadListenerAcl);
}

Result<void> SqlTx::InsertListenerAcl(const ListenerAcl& r) {
  return RunOne(
      db_,
      "INSERT INTO listener_acls(" + std::string(kListenerAclColumns) + ") VALUES (?, ?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, r.listener_id)
            .Bind(2, r.acl_id)
            .Bind(3, r.acl_type)
            .Bind(4, r.status)
            .Bind(5, r.job_id);
      });
}

Result<void> SqlTx::UpdateListenerAcl(const ListenerAcl& r) {
  return RunOne(
      db_, "UPDATE listener_acls SET status = ?, job_id = ? WHERE listener_id = ? AND acl_id = ?",
      [&](SqlStatement& s) {
        s.Bind(1, r.status).Bind(2, r.job_id).Bind(3, r.listener_id).Bind(4, r.acl_id);
      });
}

Result<void> SqlTx::DeleteListenerAcl(std::string_view listener_id, std::string_view acl_id) {
  return RunOne(db_, "DELETE FROM listener_acls WHERE listener_id = ? AND acl_id = ?",
                [&](SqlStatement& s) { s.Bind(1, listener_id).Bind(2, acl_id); });
}

}  // namespace openalb
