#include "server/cli_support.h"

#include <cstdio>
#include <filesystem>

#include "core/common_errors.h"
#include "server/data_dir.h"
#include "server/store_selection.h"

namespace openalb {

Result<std::unique_ptr<Store>> OpenDataDirStore(const std::string& data_dir,
                                                const std::string& store) {
  DataDirPaths paths{data_dir};
  if (IsPostgresUrl(store)) return OpenStore(store, paths);
  std::error_code ec;
  if (!std::filesystem::exists(paths.database(), ec)) {
    std::string where = std::filesystem::absolute(data_dir, ec).lexically_normal().string();
    return Fail(ApiError{"NoDataDir",
                         1,
                         "no openalb data directory at " + where + " (looked for " + where +
                             "/openalb.db); pass --data-dir (or set OPENALB_DATA_DIR) to the "
                             "directory `openalb serve` uses",
                         {}});
  }
  return OpenStore(store, paths);
}

Result<SecretBox::Key> OpenDataDirSecretKey(const std::string& data_dir) {
  SecureRandom random;
  return LoadOrCreateSecretKey(DataDirPaths{data_dir}, random);
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
