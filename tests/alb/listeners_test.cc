// Load balancers and listeners: creation, the statuses their jobs move through, updates of
// the default certificate, start/stop, deletion, lists and isolation between accounts.
#include "alb/listeners.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alb/jobs.h"
#include "alb/load_balancers.h"
#include "support/domain_fixture.h"
#include "support/result_code.h"

namespace openalb {
namespace {

using testing::DomainFixture;
using testing::kDomainAccount;
using testing::kOtherAccount;

using testing::CodeOf;

TEST(LoadBalancersTest, ALoadBalancerIsProvisioningUntilItsJobRuns) {
  DomainFixture f;
  auto job = CreateLoadBalancer(f.domain(), {f.Write(), "web", "Basic", "vpc-1", ""});
  ASSERT_TRUE(job);
  EXPECT_THAT(job->resource_id, ::testing::MatchesRegex("alb-[a-z0-9]{20}"));
  auto lb = GetLoadBalancer(f.domain(), kDomainAccount, job->resource_id);
  ASSERT_TRUE(lb);
  EXPECT_EQ(lb->status, "Provisioning");
  EXPECT_EQ(lb->address_type, "Internet");
  auto early = CreateListener(f.domain(), {f.Write(), job->resource_id, "HTTP", 80, "", ""});
  EXPECT_EQ(CodeOf(early), "IncorrectStatus.LoadBalancer");
  EXPECT_EQ(f.RunJobs(), 1);
  EXPECT_EQ(GetLoadBalancer(f.domain(), kDomainAccount, job->resource_id)->status, "Active");
  EXPECT_EQ(f.FindJob(job->job_id).status, "Succeeded");
}

TEST(LoadBalancersTest, EditionAndAddressTypeAreChecked) {
  DomainFixture f;
  EXPECT_EQ(CodeOf(CreateLoadBalancer(f.domain(), {f.Write(), "x", "Gold", "", ""})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(CreateLoadBalancer(f.domain(), {f.Write(), "x", "Basic", "", "Public"})),
            "InvalidParameter");
}

TEST(LoadBalancersTest, AnotherAccountsLoadBalancerDoesNotExistForTheCaller) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  EXPECT_EQ(CodeOf(GetLoadBalancer(f.domain(), kOtherAccount, lb)),
            "ResourceNotFound.LoadBalancer");
  auto listed =
      ListLoadBalancers(f.domain(), {.account_id = kOtherAccount}, {.after = 0, .limit = 20});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 0);
  EXPECT_EQ(CodeOf(DeleteLoadBalancer(f.domain(), f.Write(kOtherAccount), lb)),
            "ResourceNotFound.LoadBalancer");
}

TEST(LoadBalancersTest, DeletingALoadBalancerTakesItsListeners) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  std::string listener = f.MakeHttpsListener(lb);
  ASSERT_TRUE(DeleteLoadBalancer(f.domain(), f.Write(), lb));
  EXPECT_EQ(GetLoadBalancer(f.domain(), kDomainAccount, lb)->status, "Configuring");
  f.RunJobs();
  EXPECT_EQ(CodeOf(GetLoadBalancer(f.domain(), kDomainAccount, lb)),
            "ResourceNotFound.LoadBalancer");
  EXPECT_EQ(CodeOf(GetListener(f.domain(), kDomainAccount, listener)), "ResourceNotFound.Listener");
}

TEST(LoadBalancersTest, DeletingAListenerItsLoadBalancerAlreadyTookSucceeds) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  std::string listener = f.MakeHttpsListener(lb);
  auto lb_job = DeleteLoadBalancer(f.domain(), f.Write(), lb);
  ASSERT_TRUE(lb_job);
  auto listener_job = DeleteListener(f.domain(), f.Write(), listener);
  ASSERT_TRUE(listener_job);
  EXPECT_EQ(f.RunJobs(), 2);
  EXPECT_EQ(f.FindJob(lb_job->job_id).status, "Succeeded");
  EXPECT_EQ(f.FindJob(listener_job->job_id).status, "Succeeded");
  EXPECT_EQ(CodeOf(GetListener(f.domain(), kDomainAccount, listener)), "ResourceNotFound.Listener");
}

TEST(LoadBalancersTest, ALoadBalancerWithAListenerMidChangeCannotBeDeleted) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  std::string listener = f.MakeHttpsListener(lb);
  ASSERT_TRUE(StopListener(f.domain(), f.Write(), listener));
  EXPECT_EQ(CodeOf(DeleteLoadBalancer(f.domain(), f.Write(), lb)),
            "ResourceInConfiguring.Listener");
}

TEST(LoadBalancersTest, ListsPageAndFilter) {
  DomainFixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(f.MakeLoadBalancer());
  auto first =
      ListLoadBalancers(f.domain(), {.account_id = kDomainAccount}, {.after = 0, .limit = 2});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->total, 5);
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].load_balancer_id, ids[0]);
  ASSERT_TRUE(first->next);
  auto second = ListLoadBalancers(f.domain(), {.account_id = kDomainAccount},
                                  {.after = *first->next, .limit = 2});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->items[0].load_balancer_id, ids[2]);
  auto by_id = ListLoadBalancers(f.domain(), {.account_id = kDomainAccount, .ids = {ids[3]}},
                                 {.after = 0, .limit = 20});
  ASSERT_TRUE(by_id);
  ASSERT_EQ(by_id->items.size(), 1u);
  EXPECT_FALSE(by_id->next);
}

TEST(ListenersTest, CreateChecksProtocolPortCertificateAndPortClashes) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  std::string cert = f.MakeCertificate("www.test");
  auto create = [&](std::string protocol, int port, std::string certificate) {
    return CreateListener(f.domain(), {f.Write(), lb, protocol, port, certificate, ""});
  };
  EXPECT_EQ(CodeOf(create("TCP", 80, "")), "InvalidParameter");
  EXPECT_EQ(CodeOf(create("HTTPS", 0, cert)), "InvalidParameter");
  EXPECT_EQ(CodeOf(create("HTTPS", 443, "")), "MissingCertificates");
  EXPECT_EQ(CodeOf(create("HTTP", 80, cert)), "InvalidParameter");
  EXPECT_EQ(CodeOf(create("HTTPS", 443, "1-cn-hangzhou")), "ResourceNotFound.Certificate");
  EXPECT_EQ(CodeOf(create("HTTPS", 443, f.MakeCertificate("o.test", kOtherAccount))),
            "ResourceNotFound.Certificate");
  ASSERT_TRUE(create("HTTPS", 443, cert));
  EXPECT_EQ(CodeOf(create("HTTP", 443, "")), "ResourceAlreadyExist.Listener");
  EXPECT_EQ(CodeOf(CreateListener(f.domain(), {f.Write(), "alb-nothere", "HTTP", 80, "", ""})),
            "ResourceNotFound.LoadBalancer");
}

TEST(ListenersTest, ALoadBalancerTakesAtMostFiftyListeners) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  for (int port = 1; port <= 50; ++port) {
    ASSERT_TRUE(CreateListener(f.domain(), {f.Write(), lb, "HTTP", port, "", ""}));
  }
  EXPECT_EQ(CodeOf(CreateListener(f.domain(), {f.Write(), lb, "HTTP", 51, "", ""})),
            "QuotaExceeded.ListenersNum");
}

TEST(ListenersTest, UpdatingTheDefaultCertificateSwapsItWhenTheJobRuns) {
  DomainFixture f;
  std::string listener = f.MakeHttpsListener(f.MakeLoadBalancer());
  std::string old_default =
      GetListener(f.domain(), kDomainAccount, listener)->default_certificate_id;
  std::string next = f.MakeCertificate("next.test");
  auto job = UpdateListener(f.domain(), {f.Write(), listener, next, "new description"});
  ASSERT_TRUE(job);
  EXPECT_EQ(f.ListenerStatus(listener), "Configuring");
  f.RunJobs();
  auto view = GetListener(f.domain(), kDomainAccount, listener);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->default_certificate_id, next);
  EXPECT_EQ(view->listener.description, "new description");
  EXPECT_EQ(view->listener.status, "Running");
  EXPECT_THAT(f.CertificatesOf(listener), ::testing::ElementsAre("*" + next + ":Associated"));
  EXPECT_NE(old_default, next);
}

TEST(ListenersTest, AnAdditionalCertificateCannotAlsoBecomeTheDefault) {
  DomainFixture f;
  std::string listener = f.MakeHttpsListener(f.MakeLoadBalancer());
  std::string extra = f.MakeCertificate("extra.test");
  f.Associate(listener, {extra});
  EXPECT_EQ(CodeOf(UpdateListener(f.domain(), {f.Write(), listener, extra, std::nullopt})),
            "ResourceAlreadyAssociated.Certificate");
}

TEST(ListenersTest, StopStartAndDeleteAreJobs) {
  DomainFixture f;
  std::string listener = f.MakeHttpsListener(f.MakeLoadBalancer());
  ASSERT_TRUE(StopListener(f.domain(), f.Write(), listener));
  EXPECT_EQ(f.ListenerStatus(listener), "Configuring");
  f.RunJobs();
  EXPECT_EQ(f.ListenerStatus(listener), "Stopped");
  ASSERT_TRUE(StartListener(f.domain(), f.Write(), listener));
  f.RunJobs();
  EXPECT_EQ(f.ListenerStatus(listener), "Running");
  ASSERT_TRUE(DeleteListener(f.domain(), f.Write(), listener));
  EXPECT_EQ(f.ListenerStatus(listener), "Configuring");
  f.RunJobs();
  EXPECT_EQ(CodeOf(GetListener(f.domain(), kDomainAccount, listener)), "ResourceNotFound.Listener");
}

TEST(ListenersTest, ListsFilterByLoadBalancerAndProtocol) {
  DomainFixture f;
  std::string lb1 = f.MakeLoadBalancer(), lb2 = f.MakeLoadBalancer();
  f.MakeHttpsListener(lb1, 443);
  ASSERT_TRUE(CreateListener(f.domain(), {f.Write(), lb1, "HTTP", 80, "", ""}));
  f.MakeHttpsListener(lb2, 443);
  auto of_lb1 =
      ListListeners(f.domain(), {.account_id = kDomainAccount, .load_balancer_ids = {lb1}},
                    {.after = 0, .limit = 20});
  ASSERT_TRUE(of_lb1);
  EXPECT_EQ(of_lb1->total, 2);
  auto https = ListListeners(f.domain(), {.account_id = kDomainAccount, .protocol = "HTTPS"},
                             {.after = 0, .limit = 20});
  ASSERT_TRUE(https);
  EXPECT_EQ(https->total, 2);
  for (const auto& view : https->items) EXPECT_FALSE(view.default_certificate_id.empty());
}

TEST(JobsTest, ListAsynJobsFiltersByResourceApiAndTimeNewestFirst) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer();
  f.clock().Advance(std::chrono::seconds(10));
  std::string listener = f.MakeHttpsListener(lb);
  auto all = ListJobs(f.domain(), {.account_id = kDomainAccount}, {.after = 0, .limit = 20});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->total, 2);
  EXPECT_EQ(all->items[0].api_name, "CreateListener");  // newest first
  EXPECT_EQ(all->items[1].api_name, "CreateLoadBalancer");
  auto by_resource = ListJobs(f.domain(), {.account_id = kDomainAccount, .resource_ids = {lb}},
                              {.after = 0, .limit = 20});
  ASSERT_TRUE(by_resource);
  EXPECT_EQ(by_resource->total, 1);
  auto by_type = ListJobs(f.domain(), {.account_id = kDomainAccount, .resource_type = "listener"},
                          {.after = 0, .limit = 20});
  EXPECT_EQ(by_type->total, 1);
  std::int64_t later = all->items[0].created_ms;
  auto from = ListJobs(f.domain(), {.account_id = kDomainAccount, .created_from_ms = later},
                       {.after = 0, .limit = 20});
  EXPECT_EQ(from->total, 1);
  auto other = ListJobs(f.domain(), {.account_id = kOtherAccount}, {.after = 0, .limit = 20});
  EXPECT_EQ(other->total, 0);
}

TEST(JobsTest, JobsWaitForTheirDelay) {
  DomainFixture f;
  f.domain().job_delay = std::chrono::seconds(5);
  auto job = CreateLoadBalancer(f.domain(), {f.Write(), "lb", "Basic", "", ""});
  ASSERT_TRUE(job);
  EXPECT_EQ(f.RunJobs(), 0);
  auto wait = f.worker().MillisecondsUntilNextJob();
  ASSERT_TRUE(wait && *wait);
  EXPECT_EQ(**wait, 5000);
  f.clock().Advance(std::chrono::seconds(5));
  EXPECT_EQ(f.RunJobs(), 1);
}

}  // namespace
}  // namespace openalb
