// Accounts and AccessKeys: the one-call Store methods' SQL, shared by both engines. Each
// runs on a connection the caller holds (and serialises); none begins a transaction.
#pragma once

#include <string_view>
#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace openalb::account_statements {

Result<void> InsertAccount(SqlConnection& db, const Account& account);
Result<std::vector<Account>> ListAccounts(SqlConnection& db, const SqlDialect& dialect);
Result<void> InsertAccessKey(SqlConnection& db, const AccessKey& key);
Result<std::vector<AccessKey>> ListAccessKeys(SqlConnection& db, const SqlDialect& dialect);
// Each returns false when no such key existed.
Result<bool> DeleteAccessKey(SqlConnection& db, std::string_view access_key_id);
Result<bool> SetAccessKeyActive(SqlConnection& db, std::string_view access_key_id, bool active);
Result<bool> ReplaceAccessKeySecret(SqlConnection& db, std::string_view access_key_id,
                                    std::string_view secret);

}  // namespace openalb::account_statements
