// The Store contract's fixture, shared by its test files (store_contract_test.cc and one file
// per resource): the two engines — a real SQLite file and a real PostgreSQL database
// (support/test_postgres) — and a fresh store of each for every test.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "support/test_postgres.h"

namespace openalb {
namespace store_contract_test {

inline constexpr char kAccount[] = "1234567890123456";
inline constexpr char kOther[] = "6543210987654321";

// One engine: where a fresh store lives, how to open it, and raw SQL beside the store (as
// an operator with the database's own client would run it).
struct Engine {
  std::string name;
  std::function<std::string(const testing::TempDir&)> fresh_location;
  std::function<Result<std::unique_ptr<Store>>(const std::string&)> open;
  std::function<bool(const std::string&, const std::string&)> raw_exec;
  std::string mark_schema_newer;  // raw SQL
};

inline Engine Sqlite() {
  return {"sqlite", [](const testing::TempDir& dir) { return dir.File("openalb.db"); },
          [](const std::string& path) -> Result<std::unique_ptr<Store>> {
            auto store = SqliteStore::Create(path);
            if (!store) return Fail(store.error());
            return std::unique_ptr<Store>(std::move(*store));
          },
          [](const std::string& path, const std::string& sql) {
            sqlite3* db = nullptr;
            if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
            const bool ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
            sqlite3_close(db);
            return ok;
          },
          "PRAGMA user_version=999"};
}

inline Engine Postgres() {
  return {"postgres", [](const testing::TempDir&) { return testing::FreshPostgresDatabase(); },
          [](const std::string& url) -> Result<std::unique_ptr<Store>> {
            auto store = PgStore::Create(url);
            if (!store) return Fail(store.error());
            return std::unique_ptr<Store>(std::move(*store));
          },
          [](const std::string& url, const std::string& sql) {
            PGconn* conn = PQconnectdb(url.c_str());
            PGresult* result = PQexec(conn, sql.c_str());
            const auto status = PQresultStatus(result);
            PQclear(result);
            PQfinish(conn);
            return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
          },
          "UPDATE openalb_schema SET version = 999"};
}

inline LoadBalancer MakeLb(const std::string& id) {
  return {id, kAccount, "lb", "Basic", "Active", "vpc", "Internet", 1};
}

inline Job MakeJob(const std::string& account, int n, const std::string& status = "Succeeded") {
  return {.job_id = "job-" + account + "-" + std::to_string(n),
          .account_id = account,
          .api_name = "AssociateAdditionalCertificatesWithListener",
          .operate_type = "Update",
          .resource_type = "listener",
          .resource_id = "lsr-" + std::to_string(n % 3),
          .status = status,
          .created_ms = n,
          .modified_ms = n,
          .run_after_ms = n};
}

class StoreContract : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    location_ = GetParam().fresh_location(dir_);
    store_ = Open();
    ASSERT_TRUE(store_);
    ASSERT_TRUE(store_->CreateAccount({kAccount, "a", "2026-11-23T00:00:00Z"}));
  }

  std::unique_ptr<Store> Open() {
    auto store = GetParam().open(location_);
    EXPECT_TRUE(store) << (store ? "" : store.error().internal);
    return store ? std::move(*store) : nullptr;
  }

  bool Raw(const std::string& sql) { return GetParam().raw_exec(location_, sql); }

  int CountLbs() {
    auto page = InTransaction<Page<LoadBalancer>>(*store_, TxMode::kRead, [](StoreTx& tx) {
      return tx.ListLoadBalancers({.account_id = kAccount}, {.after = 0, .limit = 100});
    });
    return page ? static_cast<int>(page->total) : -1;
  }

  std::int64_t JobTotal(JobFilter filter) {
    auto page = InTransaction<Page<Job>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
      return tx.ListJobs(filter, {.after = 0, .limit = 2});
    });
    return page ? page->total : -1;
  }

  testing::TempDir dir_;
  std::string location_;
  std::unique_ptr<Store> store_;
};

}  // namespace store_contract_test
}  // namespace openalb
