// TestPostgres: a real PostgreSQL for the tests that run on both engines. Under ctest, one
// throw-away cluster serves the whole run (the `postgres.start` fixture; its directory, with the
// port in it, is OPENALB_TEST_POSTGRES_DIR); a test binary run by hand starts its own on first use
// and stops it at exit (scripts/test-postgres either way). Each caller gets a new, empty database.
#pragma once

#include <string>

namespace openalb::testing {

// The URL of a database created for the caller alone.
std::string FreshPostgresDatabase();

}  // namespace openalb::testing
