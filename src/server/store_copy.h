// `openalb store copy`: moves an installation from one store to another (the SQLite file of
// a data directory to a PostgreSQL database, say) — every account, key, RAM identity,
// resource, job and audit entry, in their order — then reads everything back from the
// destination and compares it with the source. The destination must be empty.
#pragma once

#include <string>
#include <vector>

#include "core/api_error.h"
#include "store/store.h"

namespace openalb {

struct CopiedTable {
  std::string name;
  std::int64_t rows = 0;
};

// Copies `from` into `to` (which must hold no account) and verifies the read-back; returns
// the rows per table. ClientTokens (kept a day for retries) are not copied.
Result<std::vector<CopiedTable>> CopyStore(Store& from, Store& to);

}  // namespace openalb
