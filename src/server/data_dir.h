// The data directory: where the database and the first account's credentials live.
// First start creates it (mode 0700), the first account with its root AccessKey, and a
// credentials file (mode 0600) that holds that key — the only place a secret is written.
#pragma once

#include <optional>
#include <string>

#include "auth/credential_factory.h"
#include "core/api_error.h"

namespace openalb {

struct DataDirPaths {
  std::string root;
  std::string database() const { return root + "/openalb.db"; }
  std::string credentials() const { return root + "/credentials.json"; }
};

// Creates the directory if it does not exist.
Result<void> EnsureDataDir(const DataDirPaths& paths);

// When the store has no account yet: creates one, writes the credentials file and returns
// what it created. Otherwise returns nullopt.
Result<std::optional<NewAccount>> BootstrapFirstAccount(const DataDirPaths& paths, Store& store,
                                                        CredentialFactory& factory,
                                                        const std::string& region_id);

}  // namespace openalb
