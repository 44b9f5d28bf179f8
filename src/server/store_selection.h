// Which store a process uses: the embedded SQLite file in its data directory (the default,
// nothing to set up), or a PostgreSQL database that several nodes share (`--store
// postgres://…`). One place decides, so `serve` and every management command agree.
#pragma once

#include <memory>
#include <string>

#include "core/api_error.h"
#include "server/data_dir.h"
#include "store/store.h"

namespace openalb {

// "postgres://…" or "postgresql://…".
bool IsPostgresUrl(const std::string& store);

// The store `store` names: PostgreSQL for a URL, else SQLite at the data directory's
// database (created if missing). Anything else is InvalidParameter.
Result<std::unique_ptr<Store>> OpenStore(const std::string& store, const DataDirPaths& paths);

// `store` for logs: a URL without its password.
std::string DescribeStore(const std::string& store, const DataDirPaths& paths);

}  // namespace openalb
