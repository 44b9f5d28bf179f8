#include "server/store_selection.h"

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace openalb {

bool IsPostgresUrl(const std::string& store) {
  return store.starts_with("postgres://") || store.starts_with("postgresql://");
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& store, const DataDirPaths& paths) {
  if (IsPostgresUrl(store)) {
    auto pg = PgStore::Create(store);
    if (!pg) return Fail(pg.error());
    return std::unique_ptr<Store>(std::move(*pg));
  }
  if (!store.empty() && store != "sqlite") {
    return Fail(ApiError{"InvalidParameter",
                         400,
                         "--store must be sqlite (the default: the data directory's file) or a "
                         "postgres:// URL",
                         {}});
  }
  auto sqlite = SqliteStore::Create(paths.database());
  if (!sqlite) return Fail(sqlite.error());
  return std::unique_ptr<Store>(std::move(*sqlite));
}

std::string DescribeStore(const std::string& store, const DataDirPaths& paths) {
  if (!IsPostgresUrl(store)) return "sqlite:" + paths.database();
  // postgres://user:password@host/db -> postgres://user@host/db
  const size_t scheme = store.find("://") + 3;
  const size_t at = store.find('@', scheme);
  const size_t colon = store.find(':', scheme);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return store;
  return store.substr(0, colon) + store.substr(at);
}

}  // namespace openalb
