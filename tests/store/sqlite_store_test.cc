#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/sqlite_migrations.h"
#include "support/temp_dir.h"

namespace openalb {
namespace {

using testing::TempDir;

TEST(SqliteStoreTest, AccountsAndKeysSurviveReopening) {
  TempDir dir;
  {
    auto store = SqliteStore::Create(dir.File("db"));
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->CreateAccount({"1234567890123456", "a", "t"}));
    ASSERT_TRUE((*store)->CreateAccessKey({"LTAI1", "1234567890123456", "s1", true, "t"}));
  }
  auto store = SqliteStore::Create(dir.File("db"));
  ASSERT_TRUE(store);
  auto keys = (*store)->ListAccessKeys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].secret, "s1");
  EXPECT_EQ((*store)->ListAccounts()->size(), 1u);
}

TEST(SqliteStoreTest, AKeyNeedsAnExistingAccount) {
  TempDir dir;
  auto store = SqliteStore::Create(dir.File("db"));
  auto r = (*store)->CreateAccessKey({"LTAI1", "9999999999999999", "s", true, "t"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InternalError");
  EXPECT_EQ(r.error().http_status, 500);
}

TEST(SqliteStoreTest, DeleteAndDisableReportWhetherTheKeyExisted) {
  TempDir dir;
  auto store = SqliteStore::Create(dir.File("db"));
  ASSERT_TRUE((*store)->CreateAccount({"1234567890123456", "a", "t"}));
  ASSERT_TRUE((*store)->CreateAccessKey({"LTAI1", "1234567890123456", "s", true, "t"}));
  EXPECT_TRUE(*(*store)->SetAccessKeyActive("LTAI1", false));
  EXPECT_FALSE((*store)->ListAccessKeys()->at(0).active);
  EXPECT_FALSE(*(*store)->SetAccessKeyActive("LTAI2", false));
  EXPECT_TRUE(*(*store)->DeleteAccessKey("LTAI1"));
  EXPECT_FALSE(*(*store)->DeleteAccessKey("LTAI1"));
  EXPECT_TRUE((*store)->ListAccessKeys()->empty());
}

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

TEST(SqliteStoreTest, ADatabaseFromANewerBinaryIsRefused) {
  TempDir dir;
  {
    auto db = SqliteDatabase::Open(dir.File("db"));
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version=999"));
  }
  auto store = SqliteStore::Create(dir.File("db"));
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().internal.find("newer"), std::string::npos);
}

TEST(SqliteStoreTest, ChangesByAnotherConnectionMoveTheExternalChangeCounter) {
  TempDir dir;
  auto store = SqliteStore::Create(dir.File("db"));
  auto before = (*store)->ExternalChangeCounter();
  auto other = SqliteStore::Create(dir.File("db"));
  ASSERT_TRUE((*other)->CreateAccount({"1234567890123456", "a", "t"}));
  EXPECT_NE(*(*store)->ExternalChangeCounter(), *before);
}

}  // namespace
}  // namespace openalb
