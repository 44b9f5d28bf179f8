// SqliteStore transactions: commit and rollback as the domain relies on them, savepoints,
// read-only snapshots, the statement cache, and an upgrade from the first schema.
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

class SqliteTxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Create(dir_.File("openalb.db"));
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    ASSERT_TRUE(store_->CreateAccount({kAccount, "a", "2026-11-23T00:00:00Z"}));
  }

  int CountLbs() {
    auto page = InTransaction<Page<LoadBalancer>>(*store_, TxMode::kRead, [](StoreTx& tx) {
      return tx.ListLoadBalancers({.account_id = kAccount}, {.after = 0, .limit = 100});
    });
    return page ? static_cast<int>(page->total) : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteTxTest, AFailingBodyLeavesNothingBehind) {
  auto result = store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertLoadBalancer(MakeLb("alb-1")); !r) return r;
    return Fail(ApiError{"DryRunOperation", 400, "stop here", {}});
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "DryRunOperation");
  EXPECT_EQ(CountLbs(), 0);
}

TEST_F(SqliteTxTest, ANestedFailureUndoesOnlyItsOwnWrites) {
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertLoadBalancer(MakeLb("alb-kept")); !r) return r;
    auto nested = tx.Nested([](StoreTx& inner) -> Result<void> {
      if (auto r = inner.InsertLoadBalancer(MakeLb("alb-undone")); !r) return r;
      return Fail(ApiError{"Nope", 400, "", {}});
    });
    EXPECT_FALSE(nested);
    return tx.Nested([](StoreTx& inner) { return inner.InsertLoadBalancer(MakeLb("alb-also")); });
  }));
  EXPECT_EQ(CountLbs(), 2);
}

TEST_F(SqliteTxTest, ReadTransactionsCannotWrite) {
  auto result = store_->Transact(
      TxMode::kRead, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-r")); });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InternalError");
  EXPECT_EQ(CountLbs(), 0);
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

TEST_F(SqliteTxTest, RepeatedLookupsThroughTheCacheGiveEachTheirOwnAnswer) {
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    for (int i = 0; i < 3; ++i) {
      if (auto r = tx.InsertLoadBalancer(MakeLb("alb-" + std::to_string(i))); !r) return r;
    }
    return {};
  }));
  ASSERT_TRUE(store_->Transact(TxMode::kRead, [](StoreTx& tx) -> Result<void> {
    for (int round = 0; round < 50; ++round) {
      for (int i = 0; i < 3; ++i) {
        auto lb = tx.FindLoadBalancer(kAccount, "alb-" + std::to_string(i));
        EXPECT_TRUE(lb && *lb && (*lb)->load_balancer_id == "alb-" + std::to_string(i));
      }
    }
    return {};
  }));
}

TEST_F(SqliteTxTest, KeysetPagesStayCorrectWhileRowsAreAdded) {
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    for (int i = 0; i < 5; ++i) {
      if (auto r = tx.InsertLoadBalancer(MakeLb("alb-" + std::to_string(i))); !r) return r;
    }
    return {};
  }));
  auto list = [&](PageRequest page) {
    return InTransaction<Page<LoadBalancer>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
      return tx.ListLoadBalancers({.account_id = kAccount}, page);
    });
  };
  auto first = list({.after = 0, .limit = 3});
  ASSERT_TRUE(first && first->next);
  ASSERT_TRUE(store_->Transact(
      TxMode::kWrite, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-late")); }));
  auto second = list({.after = *first->next, .limit = 3});
  ASSERT_TRUE(second);
  ASSERT_EQ(second->items.size(), 3u);
  EXPECT_EQ(second->items[0].load_balancer_id, "alb-3");
  EXPECT_EQ(second->items[2].load_balancer_id, "alb-late");
  EXPECT_FALSE(second->next);
  EXPECT_EQ(second->total, 6);
}

TEST_F(SqliteTxTest, ConcurrentWritersCommitTogetherButFailAlone) {
  constexpr int kThreads = 16, kWrites = 25;
  std::atomic<int> succeeded{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const bool fail = i % 3 == 0;
        auto result = store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
          std::string id = "alb-" + std::to_string(t) + "-" + std::to_string(i);
          if (auto r = tx.InsertLoadBalancer(MakeLb(id)); !r) return r;
          if (fail) return Fail(ApiError{"Refused", 400, "", {}});
          return {};
        });
        EXPECT_EQ(static_cast<bool>(result), !fail);
        (result ? succeeded : failed)++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), kThreads * 9);
  EXPECT_EQ(CountLbs(), succeeded.load());
  EXPECT_EQ(succeeded.load(), kThreads * 16);
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

TEST_F(SqliteTxTest, JobTotalsAreRightWithAndWithoutFiltersAcrossAccounts) {
  constexpr char kOther[] = "6543210987654321";
  ASSERT_TRUE(store_->CreateAccount({kOther, "b", "2026-11-23T00:00:00Z"}));
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    for (int i = 0; i < 30; ++i) {
      if (auto r = tx.InsertJob(MakeJob(kAccount, i)); !r) return r;
    }
    for (int i = 0; i < 7; ++i) {
      if (auto r = tx.InsertJob(MakeJob(kOther, i)); !r) return r;
    }
    return {};
  }));
  // A rolled-back insert is not counted.
  EXPECT_FALSE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertJob(MakeJob(kAccount, 99)); !r) return r;
    return Fail(ApiError{"Nope", 400, "", {}});
  }));
  EXPECT_EQ(JobTotal(*store_, {.account_id = kAccount}), 30);
  EXPECT_EQ(JobTotal(*store_, {.account_id = kOther}), 7);
  EXPECT_EQ(JobTotal(*store_, {.account_id = "0000000000000000"}), 0);
  EXPECT_EQ(JobTotal(*store_, {.account_id = kAccount, .resource_ids = {"lsr-0"}}), 10);
  EXPECT_EQ(JobTotal(*store_, {.account_id = kAccount, .created_from_ms = 25}), 5);
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
