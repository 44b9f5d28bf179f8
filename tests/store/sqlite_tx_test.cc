// What only the SQLite engine has: its statement cache, group commit, and upgrades from
// earlier schemas. The contract both engines keep is in store_contract_test.cc.
#include <gtest/gtest.h>

#include <thread>

#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace openalb {
namespace {

constexpr char kAccount[] = "1234567890123456";

LoadBalancer MakeLb(const std::string& id) {
  return {id, kAccount, "lb", "Basic", "Active", "vpc", "Internet", 1};
}

TEST(SqliteDatabaseTest, AStatementInUseIsNotHandedOutTwice) {
  testing::TempDir dir;
  auto db = SqliteDatabase::Open(dir.File("t.db"));
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);"));
  const char* sql = "SELECT x FROM t ORDER BY x";
  auto outer = (*db)->Prepare(sql);
  ASSERT_TRUE(outer);
  std::vector<std::int64_t> pairs;
  while (*outer->Step()) {
    auto inner = (*db)->Prepare(sql);  // same SQL while the outer one is mid-iteration
    ASSERT_TRUE(inner);
    ASSERT_TRUE(*inner->Step());
    pairs.push_back(outer->ColumnInt(0) * 10 + inner->ColumnInt(0));
  }
  EXPECT_EQ(pairs, (std::vector<std::int64_t>{11, 21, 31}));
  auto again = (*db)->Prepare(sql);  // released: reset, from the first row
  ASSERT_TRUE(again && *again->Step());
  EXPECT_EQ(again->ColumnInt(0), 1);
}

TEST(SqliteMigrationTest, ADatabaseOfTheFirstReleaseUpgradesKeepingItsAccounts) {
  testing::TempDir dir;
  {
    auto db = SqliteDatabase::Open(dir.File("openalb.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(MigrateSqliteTo(**db, 1));
    ASSERT_TRUE((*db)->Exec("INSERT INTO accounts VALUES ('1234567890123456', 'old', 'then')"));
  }
  auto store = SqliteStore::Create(dir.File("openalb.db"));
  ASSERT_TRUE(store) << store.error().internal;
  auto accounts = (*store)->ListAccounts();
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ(accounts->front().name, "old");
  EXPECT_TRUE((*store)->Transact(
      TxMode::kWrite, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-new")); }));
}

Job MakeJob(const std::string& account, int n) {
  return {.job_id = "job-" + account + "-" + std::to_string(n),
          .account_id = account,
          .api_name = "AssociateAdditionalCertificatesWithListener",
          .operate_type = "Update",
          .resource_type = "listener",
          .resource_id = "lsr-" + std::to_string(n % 3),
          .status = "Succeeded",
          .created_ms = n,
          .modified_ms = n,
          .run_after_ms = n};
}

std::int64_t JobTotal(SqliteStore& store, JobFilter filter) {
  auto page = InTransaction<Page<Job>>(store, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListJobs(filter, {.after = 0, .limit = 2});
  });
  return page ? page->total : -1;
}

TEST(SqliteMigrationTest, JobsFromBeforeTheCountsAreCounted) {
  testing::TempDir dir;
  {
    auto db = SqliteDatabase::Open(dir.File("openalb.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(MigrateSqliteTo(**db, 4));
    ASSERT_TRUE((*db)->Exec("INSERT INTO accounts VALUES ('1234567890123456', 'old', 'then')"));
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE((*db)->Exec(
          "INSERT INTO jobs (job_id, account_id, api_name, operate_type, resource_type, "
          "resource_id, status, error_code, error_message, payload, created_ms, modified_ms, "
          "run_after_ms) VALUES ('j" +
          std::to_string(i) +
          "', '1234567890123456', 'X', 'Update', 'listener', 'lsr', 'Succeeded', '', '', '', 1, "
          "1, 1)"));
    }
  }
  auto store = SqliteStore::Create(dir.File("openalb.db"));
  ASSERT_TRUE(store) << store.error().internal;
  EXPECT_EQ(JobTotal(**store, {.account_id = kAccount}), 12);
  ASSERT_TRUE((*store)->Transact(TxMode::kWrite,
                                 [](StoreTx& tx) { return tx.InsertJob(MakeJob(kAccount, 100)); }));
  EXPECT_EQ(JobTotal(**store, {.account_id = kAccount}), 13);
}

}  // namespace
}  // namespace openalb
