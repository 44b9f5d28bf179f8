#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/sqlite_migrations.h"
#include "support/temp_dir.h"

namespace openalb {
namespace {

using testing::TempDir;

TEST(SqliteStoreTest, SchemaIsVersionedAndDurable) {
  TempDir dir;
  ASSERT_TRUE(SqliteStore::Create(dir.File("db")));
  auto db = SqliteDatabase::Open(dir.File("db"));
  ASSERT_TRUE(db);
  auto version = (*db)->Prepare("PRAGMA user_version");
  ASSERT_TRUE(version->Step());
  EXPECT_EQ(version->ColumnInt(0), LatestSqliteSchemaVersion());
  auto journal = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(journal->Step());
  EXPECT_EQ(journal->ColumnText(0), "wal");
  auto sync = (*db)->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(sync->Step());
  EXPECT_EQ(sync->ColumnInt(0), 2);  // FULL
}

}  // namespace
}  // namespace openalb
