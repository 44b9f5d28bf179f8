// The data directory: where the database, the first account's credentials and the key that
// seals private keys live. First start creates it (mode 0700), the first account with its
// root AccessKey, and a credentials file (mode 0600) that holds that key. The sealing key
// (secret.key, 0600) sits beside the database, never in it: a copy of the database alone
// does not reveal a certificate's private key.
#pragma once

#include <optional>
#include <string>

#include "auth/credential_factory.h"
#include "core/api_error.h"
#include "core/random.h"
#include "core/secret_box.h"

namespace openalb {

struct DataDirPaths {
  std::string root;
  std::string database() const { return root + "/openalb.db"; }
  std::string credentials() const { return root + "/credentials.json"; }
  std::string secret_key() const { return root + "/secret.key"; }
  std::string node_id() const { return root + "/node.id"; }
  std::string served_snapshot() const { return root + "/served-snapshot.json"; }
};

// Creates the directory (0700) if it does not exist; narrows an existing one that other
// users could read to 0700, with a log line. The database files are 0600 (store/sqlite).
Result<void> EnsureDataDir(const DataDirPaths& paths);

// The sealing key, created (32 random bytes, mode 0600) on first use. Safe when the server
// and the CLI race to create it: the file appears whole, once, by link().
Result<SecretBox::Key> LoadOrCreateSecretKey(const DataDirPaths& paths, Random& random);

// This node's stable id on a shared store, created ("node-" and 12 hex digits) on first use.
Result<std::string> LoadOrCreateNodeId(const DataDirPaths& paths, Random& random);

// When the store has no account yet: creates one, writes the credentials file and returns
// what it created. Otherwise returns nullopt.
Result<std::optional<NewAccount>> BootstrapFirstAccount(const DataDirPaths& paths, Store& store,
                                                        CredentialFactory& factory,
                                                        const std::string& region_id);

}  // namespace openalb
