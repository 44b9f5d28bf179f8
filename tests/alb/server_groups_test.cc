// Server groups and their servers: the statuses their jobs move through, every rule of
// adding and removing servers, a failed job undone, deletion while in use, isolation
// between accounts, and what a forwarding listener is told to serve.
#include "alb/server_groups.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alb/jobs.h"
#include "alb/served_listeners.h"
#include "support/domain_fixture.h"
#include "support/result_code.h"

namespace openalb {
namespace {

using testing::DomainFixture;
using testing::kDomainAccount;
using testing::kOtherAccount;

using testing::CodeOf;

ServerSpec Ip(const std::string& address, int port, int weight = 100) {
  return {address, "", "Ip", port, weight, ""};
}

class ServerGroupsTest : public ::testing::Test {
 protected:
  std::string MakeGroup(const std::string& type = "Ip",
                        const std::string& account = kDomainAccount) {
    auto job = CreateServerGroup(f_.domain(), {f_.Write(account), "web", type, "", "", "vpc-1"});
    EXPECT_TRUE(job) << job.error().message;
    f_.RunJobs();
    return job->resource_id;
  }
  Result<Job> Add(const std::string& group, std::vector<ServerSpec> servers,
                  const std::string& account = kDomainAccount) {
    return AddServersToServerGroup(f_.domain(), {f_.Write(account), group, std::move(servers)});
  }
  Result<Job> Remove(const std::string& group, std::vector<ServerSpec> servers) {
    return RemoveServersFromServerGroup(f_.domain(), {f_.Write(), group, std::move(servers)});
  }
  // "address:port:Status" of each server.
  std::vector<std::string> ServersOf(const std::string& group) {
    auto page = ListServerGroupServers(f_.domain(), kDomainAccount, {group, {}}, {0, 100});
    EXPECT_TRUE(page);
    std::vector<std::string> out;
    for (const auto& s : page->items) {
      out.push_back(s.server_ip + ":" + std::to_string(s.port) + ":" + s.status);
    }
    return out;
  }
  ServerGroupView GroupView(const std::string& group) {
    auto page =
        ListServerGroups(f_.domain(), {.account_id = kDomainAccount, .ids = {group}}, {0, 10});
    EXPECT_TRUE(page);
    EXPECT_EQ(page->items.size(), 1u);
    return page->items.front();
  }
  DomainFixture f_;
};

TEST_F(ServerGroupsTest, AGroupIsCreatingUntilItsJobRunsThenAvailable) {
  auto job = CreateServerGroup(f_.domain(), {f_.Write(), "web", "", "", "", "vpc-1"});
  ASSERT_TRUE(job);
  EXPECT_THAT(job->resource_id, ::testing::MatchesRegex("sgp-[a-z0-9]{20}"));
  EXPECT_EQ(job->resource_type, "servergroup");
  ServerGroupView view = GroupView(job->resource_id);
  EXPECT_EQ(view.group.status, "Creating");
  EXPECT_EQ(view.group.server_group_type, "Instance");
  EXPECT_EQ(view.group.protocol, "HTTP");
  EXPECT_EQ(view.group.scheduler, "Wrr");
  EXPECT_EQ(CodeOf(Add(job->resource_id, {{"i-1", "10.0.0.1", "Ecs", 80, 100, ""}})),
            "IncorrectStatus.ServerGroup");
  EXPECT_EQ(f_.RunJobs(), 1);
  EXPECT_EQ(GroupView(job->resource_id).group.status, "Available");
}

TEST_F(ServerGroupsTest, CreationChecksNameTypeProtocolAndScheduler) {
  auto create = [&](std::string name, std::string type, std::string protocol,
                    std::string scheduler) {
    return CodeOf(
        CreateServerGroup(f_.domain(), {f_.Write(), name, type, protocol, scheduler, ""}));
  };
  EXPECT_EQ(create("", "", "", ""), "MissingServerGroupName");
  EXPECT_EQ(create("x", "", "", ""), "InvalidParameter");
  EXPECT_EQ(create("1web", "", "", ""), "InvalidParameter");
  EXPECT_EQ(create("web site", "", "", ""), "InvalidParameter");
  EXPECT_EQ(create("web", "Fc", "", ""), "InvalidParameter");
  EXPECT_EQ(create("web", "", "GRPC", ""), "InvalidParameter");  // ALB's spelling is gRPC
  EXPECT_EQ(create("web", "", "gRPC", ""), "ok");
  EXPECT_EQ(create("web", "", "HTTPS", ""), "ok");
  EXPECT_EQ(create("web", "", "", "Lc"), "InvalidParameter");
  EXPECT_EQ(create("web-1.a_b", "Ip", "HTTP", "Sch"), "ok");
}

TEST_F(ServerGroupsTest, ServersAreAddingUntilTheJobRunsAndTheGroupIsConfiguring) {
  std::string group = MakeGroup();
  auto job = Add(group, {Ip("127.0.0.1", 8080, 3), Ip("::1", 8081)});
  ASSERT_TRUE(job) << job.error().message << job.error().internal;
  EXPECT_EQ(ServersOf(group),
            (std::vector<std::string>{"127.0.0.1:8080:Adding", "::1:8081:Adding"}));
  EXPECT_EQ(GroupView(group).group.status, "Configuring");
  EXPECT_EQ(CodeOf(Add(group, {Ip("127.0.0.1", 9000)})), "IncorrectStatus.ServerGroup");
  f_.RunJobs();
  EXPECT_EQ(ServersOf(group),
            (std::vector<std::string>{"127.0.0.1:8080:Available", "::1:8081:Available"}));
  ServerGroupView view = GroupView(group);
  EXPECT_EQ(view.group.status, "Available");
  EXPECT_EQ(view.server_count, 2);
}

TEST_F(ServerGroupsTest, EveryRuleOfAddingServers) {
  std::string ip_group = MakeGroup("Ip");
  std::string instance_group = MakeGroup("Instance");
  EXPECT_EQ(CodeOf(Add(ip_group, {})), "MissingServers");
  EXPECT_EQ(CodeOf(Add(ip_group, {{"i-1", "10.0.0.1", "Ecs", 80, 100, ""}})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(ip_group, {Ip("backend.test", 80)})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(ip_group, {{"10.0.0.1", "10.0.0.2", "Ip", 80, 100, ""}})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(ip_group, {Ip("10.0.0.1", 0)})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(ip_group, {Ip("10.0.0.1", 80, 101)})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(ip_group, {Ip("10.0.0.1", 80, -1)})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(instance_group, {Ip("10.0.0.1", 80)})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(instance_group, {{"i-1", "", "Ecs", 80, 100, ""}})), "InvalidParameter");
  EXPECT_EQ(CodeOf(Add(instance_group, {{"i-1", "10.0.0.9", "Fc", 80, 100, ""}})),
            "InvalidParameter");
  // The same server twice in one call, or one already in the group.
  EXPECT_EQ(CodeOf(Add(ip_group, {Ip("10.0.0.1", 80), Ip("10.0.0.1", 80)})),
            "ResourceAlreadyExist.BackendServer");
  EXPECT_TRUE(ServersOf(ip_group).empty());  // the refused call left nothing behind
  EXPECT_EQ(GroupView(ip_group).group.status, "Available");
  ASSERT_TRUE(Add(instance_group, {{"i-1", "10.0.0.9", "Ecs", 80, 100, ""}}));
  f_.RunJobs();
  EXPECT_EQ(CodeOf(Add(instance_group, {{"i-1", "10.0.0.9", "Ecs", 80, 5, ""}})),
            "ResourceAlreadyExist.BackendServer");
  ASSERT_TRUE(Add(instance_group, {{"i-1", "10.0.0.9", "Ecs", 81, 5, ""}}));  // another port
  EXPECT_EQ(CodeOf(Add("sgp-00000000000000000000", {Ip("10.0.0.1", 80)})),
            "ResourceNotFound.ServerGroup");
}

TEST_F(ServerGroupsTest, QuotasPerCallAndPerGroup) {
  DomainFixture small({.servers_per_call = 2, .servers_per_server_group = 3});
  auto created = CreateServerGroup(small.domain(), {small.Write(), "web", "Ip", "", "", ""});
  ASSERT_TRUE(created);
  small.RunJobs();
  const std::string& group = created->resource_id;
  auto add = [&](std::vector<ServerSpec> servers) {
    return AddServersToServerGroup(small.domain(), {small.Write(), group, std::move(servers)});
  };
  EXPECT_EQ(CodeOf(add({Ip("10.0.0.1", 1), Ip("10.0.0.1", 2), Ip("10.0.0.1", 3)})),
            "InvalidParameter");
  ASSERT_TRUE(add({Ip("10.0.0.1", 1), Ip("10.0.0.1", 2)}));
  small.RunJobs();
  EXPECT_EQ(CodeOf(add({Ip("10.0.0.1", 3), Ip("10.0.0.1", 4)})),
            "QuotaExceeded.ServerGroupServersNum");
  EXPECT_TRUE(add({Ip("10.0.0.1", 3)}));
}

TEST_F(ServerGroupsTest, RemovedServersAreRemovingThenGone) {
  std::string group = MakeGroup();
  ASSERT_TRUE(Add(group, {Ip("10.0.0.1", 80), Ip("10.0.0.2", 80)}));
  f_.RunJobs();
  EXPECT_EQ(CodeOf(Remove(group, {Ip("10.0.0.3", 80)})), "ResourceNotFound.BackendServer");
  EXPECT_EQ(CodeOf(Remove(group, {Ip("10.0.0.1", 81)})), "ResourceNotFound.BackendServer");
  ASSERT_TRUE(Remove(group, {Ip("10.0.0.1", 80), Ip("10.0.0.1", 80)}));  // named twice: once
  EXPECT_EQ(ServersOf(group),
            (std::vector<std::string>{"10.0.0.1:80:Removing", "10.0.0.2:80:Available"}));
  f_.RunJobs();
  EXPECT_EQ(ServersOf(group), (std::vector<std::string>{"10.0.0.2:80:Available"}));
  EXPECT_EQ(GroupView(group).group.status, "Available");
}

TEST_F(ServerGroupsTest, AFailedJobPutsServersAndGroupBack) {
  std::string group = MakeGroup();
  ASSERT_TRUE(Add(group, {Ip("10.0.0.1", 80)}));
  f_.RunJobs();
  auto adding = Add(group, {Ip("10.0.0.2", 80)});
  ASSERT_TRUE(adding);
  ASSERT_TRUE(f_.store().Transact(TxMode::kWrite, [&](StoreTx& tx) {
    return FailJob(tx, *adding, ApiError{"OperationFailed.Test", 500, "failed on purpose", {}}, 1);
  }));
  EXPECT_EQ(ServersOf(group), (std::vector<std::string>{"10.0.0.1:80:Available"}));
  auto removing = Remove(group, {Ip("10.0.0.1", 80)});
  ASSERT_TRUE(removing);
  ASSERT_TRUE(f_.store().Transact(TxMode::kWrite, [&](StoreTx& tx) {
    return FailJob(tx, *removing, ApiError{"OperationFailed.Test", 500, "failed", {}}, 1);
  }));
  EXPECT_EQ(ServersOf(group), (std::vector<std::string>{"10.0.0.1:80:Available"}));
  EXPECT_EQ(GroupView(group).group.status, "Available");
  EXPECT_EQ(f_.FindJob(removing->job_id).error_code, "OperationFailed.Test");
}

TEST_F(ServerGroupsTest, AGroupInUseCannotBeDeleted) {
  std::string group = MakeGroup();
  std::string lb = f_.MakeLoadBalancer();
  std::string certificate = f_.MakeCertificate("default.test");
  ASSERT_TRUE(CreateListener(f_.domain(), {f_.Write(), lb, "HTTPS", 443, certificate, "", group}));
  f_.RunJobs();
  auto deleting = DeleteServerGroup(f_.domain(), f_.Write(), group);
  EXPECT_EQ(CodeOf(deleting), "ResourceInUse.ServerGroup");
  EXPECT_EQ(GroupView(group).listener_ids.size(), 1u);
  EXPECT_EQ(GroupView(group).load_balancer_ids, std::vector<std::string>{lb});

  // Accepted while unused, then a listener starts forwarding to it: the job fails.
  std::string other = MakeGroup();
  auto accepted = DeleteServerGroup(f_.domain(), f_.Write(), other);
  ASSERT_TRUE(accepted);
  ASSERT_TRUE(CreateListener(f_.domain(), {f_.Write(), lb, "HTTPS", 444, certificate, "", other}));
  f_.RunJobs();
  EXPECT_EQ(f_.FindJob(accepted->job_id).error_code, "ResourceInUse.ServerGroup");
  EXPECT_EQ(GroupView(other).group.status, "Available");

  std::string unused = MakeGroup();
  ASSERT_TRUE(DeleteServerGroup(f_.domain(), f_.Write(), unused));
  f_.RunJobs();
  auto gone =
      ListServerGroups(f_.domain(), {.account_id = kDomainAccount, .ids = {unused}}, {0, 10});
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->items.empty());
}

TEST_F(ServerGroupsTest, AnotherAccountsGroupDoesNotExist) {
  std::string theirs = MakeGroup("Ip", kOtherAccount);
  EXPECT_EQ(CodeOf(Add(theirs, {Ip("10.0.0.1", 80)})), "ResourceNotFound.ServerGroup");
  EXPECT_EQ(CodeOf(ListServerGroupServers(f_.domain(), kDomainAccount, {theirs, {}}, {0, 10})),
            "ResourceNotFound.ServerGroup");
  EXPECT_EQ(CodeOf(DeleteServerGroup(f_.domain(), f_.Write(), theirs)),
            "ResourceNotFound.ServerGroup");
  std::string lb = f_.MakeLoadBalancer();
  std::string certificate = f_.MakeCertificate("default.test");
  EXPECT_EQ(
      CodeOf(CreateListener(f_.domain(), {f_.Write(), lb, "HTTPS", 443, certificate, "", theirs})),
      "ResourceNotFound.ServerGroup");
  auto mine = ListServerGroups(f_.domain(), {.account_id = kDomainAccount}, {0, 10});
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->items.empty());
}

TEST_F(ServerGroupsTest, AListenerForwardsToServersFromTheirAddUntilTheirRemoval) {
  std::string group = MakeGroup();
  std::string lb = f_.MakeLoadBalancer();
  std::string certificate = f_.MakeCertificate("default.test");
  auto created =
      CreateListener(f_.domain(), {f_.Write(), lb, "HTTPS", 443, certificate, "", group});
  ASSERT_TRUE(created);
  f_.RunJobs();
  ASSERT_TRUE(Add(group, {Ip("10.0.0.1", 80, 2), Ip("10.0.0.2", 80, 0)}));
  f_.RunJobs();
  ASSERT_TRUE(Add(group, {Ip("10.0.0.3", 80)}));  // still Adding
  ASSERT_TRUE(f_.store().Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    auto listener = tx.FindListener(kDomainAccount, created->resource_id);
    if (!listener) return Fail(listener.error());
    auto served = ServedListener(tx, **listener);
    if (!served) return Fail(served.error());
    EXPECT_TRUE(*served);
    EXPECT_TRUE((*served)->forward);
    const ForwardConfig& forward = *(*served)->forward;
    EXPECT_EQ(forward.server_group_id, group);
    EXPECT_EQ(forward.servers.size(), 1u);  // weight 0 and Adding are left out
    EXPECT_EQ(forward.servers.front().address, "10.0.0.1");
    EXPECT_EQ(forward.servers.front().weight, 2);
    return {};
  }));
}

}  // namespace
}  // namespace openalb
