// Forwarding rules in the domain: the statuses their jobs move through, what the data plane is
// told to serve before and after each job (a new rule from its job on, an update's new content
// once applied, a deleted rule until then), priorities, quotas, failed jobs undone, isolation
// between accounts. Runs on SQLite and PostgreSQL (domain.postgres).
#include "alb/rules.h"

#include <gtest/gtest.h>

#include "alb/jobs.h"
#include "alb/listeners.h"
#include "alb/served_listeners.h"
#include "alb/server_groups.h"
#include "support/domain_fixture.h"
#include "support/result_code.h"

namespace openalb {
namespace {

using testing::CodeOf;
using testing::DomainFixture;
using testing::kDomainAccount;
using testing::kOtherAccount;

RuleParameterObject PathIs(const std::string& path) {
  return {{"Type", "Path"}, {"PathConfig.Values.1", path}};
}
RuleParameterObject FixedBody(const std::string& body) {
  return {{"Type", "FixedResponse"},
          {"Order", "1"},
          {"FixedResponseConfig.HttpCode", "200"},
          {"FixedResponseConfig.Content", body}};
}
RuleParameterObject ForwardTo(const std::string& group) {
  return {{"Type", "ForwardGroup"},
          {"Order", "1"},
          {"ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId", group}};
}

class RulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lb_ = f_.MakeLoadBalancer();
    listener_ = f_.MakeHttpsListener(lb_);
  }
  Result<Job> Create(const std::string& name, int priority, RuleParameterObject condition,
                     RuleParameterObject action, const std::string& account = kDomainAccount) {
    RuleInput input{.name = "rule-" + name,
                    .priority = priority,
                    .conditions = std::vector<RuleParameterObject>{std::move(condition)},
                    .actions = std::vector<RuleParameterObject>{std::move(action)}};
    return CreateRules(f_.domain(), {f_.Write(account), "CreateRule", listener_, {input}});
  }
  Rule RuleOf(const std::string& id) {
    auto page = ListRules(f_.domain(), {.account_id = kDomainAccount, .ids = {id}}, {0, 10});
    EXPECT_TRUE(page);
    EXPECT_EQ(page->items.size(), 1u);
    return page->items.empty() ? Rule{} : page->items.front();
  }
  // The served rules' fixed-response bodies, by priority.
  std::vector<std::string> Served() {
    auto config = InTransaction<std::optional<ListenerConfig>>(
        f_.store(), TxMode::kRead,
        [&](StoreTx& tx) { return ServedListenerById(tx, kDomainAccount, listener_); });
    EXPECT_TRUE(config && *config);
    std::vector<std::string> out;
    for (const auto& rule : (*config)->rules) {
      for (const auto& action : rule.actions) {
        if (action.type == "FixedResponse") out.push_back(action.content);
      }
    }
    return out;
  }
  DomainFixture f_;
  std::string lb_, listener_;
};

TEST_F(RulesTest, ANewRuleIsProvisioningUntilItsJobRunsAndServedFromThen) {
  auto job = Create("first", 10, PathIs("/a"), FixedBody("a"));
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->resource_type, "rule");
  const std::string id = RuleIdsOf(*job).at(0);
  EXPECT_EQ(RuleOf(id).status, "Provisioning");
  EXPECT_EQ(RuleOf(id).load_balancer_id, lb_);
  EXPECT_TRUE(Served().empty());
  EXPECT_EQ(f_.RunJobs(), 1);
  EXPECT_EQ(RuleOf(id).status, "Available");
  EXPECT_EQ(Served(), std::vector<std::string>{"a"});
}

TEST_F(RulesTest, RulesAreServedByPriority) {
  ASSERT_TRUE(Create("late", 30, PathIs("/c"), FixedBody("c")));
  ASSERT_TRUE(Create("early", 10, PathIs("/a"), FixedBody("a")));
  ASSERT_TRUE(Create("middle", 20, PathIs("/b"), FixedBody("b")));
  f_.RunJobs();
  EXPECT_EQ(Served(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(RulesTest, AnUpdateIsServedOnceItsJobRunsAndADeletedRuleUntilThen) {
  auto job = Create("r", 10, PathIs("/a"), FixedBody("old"));
  ASSERT_TRUE(job);
  f_.RunJobs();
  const std::string id = RuleIdsOf(*job).at(0);
  RuleInput change{
      .rule_id = id, .priority = 11, .actions = std::vector<RuleParameterObject>{FixedBody("new")}};
  ASSERT_TRUE(UpdateRules(f_.domain(), {f_.Write(), "UpdateRuleAttribute", {change}}));
  EXPECT_EQ(RuleOf(id).status, "Configuring");
  EXPECT_EQ(Served(), std::vector<std::string>{"old"});
  // A rule in change takes no other change.
  EXPECT_EQ(CodeOf(UpdateRules(f_.domain(), {f_.Write(), "UpdateRuleAttribute", {change}})),
            "IncorrectStatus.Rule");
  f_.RunJobs();
  EXPECT_EQ(RuleOf(id).status, "Available");
  EXPECT_EQ(RuleOf(id).priority, 11);
  EXPECT_EQ(Served(), std::vector<std::string>{"new"});
  ASSERT_TRUE(DeleteRules(f_.domain(), f_.Write(), "DeleteRule", {id}));
  EXPECT_EQ(RuleOf(id).status, "Configuring");
  EXPECT_EQ(Served(), std::vector<std::string>{"new"});
  f_.RunJobs();
  auto page = ListRules(f_.domain(), {.account_id = kDomainAccount}, {0, 10});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
  EXPECT_TRUE(Served().empty());
}

TEST_F(RulesTest, APriorityIsUniquePerListenerAndDirection) {
  ASSERT_TRUE(Create("a", 10, PathIs("/a"), FixedBody("a")));
  EXPECT_EQ(CodeOf(Create("b", 10, PathIs("/b"), FixedBody("b"))), "Conflict.Priority");
  // The other listener of the load balancer has its own priorities.
  const std::string other = f_.MakeHttpsListener(lb_, 8443);
  RuleInput input{.name = "rule-c",
                  .priority = 10,
                  .conditions = std::vector<RuleParameterObject>{PathIs("/c")},
                  .actions = std::vector<RuleParameterObject>{FixedBody("c")}};
  EXPECT_TRUE(CreateRules(f_.domain(), {f_.Write(), "CreateRule", other, {input}}));
}

TEST_F(RulesTest, ARuleForwardsOnlyToTheAccountsOwnGroupsAndKeepsThemInUse) {
  auto theirs = CreateServerGroup(f_.domain(), {f_.Write(kOtherAccount), "web", "Ip", "", "", "v"});
  ASSERT_TRUE(theirs);
  f_.RunJobs();
  EXPECT_EQ(CodeOf(Create("x", 10, PathIs("/a"), ForwardTo(theirs->resource_id))),
            "ResourceNotFound.ServerGroup");
  auto mine = CreateServerGroup(f_.domain(), {f_.Write(), "web", "Ip", "", "", "v"});
  ASSERT_TRUE(mine);
  f_.RunJobs();
  ASSERT_TRUE(Create("x", 10, PathIs("/a"), ForwardTo(mine->resource_id)));
  f_.RunJobs();
  EXPECT_EQ(CodeOf(DeleteServerGroup(f_.domain(), f_.Write(), mine->resource_id)),
            "ResourceInUse.ServerGroup");
  // Another account sees none of it.
  auto page = ListRules(f_.domain(), {.account_id = kOtherAccount}, {0, 10});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
}

TEST_F(RulesTest, AFailedCreationLeavesNoRuleAndAFailedUpdateLeavesItAsItWas) {
  auto job = Create("r", 10, PathIs("/a"), FixedBody("a"));
  ASSERT_TRUE(job);
  ASSERT_TRUE(f_.store().Transact(TxMode::kWrite, [&](StoreTx& tx) {
    return FailJob(tx, *job, ApiError{"DataPlaneApplyFailed", 500, "no", {}}, 0);
  }));
  auto page = ListRules(f_.domain(), {.account_id = kDomainAccount}, {0, 10});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
}

TEST_F(RulesTest, TheLoadBalancersRuleQuotaIsEnforced) {
  DomainLimits limits;
  limits.rules_per_load_balancer = 2;
  DomainFixture small(limits);
  const std::string lb = small.MakeLoadBalancer();
  const std::string listener = small.MakeHttpsListener(lb);
  auto create = [&](int priority) {
    RuleInput input{.name = "rule-r",
                    .priority = priority,
                    .conditions = std::vector<RuleParameterObject>{PathIs("/a")},
                    .actions = std::vector<RuleParameterObject>{FixedBody("a")}};
    return CreateRules(small.domain(), {small.Write(), "CreateRule", listener, {input}});
  };
  EXPECT_TRUE(create(1));
  EXPECT_TRUE(create(2));
  EXPECT_EQ(CodeOf(create(3)), "QuotaExceeded.LoadBalancerRulesNum");
}

TEST_F(RulesTest, DeletingTheListenerTakesItsRules) {
  ASSERT_TRUE(Create("r", 10, PathIs("/a"), FixedBody("a")));
  f_.RunJobs();
  ASSERT_TRUE(DeleteListener(f_.domain(), f_.Write(), listener_));
  f_.RunJobs();
  auto page = ListRules(f_.domain(), {.account_id = kDomainAccount}, {0, 10});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
}

}  // namespace
}  // namespace openalb
