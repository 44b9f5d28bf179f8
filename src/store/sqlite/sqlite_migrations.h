// The SQLite schema, as an ordered list of migrations tracked by PRAGMA user_version.
// A migration is never edited once released; change the schema by appending one.
#pragma once

#include "core/api_error.h"
#include "store/sqlite/sqlite_database.h"

namespace openalb {

// Brings the database up to the newest schema version, each step in its own transaction.
// Fails if the database is newer than this binary knows.
Result<void> MigrateSqlite(SqliteDatabase& db);
// Brings it only as far as `version` (for tests of upgrades from an older release).
Result<void> MigrateSqliteTo(SqliteDatabase& db, int version);

// The schema version this binary writes.
int LatestSqliteSchemaVersion();

}  // namespace openalb
