// The PostgreSQL schema, as numbered migrations of its own (the engines' DDL differs; their
// statements do not). Several nodes may start at once: migrations run under an advisory
// lock, each in its own transaction, and a database newer than this binary is refused.
#pragma once

#include "store/postgres/pg_connection.h"

namespace openalb {

int LatestPostgresSchemaVersion();
Result<void> MigratePostgres(PgConnection& db);

}  // namespace openalb
