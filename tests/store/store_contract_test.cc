// The Store contract, on both engines: every test here runs against a real SQLite file and
// against a real PostgreSQL database (support/test_postgres). Commit and rollback as the
// domain relies on them, savepoints, read-only snapshots, keyset pages under concurrent
// inserts, concurrent writers, job claims, counts, the append-only audit log, accounts and
// keys, schema versions, and the change counter other processes move.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "store/store_contract.h"

namespace openalb {
namespace store_contract_test {

TEST_P(StoreContract, AFailingBodyLeavesNothingBehind) {
  auto result = store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertLoadBalancer(MakeLb("alb-1")); !r) return r;
    return Fail(ApiError{"DryRunOperation", 400, "stop here", {}});
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "DryRunOperation");
  EXPECT_EQ(CountLbs(), 0);
}

TEST_P(StoreContract, ANestedFailureUndoesOnlyItsOwnWrites) {
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

TEST_P(StoreContract, ReadTransactionsCannotWrite) {
  auto result = store_->Transact(
      TxMode::kRead, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-r")); });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InternalError");
  EXPECT_EQ(CountLbs(), 0);
}

TEST_P(StoreContract, RepeatedLookupsGiveEachTheirOwnAnswer) {
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

TEST_P(StoreContract, KeysetPagesStayCorrectWhileRowsAreAdded) {
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

TEST_P(StoreContract, ConcurrentWritersAllCommitButFailAlone) {
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

// PostgreSQL sends writes without waiting for their answers (pipeline mode): a write the
// database refuses must still fail its own writer — and only it — as it does on SQLite.
TEST_P(StoreContract, AWriteTheDatabaseRefusesFailsItsWriterAlone) {
  ASSERT_TRUE(store_->Transact(
      TxMode::kWrite, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-taken")); }));
  auto refused = store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertLoadBalancer(MakeLb("alb-before")); !r) return r;
    return tx.InsertLoadBalancer(MakeLb("alb-taken"));  // the key exists
  });
  EXPECT_FALSE(refused);
  EXPECT_EQ(CountLbs(), 1);  // nothing of that transaction kept
  constexpr int kThreads = 8, kWrites = 12;
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const bool clash = i % 3 == 0;
        auto result = store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
          std::string id = "alb-" + std::to_string(t) + "-" + std::to_string(i);
          if (auto r = tx.InsertLoadBalancer(MakeLb(id)); !r) return r;
          if (clash) return tx.InsertLoadBalancer(MakeLb("alb-taken"));
          return {};
        });
        EXPECT_EQ(static_cast<bool>(result), !clash);
        if (result) ++succeeded;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), kThreads * 8);
  EXPECT_EQ(CountLbs(), 1 + succeeded.load());
  // The store goes on answering.
  ASSERT_TRUE(store_->Transact(
      TxMode::kWrite, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-after")); }));
  EXPECT_EQ(CountLbs(), 2 + succeeded.load());
}

TEST_P(StoreContract, WritersSeeEachOthersCommitsInOrder) {
  // Check-then-write, as the domain does it (a port is free, then take it): with writes
  // serialised, exactly one of many racing writers takes each port.
  ASSERT_TRUE(store_->Transact(
      TxMode::kWrite, [](StoreTx& tx) { return tx.InsertLoadBalancer(MakeLb("alb-ports")); }));
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int port = 1; port <= 10; ++port) {
        auto result = store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
          auto busy = tx.ListenerPortTaken("alb-ports", port);
          if (!busy) return Fail(busy.error());
          if (*busy) return Fail(ApiError{"PortTaken", 400, "", {}});
          Listener l{.listener_id = "lsr-" + std::to_string(t) + "-" + std::to_string(port),
                     .account_id = kAccount,
                     .load_balancer_id = "alb-ports",
                     .protocol = "HTTP",
                     .port = port,
                     .status = "Running",
                     .resting_status = "Running"};
          return tx.InsertListener(l);
        });
        if (result) {
          ++taken;
        } else {
          EXPECT_EQ(result.error().code, "PortTaken") << result.error().internal;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(taken.load(), 10);
}

TEST_P(StoreContract, JobTotalsAreRightWithAndWithoutFiltersAcrossAccounts) {
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
  EXPECT_EQ(JobTotal({.account_id = kAccount}), 30);
  EXPECT_EQ(JobTotal({.account_id = kOther}), 7);
  EXPECT_EQ(JobTotal({.account_id = "0000000000000000"}), 0);
  EXPECT_EQ(JobTotal({.account_id = kAccount, .resource_ids = {"lsr-0"}}), 10);
  EXPECT_EQ(JobTotal({.account_id = kAccount, .created_from_ms = 25}), 5);
}

TEST_P(StoreContract, ConcurrentWorkersNeverClaimTheSameJob) {
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    for (int i = 0; i < 60; ++i) {
      if (auto r = tx.InsertJob(MakeJob(kAccount, i, "Processing")); !r) return r;
    }
    return {};
  }));
  std::mutex mutex;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (true) {
        std::vector<std::string> mine;
        auto pass = store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
          mine.clear();
          auto due = tx.DueJobs(1'000'000, 5);
          if (!due) return Fail(due.error());
          for (Job job : *due) {
            job.status = "Succeeded";
            if (auto r = tx.UpdateJob(job); !r) return r;
            mine.push_back(job.job_id);
          }
          return {};
        });
        ASSERT_TRUE(pass);
        if (mine.empty()) return;
        std::lock_guard lock(mutex);
        claimed.insert(mine.begin(), mine.end());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(claimed.size(), 60u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 60u);
}

TEST_P(StoreContract, BinaryAndTextValuesRoundTripExactly) {
  Certificate c;
  c.certificate_id = "12345-cn-hangzhou";
  c.number = 12345;
  c.account_id = kAccount;
  c.name = "名前 'quoted' ? $1";
  c.dns_names = {"a.example.com", "*.b.example.com"};
  c.chain_pem = "-----BEGIN CERTIFICATE-----\n...";
  c.sealed_private_key = std::string("\x00\x01\xff\\x00'\"?", 9);
  c.not_after_ms = 4'102'444'800'000;  // past 2^32
  ASSERT_TRUE(
      store_->Transact(TxMode::kWrite, [&](StoreTx& tx) { return tx.InsertCertificate(c); }));
  auto found = InTransaction<std::optional<Certificate>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
    return tx.FindCertificateByNumber(kAccount, 12345);
  });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->name, c.name);
  EXPECT_EQ((*found)->dns_names, c.dns_names);
  EXPECT_EQ((*found)->sealed_private_key, c.sealed_private_key);
  EXPECT_EQ((*found)->not_after_ms, c.not_after_ms);
}

TEST_P(StoreContract, ALoadBalancersAttributesAreWrittenAndChangedWhole) {
  LoadBalancer lb = MakeLb("alb-1");
  lb.attributes = R"({"ZoneMappings":[{"ZoneId":"z-1","VSwitchId":"vsw-ä"}]})";
  ASSERT_TRUE(store_->Transact(
      TxMode::kWrite, [&](StoreTx& tx) -> Result<void> { return tx.InsertLoadBalancer(lb); }));
  auto read = [&] {
    return InTransaction<std::optional<LoadBalancer>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
      return tx.FindLoadBalancer(kAccount, "alb-1");
    });
  };
  auto found = read();
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, lb);
  lb.name = "renamed";
  lb.status = "Configuring";
  lb.attributes = R"({"DeletionProtectionConfig":{"Enabled":true}})";
  ASSERT_TRUE(store_->Transact(
      TxMode::kWrite, [&](StoreTx& tx) -> Result<void> { return tx.UpdateLoadBalancer(lb); }));
  found = read();
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, lb);
}

TEST_P(StoreContract, SecurityPoliciesRoundTripInTheOrderGiven) {
  SecurityPolicy p{"spy-1",
                   kAccount,
                   "strict",
                   R"(["TLSv1.3","TLSv1.2"])",
                   R"(["TLS_AES_256_GCM_SHA384","ECDHE-RSA-AES256-GCM-SHA384"])",
                   "rg-1",
                   9};
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertSecurityPolicy(p); !r) return r;
    return tx.PutTag({kAccount, "securitypolicy", "spy-1", "k", "v"});
  }));
  p.name = "stricter";
  p.ciphers = R"(["TLS_AES_256_GCM_SHA384"])";
  ASSERT_TRUE(
      store_->Transact(TxMode::kWrite, [&](StoreTx& tx) { return tx.UpdateSecurityPolicy(p); }));
  auto listed = InTransaction<Page<SecurityPolicy>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListSecurityPolicies({.account_id = kAccount, .ids = {}, .names = {"stricter"}},
                                   {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0], p);
  ASSERT_TRUE(store_->Transact(TxMode::kWrite,
                               [&](StoreTx& tx) { return tx.DeleteSecurityPolicy("spy-1"); }));
  auto tags = InTransaction<Page<ResourceTag>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListTags({.account_id = kAccount}, {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(tags);
  EXPECT_TRUE(tags->items.empty());
}

TEST_P(StoreContract, TagsAreSetOncePerKeyFilteredAndGoWithTheirResource) {
  HealthCheckTemplate t{"hct-1", kAccount, "strict", "{}", 7};
  auto tag = [](std::string id, std::string key, std::string value) {
    return ResourceTag{kAccount, "healthchecktemplate", std::move(id), std::move(key),
                       std::move(value)};
  };
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertHealthCheckTemplate(t); !r) return r;
    for (const auto& x : {tag("hct-1", "env", "prod"), tag("hct-1", "team", "ä"),
                          tag("hct-2", "env", "dev"), tag("hct-1", "env", "staging")}) {
      if (auto r = tx.PutTag(x); !r) return r;
    }
    return {};
  }));
  auto list = [&](TagFilter filter) {
    filter.account_id = kAccount;
    auto page = InTransaction<Page<ResourceTag>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
      return tx.ListTags(filter, {.after = 0, .limit = 10});
    });
    EXPECT_TRUE(page);
    return page ? page->items : std::vector<ResourceTag>{};
  };
  // A second put of a key changes its value and keeps its place.
  EXPECT_EQ(list({.resource_ids = {"hct-1"}}),
            (std::vector<ResourceTag>{tag("hct-1", "env", "staging"), tag("hct-1", "team", "ä")}));
  EXPECT_EQ(list({.keys = {"env"}}).size(), 2u);
  EXPECT_TRUE(list({.resource_type = "loadbalancer"}).empty());
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    return tx.DeleteTags("hct-2", {"env"});
  }));
  EXPECT_EQ(list({.resource_ids = {"hct-2"}}).size(), 0u);
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    return tx.DeleteHealthCheckTemplate("hct-1");
  }));
  EXPECT_TRUE(list({}).empty());
}

TEST_P(StoreContract, ServerGroupAttributesAndHealthCheckTemplatesRoundTrip) {
  ServerGroup g{
      "sgp-1", kAccount,
      "web",   "Ip",
      "HTTPS", "Wlc",
      "vpc-1", "Creating",
      5,       R"({"HealthCheckConfig":{"HealthCheckEnabled":true,"HealthCheckPath":"/ä"}})"};
  HealthCheckTemplate t{"hct-1", kAccount, "strict", R"({"HealthCheckInterval":3})", 7};
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertServerGroup(g); !r) return r;
    return tx.InsertHealthCheckTemplate(t);
  }));
  g.scheduler = "Uch";
  g.attributes = R"({"UchConfig":{"Type":"QueryString","Value":"user"}})";
  g.status = "Available";
  t.name = "stricter";
  t.config = R"({"HealthCheckInterval":4})";
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.UpdateServerGroup(g); !r) return r;
    return tx.UpdateHealthCheckTemplate(t);
  }));
  auto group = InTransaction<std::optional<ServerGroup>>(
      *store_, TxMode::kRead, [&](StoreTx& tx) { return tx.FindServerGroup(kAccount, "sgp-1"); });
  ASSERT_TRUE(group && *group);
  EXPECT_EQ(**group, g);
  auto listed = InTransaction<Page<HealthCheckTemplate>>(*store_, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListHealthCheckTemplates({.account_id = kAccount, .ids = {}, .names = {"stricter"}},
                                       {.after = 0, .limit = 10});
  });
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0], t);
  auto other = InTransaction<std::optional<HealthCheckTemplate>>(
      *store_, TxMode::kRead,
      [&](StoreTx& tx) { return tx.FindHealthCheckTemplate("another-account", "hct-1"); });
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);  // another account does not see it
  ASSERT_TRUE(store_->Transact(TxMode::kWrite,
                               [&](StoreTx& tx) { return tx.DeleteHealthCheckTemplate("hct-1"); }));
  auto gone = InTransaction<std::optional<HealthCheckTemplate>>(
      *store_, TxMode::kRead,
      [&](StoreTx& tx) { return tx.FindHealthCheckTemplate(kAccount, "hct-1"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST_P(StoreContract, AClientTokenIsReplacedNotDuplicated) {
  ClientTokenRecord first{kAccount, "CreateListener", "tok", "f1", "job-1", 1};
  ClientTokenRecord second{kAccount, "CreateListener", "tok", "f2", "job-2", 2};
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertClientToken(first); !r) return r;
    return tx.InsertClientToken(second);
  }));
  auto found = InTransaction<std::optional<ClientTokenRecord>>(
      *store_, TxMode::kRead,
      [&](StoreTx& tx) { return tx.FindClientToken(kAccount, "CreateListener", "tok"); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->job_id, "job-2");
  auto pruned = InTransaction<int>(*store_, TxMode::kWrite,
                                   [](StoreTx& tx) { return tx.DeleteClientTokensBefore(3); });
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 1);
}

TEST_P(StoreContract, AccountsAndKeysSurviveReopening) {
  ASSERT_TRUE(store_->CreateAccessKey({"LTAI1", kAccount, "s1", true, "t"}));
  store_.reset();
  store_ = Open();
  ASSERT_TRUE(store_);
  auto keys = store_->ListAccessKeys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].secret, "s1");
  EXPECT_EQ(store_->ListAccounts()->size(), 1u);
}

TEST_P(StoreContract, TheAuditLogOnlyGrows) {
  AuditEntry entry{.time = "2026-11-23T12:00:00Z",
                   .request_id = "R1",
                   .account_id = kAccount,
                   .action = "alb:DeleteListener",
                   .resource = "acs:alb:cn-hangzhou:1234567890123456:loadbalancer/alb-1",
                   .result = "Denied",
                   .code = "Forbidden.NoPermission"};
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](StoreTx& tx) {
    if (auto r = tx.InsertAuditEntry(entry); !r) return r;
    entry.request_id = "R2";
    entry.account_id = kOther;
    return tx.InsertAuditEntry(entry);
  }));
  auto mine = InTransaction<std::vector<AuditEntry>>(
      *store_, TxMode::kRead, [](StoreTx& tx) { return tx.ListAuditEntries(kAccount, 0, 10); });
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].request_id, "R1");
  EXPECT_EQ((*mine)[0].code, "Forbidden.NoPermission");
  auto after_first = InTransaction<std::vector<AuditEntry>>(
      *store_, TxMode::kRead,
      [&](StoreTx& tx) { return tx.ListAuditEntries("", (*mine)[0].seq, 10); });
  ASSERT_TRUE(after_first);
  ASSERT_EQ(after_first->size(), 1u);
  EXPECT_EQ((*after_first)[0].request_id, "R2");

  // Neither an update nor a delete gets through, not even by SQL beside the store.
  EXPECT_FALSE(Raw("UPDATE audit_log SET result = 'Success'"));
  EXPECT_FALSE(Raw("DELETE FROM audit_log"));
  auto all = InTransaction<std::vector<AuditEntry>>(
      *store_, TxMode::kRead, [](StoreTx& tx) { return tx.ListAuditEntries("", 0, 10); });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].result, "Denied");
}

TEST_P(StoreContract, AnAttachmentNeedsItsUserAndPolicy) {
  auto attached = store_->Transact(TxMode::kWrite, [](StoreTx& tx) {
    return tx.InsertPolicyAttachment({kAccount, "nope", "nobody"});
  });
  EXPECT_FALSE(attached);
}

TEST_P(StoreContract, AKeyNeedsAnExistingAccount) {
  auto r = store_->CreateAccessKey({"LTAI1", "9999999999999999", "s", true, "t"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InternalError");
  EXPECT_EQ(r.error().http_status, 500);
}

TEST_P(StoreContract, DeleteAndDisableReportWhetherTheKeyExisted) {
  ASSERT_TRUE(store_->CreateAccessKey({"LTAI1", kAccount, "s", true, "t"}));
  EXPECT_TRUE(*store_->SetAccessKeyActive("LTAI1", false));
  EXPECT_FALSE(store_->ListAccessKeys()->at(0).active);
  EXPECT_FALSE(*store_->SetAccessKeyActive("LTAI2", false));
  EXPECT_TRUE(*store_->DeleteAccessKey("LTAI1"));
  EXPECT_FALSE(*store_->DeleteAccessKey("LTAI1"));
  EXPECT_TRUE(store_->ListAccessKeys()->empty());
}

TEST_P(StoreContract, ADatabaseFromANewerBinaryIsRefused) {
  store_.reset();
  ASSERT_TRUE(Raw(GetParam().mark_schema_newer));
  auto store = GetParam().open(location_);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().internal.find("newer"), std::string::npos);
}

TEST_P(StoreContract, ChangesByAnotherProcessMoveTheExternalChangeCounter) {
  auto before = store_->ExternalChangeCounter();
  ASSERT_TRUE(before);
  auto other = Open();  // as `openalb keys create` would, beside the server
  ASSERT_TRUE(other->CreateAccessKey({"LTAI9", kAccount, "s", true, "t"}));
  EXPECT_NE(*store_->ExternalChangeCounter(), *before);
}

std::int64_t Version(Store& store) {
  auto v = InTransaction<std::int64_t>(store, TxMode::kRead,
                                       [](StoreTx& tx) { return tx.ConfigVersion(); });
  return v ? *v : -1;
}

TEST_P(StoreContract, EachTransactionMarkedAsAChangeBumpsTheVersionOnce) {
  const std::int64_t start = Version(*store_);
  // Marked twice in one transaction: one version.
  auto committed =
      InTransaction<std::int64_t>(*store_, TxMode::kWrite, [](StoreTx& tx) -> Result<std::int64_t> {
        if (auto r = tx.InsertLoadBalancer(MakeLb("alb-v1")); !r) return Fail(r.error());
        if (auto r = tx.MarkConfigChanged(); !r) return Fail(r.error());
        return tx.MarkConfigChanged();
      });
  ASSERT_TRUE(committed);
  EXPECT_EQ(*committed, start + 1);
  EXPECT_EQ(Version(*store_), start + 1);
  // A rolled-back change, and writes not marked (the API's: rows marked for a job), leave it
  // alone.
  EXPECT_FALSE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.MarkConfigChanged(); !r) return Fail(r.error());
    return Fail(ApiError{"Nope", 400, "", {}});
  }));
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    if (auto r = tx.InsertLoadBalancer(MakeLb("alb-unmarked")); !r) return r;
    return tx.InsertAuditEntry({.time = "t", .request_id = "R", .account_id = kAccount});
  }));
  EXPECT_EQ(Version(*store_), start + 1);
  // A nested failure takes its bump with it; a later change in the same transaction bumps.
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](StoreTx& tx) -> Result<void> {
    EXPECT_FALSE(tx.Nested([](StoreTx& inner) -> Result<void> {
      if (auto r = inner.MarkConfigChanged(); !r) return Fail(r.error());
      return Fail(ApiError{"Nope", 400, "", {}});
    }));
    return tx.NoteServedChange(kAccount, "lsr-v3", 1);
  }));
  EXPECT_EQ(Version(*store_), start + 2);
}

// Each writer's later change carries a later version (SQLite's group commit may give writers
// committed together one version: they are one transaction), and the last is the store's.
TEST_P(StoreContract, ConcurrentChangesGetIncreasingVersions) {
  std::mutex mutex;
  std::vector<std::int64_t> versions;
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::int64_t previous = 0;
      for (int i = 0; i < 10; ++i) {
        auto v = InTransaction<std::int64_t>(
            *store_, TxMode::kWrite, [&](StoreTx& tx) -> Result<std::int64_t> {
              auto r = tx.InsertLoadBalancer(
                  MakeLb("alb-c" + std::to_string(t) + "-" + std::to_string(i)));
              if (!r) return Fail(r.error());
              return tx.MarkConfigChanged();
            });
        ASSERT_TRUE(v);
        if (*v <= previous) ++out_of_order;
        previous = *v;
        std::lock_guard lock(mutex);
        versions.push_back(*v);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(out_of_order.load(), 0);
  std::set<std::int64_t> distinct(versions.begin(), versions.end());
  EXPECT_GE(distinct.size(), 10u);
  EXPECT_EQ(*distinct.rbegin(), Version(*store_));
}

TEST_P(StoreContract, NodesAreRecordedReplacedAndForgotten) {
  NodeRecord a{.node_id = "node-a",
               .roles = "api,worker,dataplane",
               .listener_address = "127.0.0.2",
               .applied_version = 3,
               .heartbeat_ms = 1000,
               .started_ms = 900};
  NodeRecord b{.node_id = "node-b",
               .roles = "dataplane",
               .listener_address = "127.0.0.3",
               .applied_version = 2,
               .apply_error = "port busy",
               .error_version = 2,
               .error_listener_id = "lsr-1",
               .heartbeat_ms = 5000,
               .started_ms = 4000};
  ASSERT_TRUE(store_->RecordNode(a));
  ASSERT_TRUE(store_->RecordNode(b));
  a.applied_version = 4;
  a.heartbeat_ms = 2000;
  ASSERT_TRUE(store_->RecordNode(a));
  auto nodes = store_->ListNodes();
  ASSERT_TRUE(nodes);
  EXPECT_EQ(*nodes, (std::vector<NodeRecord>{a, b}));
  auto forgotten = store_->ForgetNodes(3000);
  ASSERT_TRUE(forgotten);
  EXPECT_EQ(*forgotten, 1);
  EXPECT_EQ(*store_->ListNodes(), std::vector<NodeRecord>{b});
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreContract, ::testing::Values(Sqlite(), Postgres()),
                         [](const auto& info) { return info.param.name; });

}  // namespace store_contract_test
}  // namespace openalb
