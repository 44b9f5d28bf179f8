// What the management subcommands (`openalb keys|accounts|users|policies|audit`) share:
// opening the data directory's store, choosing the account a command acts on, and
// reporting an error on stderr with the exit code 1.
#pragma once

#include <memory>
#include <string>

#include "core/api_error.h"
#include "core/secret_box.h"
#include "store/store.h"

namespace openalb {

// The store a management command acts on: the PostgreSQL database `store` names, or the
// SQLite file of an existing data directory. A command never creates a data directory's
// database: when there is none at `data_dir` it fails naming the absolute path it looked at.
Result<std::unique_ptr<Store>> OpenDataDirStore(const std::string& data_dir,
                                                const std::string& store);
// The key that seals secrets in that data directory (for commands that create AccessKeys).
Result<SecretBox::Key> OpenDataDirSecretKey(const std::string& data_dir);

// `account_id` when that account exists; the first account when it is empty.
Result<std::string> ResolveAccount(Store& store, const std::string& account_id);

// Prints "openalb: <message>" (and the internal detail, if any); returns 1.
int ReportError(const ApiError& error);
// Prints "openalb: <message>"; returns 1.
int ReportError(const std::string& message);

}  // namespace openalb
