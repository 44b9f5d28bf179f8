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

TEST(SqliteStoreTest, TheAuditLogOnlyGrows) {
  TempDir dir;
  auto store = std::move(*SqliteStore::Create(dir.File("db")));
  AuditEntry entry{.time = "2026-11-23T12:00:00Z",
                   .request_id = "R1",
                   .account_id = "1234567890123456",
                   .action = "alb:DeleteListener",
                   .resource = "acs:alb:cn-hangzhou:1234567890123456:loadbalancer/alb-1",
                   .result = "Denied",
                   .code = "Forbidden.NoPermission"};
  ASSERT_TRUE(store->Transact(TxMode::kWrite, [&](StoreTx& tx) {
    if (auto r = tx.InsertAuditEntry(entry); !r) return r;
    entry.request_id = "R2";
    entry.account_id = "6543210987654321";
    return tx.InsertAuditEntry(entry);
  }));
  auto mine = InTransaction<std::vector<AuditEntry>>(*store, TxMode::kRead, [](StoreTx& tx) {
    return tx.ListAuditEntries("1234567890123456", 0, 10);
  });
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].request_id, "R1");
  EXPECT_EQ((*mine)[0].code, "Forbidden.NoPermission");
  auto after_first = InTransaction<std::vector<AuditEntry>>(
      *store, TxMode::kRead,
      [&](StoreTx& tx) { return tx.ListAuditEntries("", (*mine)[0].seq, 10); });
  ASSERT_TRUE(after_first);
  ASSERT_EQ(after_first->size(), 1u);
  EXPECT_EQ((*after_first)[0].request_id, "R2");

  // Neither an update nor a delete gets through, not even by SQL on the file.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("db").c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit_log SET result = 'Success'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit_log", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto all = InTransaction<std::vector<AuditEntry>>(
      *store, TxMode::kRead, [](StoreTx& tx) { return tx.ListAuditEntries("", 0, 10); });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].result, "Denied");
}

TEST(SqliteStoreTest, AnAttachmentNeedsItsUserAndPolicy) {
  TempDir dir;
  auto store = std::move(*SqliteStore::Create(dir.File("db")));
  ASSERT_TRUE(store->CreateAccount({"1234567890123456", "a", "t"}));
  auto attached = store->Transact(TxMode::kWrite, [](StoreTx& tx) {
    return tx.InsertPolicyAttachment({"1234567890123456", "nope", "nobody"});
  });
  EXPECT_FALSE(attached);
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
