#include "store/sql/account_statements.h"

#include <string>

#include "store/sql/sql_query.h"

namespace openalb::account_statements {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

// Runs `sql` and answers whether it changed a row.
Result<bool> ChangedARow(SqlConnection& db, std::string_view sql, const Binder& bind) {
  if (auto r = RunOne(db, sql, bind); !r) return Fail(r.error());
  return db.Changes() > 0;
}

}  // namespace

Result<void> InsertAccount(SqlConnection& db, const Account& a) {
  return RunOne(
      db, "INSERT INTO accounts(account_id, name, created_at) VALUES (?, ?, ?)",
      [&](SqlStatement& s) { s.Bind(1, a.account_id).Bind(2, a.name).Bind(3, a.created_at); });
}

Result<std::vector<Account>> ListAccounts(SqlConnection& db, const SqlDialect& dialect) {
  auto stmt = db.Prepare("SELECT account_id, name, created_at FROM accounts ORDER BY " +
                         std::string(dialect.insertion_order));
  if (!stmt) return Fail(stmt.error());
  return Rows<Account>(*stmt, [](const SqlStatement& s) {
    return Account{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2)};
  });
}

Result<void> InsertAccessKey(SqlConnection& db, const AccessKey& key) {
  return RunOne(
      db,
      "INSERT INTO access_keys(access_key_id, account_id, secret, active, created_at, user_name) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, key.access_key_id)
            .Bind(2, key.account_id)
            .Bind(3, key.secret)
            .Bind(4, std::int64_t{key.active ? 1 : 0})
            .Bind(5, key.created_at)
            .Bind(6, key.user_name);
      });
}

Result<std::vector<AccessKey>> ListAccessKeys(SqlConnection& db, const SqlDialect& dialect) {
  auto stmt = db.Prepare(
      "SELECT access_key_id, account_id, secret, active, created_at, user_name FROM access_keys "
      "ORDER BY account_id, " +
      std::string(dialect.insertion_order));
  if (!stmt) return Fail(stmt.error());
  return Rows<AccessKey>(*stmt, [](const SqlStatement& s) {
    return AccessKey{s.ColumnText(0),     s.ColumnText(1), s.ColumnText(2),
                     s.ColumnInt(3) != 0, s.ColumnText(4), s.ColumnText(5)};
  });
}

Result<bool> DeleteAccessKey(SqlConnection& db, std::string_view access_key_id) {
  return ChangedARow(db, "DELETE FROM access_keys WHERE access_key_id = ?",
                     [&](SqlStatement& s) { s.Bind(1, access_key_id); });
}

Result<bool> SetAccessKeyActive(SqlConnection& db, std::string_view access_key_id, bool active) {
  return ChangedARow(
      db, "UPDATE access_keys SET active = ? WHERE access_key_id = ?",
      [&](SqlStatement& s) { s.Bind(1, std::int64_t{active ? 1 : 0}).Bind(2, access_key_id); });
}

Result<bool> ReplaceAccessKeySecret(SqlConnection& db, std::string_view access_key_id,
                                    std::string_view secret) {
  return ChangedARow(db, "UPDATE access_keys SET secret = ? WHERE access_key_id = ?",
                     [&](SqlStatement& s) { s.Bind(1, secret).Bind(2, access_key_id); });
}

}  // namespace openalb::account_statements
