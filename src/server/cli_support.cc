#include "server/cli_support.h"

#include <cstdio>

#include "core/common_errors.h"
#include "server/data_dir.h"

namespace openalb {

Result<std::unique_ptr<SqliteStore>> OpenDataDirStore(const std::string& data_dir) {
  DataDirPaths paths{data_dir};
  if (auto r = EnsureDataDir(paths); !r) return Fail(r.error());
  return SqliteStore::Create(paths.database());
}

Result<std::string> ResolveAccount(Store& store, const std::string& account_id) {
  auto accounts = store.ListAccounts();
  if (!accounts) return Fail(accounts.error());
  if (accounts->empty()) {
    return Fail(ApiError{"NoAccount", 1, "no account yet; start `openalb serve` once first", {}});
  }
  if (account_id.empty()) return accounts->front().account_id;
  for (const auto& account : *accounts) {
    if (account.account_id == account_id) return account_id;
  }
  return Fail(ApiError{"NoAccount", 1, "no account " + account_id, {}});
}

int ReportError(const ApiError& error) {
  std::fprintf(stderr, "openalb: %s\n", error.message.c_str());
  if (!error.internal.empty()) std::fprintf(stderr, "  (%s)\n", error.internal.c_str());
  return 1;
}

int ReportError(const std::string& message) {
  std::fprintf(stderr, "openalb: %s\n", message.c_str());
  return 1;
}

}  // namespace openalb
