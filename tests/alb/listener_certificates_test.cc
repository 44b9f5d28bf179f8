// The seed operation's rules (and Associate's, its mirror) against a real SQLite file.
#include "alb/listener_certificates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "alb/certificates.h"
#include "alb/jobs.h"
#include "support/domain_fixture.h"
#include "support/result_code.h"

namespace openalb {
namespace {

using testing::DomainFixture;
using ::testing::ElementsAre;
using testing::kDomainAccount;
using testing::kOtherAccount;

using testing::CodeOf;

class ListenerCertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lb_ = f_.MakeLoadBalancer();
    listener_ = f_.MakeHttpsListener(lb_);
    default_ = f_.CertificatesOf(listener_).front().substr(
        1, f_.CertificatesOf(listener_).front().find(':') - 1);
    a_ = f_.MakeCertificate("a.example.com");
    b_ = f_.MakeCertificate("b.example.com");
    c_ = f_.MakeCertificate("c.example.com");
    f_.Associate(listener_, {a_, b_, c_});
  }

  Result<std::string> Dissociate(std::vector<std::string> ids, std::string token = {},
                                 bool dry_run = false, std::string listener = {}) {
    WriteRequest write = f_.Write(kDomainAccount, std::move(token));
    write.dry_run = dry_run;
    return DissociateAdditionalCertificates(
        f_.domain(), {write, listener.empty() ? listener_ : listener, std::move(ids)});
  }

  DomainFixture f_;
  std::string lb_, listener_, default_, a_, b_, c_;
};

TEST_F(ListenerCertificatesTest, AssociateSettlesAsAssociatedAfterTheJob) {
  EXPECT_THAT(f_.CertificatesOf(listener_),
              ElementsAre("*" + default_ + ":Associated", a_ + ":Associated", b_ + ":Associated",
                          c_ + ":Associated"));
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
}

TEST_F(ListenerCertificatesTest, AssociateShowsAssociatingWhileTheJobIsInFlight) {
  std::string d = f_.MakeCertificate("d.example.com");
  auto job = AssociateAdditionalCertificates(f_.domain(), {f_.Write(), listener_, {d}});
  ASSERT_TRUE(job);
  EXPECT_EQ(f_.CertificatesOf(listener_).back(), d + ":Associating");
  EXPECT_EQ(f_.ListenerStatus(listener_), "Configuring");
  EXPECT_EQ(f_.FindJob(*job).status, "Processing");
  EXPECT_EQ(f_.RunJobs(), 1);
  EXPECT_EQ(f_.CertificatesOf(listener_).back(), d + ":Associated");
  EXPECT_EQ(f_.FindJob(*job).status, "Succeeded");
}

TEST_F(ListenerCertificatesTest, DissociateMarksThenRemovesTheCertificates) {
  auto job = Dissociate({a_, b_});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_THAT(f_.CertificatesOf(listener_),
              ElementsAre("*" + default_ + ":Associated", a_ + ":Dissociating",
                          b_ + ":Dissociating", c_ + ":Associated"));
  EXPECT_EQ(f_.ListenerStatus(listener_), "Configuring");
  Job pending = f_.FindJob(*job);
  EXPECT_EQ(pending.status, "Processing");
  EXPECT_EQ(pending.api_name, "DissociateAdditionalCertificatesFromListener");
  EXPECT_EQ(pending.resource_id, listener_);

  EXPECT_EQ(f_.RunJobs(), 1);
  EXPECT_THAT(f_.CertificatesOf(listener_),
              ElementsAre("*" + default_ + ":Associated", c_ + ":Associated"));
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
  EXPECT_EQ(f_.FindJob(*job).status, "Succeeded");
}

TEST_F(ListenerCertificatesTest, DissociateOfAMissingOrForeignListenerIsNotFound) {
  auto missing = Dissociate({a_}, {}, false, "lsr-doesnotexist000000");
  EXPECT_EQ(CodeOf(missing), "ResourceNotFound.Listener");
  EXPECT_EQ(missing.error().http_status, 404);
  EXPECT_NE(missing.error().message.find("lsr-doesnotexist000000"), std::string::npos);

  auto foreign =
      DissociateAdditionalCertificates(f_.domain(), {f_.Write(kOtherAccount), listener_, {a_}});
  EXPECT_EQ(CodeOf(foreign), "ResourceNotFound.Listener");
}

TEST_F(ListenerCertificatesTest, AHugeIdIsNotEchoedBackWhole) {
  auto result = Dissociate({a_}, {}, false, "lsr-" + std::string(100000, 'x'));
  EXPECT_EQ(CodeOf(result), "ResourceNotFound.Listener");
  EXPECT_LT(result.error().message.size(), 200u);
}

TEST_F(ListenerCertificatesTest, DissociateOnAnHttpListenerIsDenied) {
  auto job = CreateListener(f_.domain(), {f_.Write(), lb_, "HTTP", 80, "", ""});
  ASSERT_TRUE(job);
  f_.RunJobs();
  auto result = Dissociate({a_}, {}, false, job->resource_id);
  EXPECT_EQ(CodeOf(result), "OperationDenied.HttpListenerNotSupport");
  EXPECT_EQ(result.error().http_status, 400);
}

TEST_F(ListenerCertificatesTest, DissociateOfTheDefaultCertificateIsDenied) {
  auto result = Dissociate({a_, default_});
  EXPECT_EQ(CodeOf(result), "OperationDenied.DefaultCertificateUsed");
  EXPECT_NE(result.error().message.find(default_), std::string::npos);
  EXPECT_EQ(f_.CertificatesOf(listener_).size(), 4u);  // nothing half-done
}

TEST_F(ListenerCertificatesTest, DissociateOfAnUnassociatedCertificateNamesIt) {
  std::string loose = f_.MakeCertificate("loose.example.com");
  auto result = Dissociate({a_, loose});
  EXPECT_EQ(CodeOf(result), "ResourceNotAssociated.Certificate");
  EXPECT_NE(result.error().message.find(loose), std::string::npos);
  EXPECT_EQ(f_.CertificatesOf(listener_)[1], a_ + ":Associated");
}

TEST_F(ListenerCertificatesTest, ASecondChangeWhileOneIsInFlightIsRefused) {
  ASSERT_TRUE(Dissociate({a_}));
  auto second = Dissociate({b_});
  EXPECT_EQ(CodeOf(second), "ResourceInConfiguring.Listener");
  EXPECT_NE(second.error().message.find(listener_), std::string::npos);
  auto associate = AssociateAdditionalCertificates(
      f_.domain(), {f_.Write(), listener_, {f_.MakeCertificate("e.example.com")}});
  EXPECT_EQ(CodeOf(associate), "ResourceInConfiguring.Listener");
  f_.RunJobs();
  EXPECT_TRUE(Dissociate({b_}));
}

TEST_F(ListenerCertificatesTest, AListenerStillProvisioningHasAnIncorrectStatus) {
  auto job = CreateListener(f_.domain(),
                            {f_.Write(), lb_, "HTTPS", 8443, f_.MakeCertificate("p.test"), ""});
  ASSERT_TRUE(job);
  auto result = Dissociate({a_}, {}, false, job->resource_id);
  EXPECT_EQ(CodeOf(result), "IncorrectStatus.Listener");
  EXPECT_NE(result.error().message.find("Provisioning"), std::string::npos);
  EXPECT_NE(result.error().message.find(job->resource_id), std::string::npos);
}

TEST_F(ListenerCertificatesTest, AStoppedListenerCanChangeAndStaysStopped) {
  ASSERT_TRUE(StopListener(f_.domain(), f_.Write(), listener_));
  f_.RunJobs();
  EXPECT_EQ(f_.ListenerStatus(listener_), "Stopped");
  ASSERT_TRUE(Dissociate({a_}));
  EXPECT_EQ(f_.ListenerStatus(listener_), "Configuring");
  f_.RunJobs();
  EXPECT_EQ(f_.ListenerStatus(listener_), "Stopped");
}

TEST_F(ListenerCertificatesTest, CertificateListsAreCheckedForShape) {
  EXPECT_EQ(CodeOf(Dissociate({})), "MissingCertificates");
  EXPECT_EQ(CodeOf(Dissociate({a_, ""})), "MissingCertificates.CertificateId");
  std::vector<std::string> many(21);
  for (size_t i = 0; i < many.size(); ++i) many[i] = "cert-" + std::to_string(i);
  auto too_many = Dissociate(many);
  EXPECT_EQ(CodeOf(too_many), "InvalidParameter");
  EXPECT_NE(too_many.error().message.find("20"), std::string::npos);
}

TEST_F(ListenerCertificatesTest, ARepeatedCertificateInOneCallCountsOnce) {
  auto job = Dissociate({a_, a_, a_});
  ASSERT_TRUE(job) << job.error().message;
  f_.RunJobs();
  EXPECT_EQ(f_.CertificatesOf(listener_).size(), 3u);
}

TEST_F(ListenerCertificatesTest, TheSameClientTokenReturnsTheSameJobWithoutRedoingIt) {
  auto first = Dissociate({a_, b_}, "token-1");
  ASSERT_TRUE(first);
  auto replay = Dissociate({b_, a_}, "token-1");  // same set, other order
  ASSERT_TRUE(replay) << replay.error().code;
  EXPECT_EQ(*replay, *first);
  f_.RunJobs();
  auto after_done = Dissociate({a_, b_}, "token-1");
  ASSERT_TRUE(after_done);
  EXPECT_EQ(*after_done, *first);
  auto jobs = ListJobs(
      f_.domain(),
      {.account_id = kDomainAccount, .api_name = "DissociateAdditionalCertificatesFromListener"},
      {.after = 0, .limit = 100});
  ASSERT_TRUE(jobs);
  EXPECT_EQ(jobs->total, 1);
}

TEST_F(ListenerCertificatesTest, TheSameClientTokenWithOtherParametersIsRefused) {
  ASSERT_TRUE(Dissociate({a_}, "token-2"));
  f_.RunJobs();
  auto other = Dissociate({b_}, "token-2");
  EXPECT_EQ(CodeOf(other), "IdempotentParameterMismatch");
  EXPECT_EQ(f_.CertificatesOf(listener_).back(), c_ + ":Associated");
}

TEST_F(ListenerCertificatesTest, ClientTokensAreAsciiAndAtMost64Characters) {
  EXPECT_EQ(CodeOf(Dissociate({a_}, std::string(65, 'x'))), "InvalidParameter");
  EXPECT_EQ(CodeOf(Dissociate({a_}, "t\xc3\xa9")), "InvalidParameter");
  EXPECT_TRUE(Dissociate({a_}, std::string(64, 'x')));
}

TEST_F(ListenerCertificatesTest, ClientTokensOfOneAccountDoNotReplayForAnother) {
  std::string other_lb = f_.MakeLoadBalancer("Standard", kOtherAccount);
  std::string other_listener = f_.MakeHttpsListener(other_lb, 443, kOtherAccount);
  std::string cert = f_.MakeCertificate("x.other.com", kOtherAccount);
  ASSERT_TRUE(AssociateAdditionalCertificates(
      f_.domain(), {f_.Write(kOtherAccount, "shared"), other_listener, {cert}}));
  EXPECT_TRUE(Dissociate({a_}, "shared"));
}

TEST_F(ListenerCertificatesTest, DryRunChecksEverythingAndChangesNothing) {
  auto passed = Dissociate({a_}, "dry-token", /*dry_run=*/true);
  EXPECT_EQ(CodeOf(passed), "DryRunOperation");
  EXPECT_EQ(passed.error().http_status, 400);
  EXPECT_EQ(CodeOf(Dissociate({default_}, {}, true)), "OperationDenied.DefaultCertificateUsed");
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
  EXPECT_EQ(f_.CertificatesOf(listener_)[1], a_ + ":Associated");
  EXPECT_EQ(f_.RunJobs(), 0);
  // A dry run does not claim the token.
  EXPECT_TRUE(Dissociate({b_}, "dry-token"));
}

TEST_F(ListenerCertificatesTest, ConcurrentChangesOnOneListenerLetExactlyOneThrough) {
  std::vector<std::string> certs = {a_, b_, c_};
  std::atomic<int> accepted{0}, in_configuring{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      auto r = Dissociate({certs[static_cast<size_t>(i) % certs.size()]});
      if (r) {
        ++accepted;
      } else if (r.error().code == "ResourceInConfiguring.Listener") {
        ++in_configuring;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(in_configuring.load(), 11);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(ListenerCertificatesTest, AFailedJobPutsEverythingBack) {
  auto job_id = Dissociate({a_});
  ASSERT_TRUE(job_id);
  Job job = f_.FindJob(*job_id);
  ASSERT_TRUE(f_.store().Transact(TxMode::kWrite, [&](StoreTx& tx) {
    return FailJob(tx, job, {"Apply.Failed", 500, "the data plane refused", {}},
                   f_.domain().NowMs());
  }));
  EXPECT_EQ(f_.CertificatesOf(listener_)[1], a_ + ":Associated");
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
  Job failed = f_.FindJob(*job_id);
  EXPECT_EQ(failed.status, "Failed");
  EXPECT_EQ(failed.error_code, "Apply.Failed");
  EXPECT_EQ(f_.RunJobs(), 0);
}

TEST_F(ListenerCertificatesTest, AssociateRefusesUnknownForeignAndAlreadyAssociatedCertificates) {
  auto associate = [&](std::vector<std::string> ids) {
    return AssociateAdditionalCertificates(f_.domain(), {f_.Write(), listener_, std::move(ids)});
  };
  EXPECT_EQ(CodeOf(associate({"99999999-cn-hangzhou"})), "ResourceNotFound.Certificate");
  EXPECT_EQ(CodeOf(associate({f_.MakeCertificate("f.other.com", kOtherAccount)})),
            "ResourceNotFound.Certificate");
  EXPECT_EQ(CodeOf(associate({a_})), "ResourceAlreadyAssociated.Certificate");
  EXPECT_EQ(CodeOf(associate({default_})), "ResourceAlreadyAssociated.Certificate");
}

TEST(ListenerCertificateQuotaTest, BasicLoadBalancersTakeTenAdditionalCertificatesAcrossListeners) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer("Basic");
  std::string first = f.MakeHttpsListener(lb, 443);
  std::string second = f.MakeHttpsListener(lb, 8443);
  std::vector<std::string> six, four;
  for (int i = 0; i < 6; ++i) six.push_back(f.MakeCertificate("s" + std::to_string(i) + ".test"));
  for (int i = 0; i < 4; ++i) four.push_back(f.MakeCertificate("t" + std::to_string(i) + ".test"));
  f.Associate(first, six);
  f.Associate(second, four);
  auto over = AssociateAdditionalCertificates(
      f.domain(), {f.Write(), second, {f.MakeCertificate("over.test")}});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "ResourceQuotaExceeded.LoadBalancerCertificatesNum");
  EXPECT_NE(over.error().message.find("10"), std::string::npos);
}

TEST(ListenerCertificateQuotaTest, StandardLoadBalancersTakeTwentyFive) {
  DomainFixture f;
  std::string lb = f.MakeLoadBalancer("Standard");
  std::string listener = f.MakeHttpsListener(lb);
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back(f.MakeCertificate("q" + std::to_string(i) + ".test"));
  f.Associate(listener, std::vector<std::string>(ids.begin(), ids.begin() + 20));
  f.Associate(listener, std::vector<std::string>(ids.begin() + 20, ids.end()));
  EXPECT_EQ(f.CertificatesOf(listener).size(), 26u);
  auto over = AssociateAdditionalCertificates(
      f.domain(), {f.Write(), listener, {f.MakeCertificate("over.test")}});
  EXPECT_EQ(CodeOf(over), "ResourceQuotaExceeded.LoadBalancerCertificatesNum");
}

TEST(ListenerCertificatePagingTest, PagesWalkMoreThanAHundredCertificatesExactlyOnce) {
  DomainFixture f(DomainLimits{.additional_certificates_standard = 200});
  std::string lb = f.MakeLoadBalancer("Standard");
  std::string listener = f.MakeHttpsListener(lb);
  std::vector<std::string> all;
  for (int batch = 0; batch < 8; ++batch) {
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
      ids.push_back(f.MakeCertificate("p" + std::to_string(batch * 20 + i) + ".test"));
    }
    f.Associate(listener, ids);
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::vector<std::string> seen;
  PageRequest page{.after = 0, .limit = 100};
  int pages = 0;
  while (true) {
    auto found = ListListenerCertificates(f.domain(), {kDomainAccount, listener, "", {}, page});
    ASSERT_TRUE(found);
    EXPECT_EQ(found->total, 161);
    ASSERT_FALSE(found->items.empty());
    EXPECT_EQ(found->items.front().is_default, pages == 0);  // the default comes first
    for (const auto& row : found->items) {
      if (!row.is_default) seen.push_back(row.certificate_id);
    }
    ++pages;
    if (!found->next) break;
    page.after = *found->next;
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, all);  // association order, none twice, none lost
}

TEST(ListenerCertificatePagingTest, FiltersByIdAndType) {
  DomainFixture f;
  std::string listener = f.MakeHttpsListener(f.MakeLoadBalancer());
  std::string a = f.MakeCertificate("a.test"), b = f.MakeCertificate("b.test");
  f.Associate(listener, {a, b});
  auto by_id = ListListenerCertificates(
      f.domain(), {kDomainAccount, listener, "Server", {b}, {.after = 0, .limit = 20}});
  ASSERT_TRUE(by_id);
  ASSERT_EQ(by_id->items.size(), 1u);
  EXPECT_EQ(by_id->items[0].certificate_id, b);
  auto ca = ListListenerCertificates(
      f.domain(), {kDomainAccount, listener, "Ca", {}, {.after = 0, .limit = 20}});
  ASSERT_TRUE(ca);
  EXPECT_EQ(ca->total, 0);
  auto bad = ListListenerCertificates(
      f.domain(), {kDomainAccount, listener, "Client", {}, {.after = 0, .limit = 20}});
  EXPECT_EQ(CodeOf(bad), "InvalidParameter");
}

TEST(ListenerCertificateRecoveryTest, AJobLeftByARestartCompletesOnTheNextStart) {
  auto fixture = std::make_unique<DomainFixture>();
  DomainFixture& f = *fixture;
  std::string listener = f.MakeHttpsListener(f.MakeLoadBalancer());
  std::string a = f.MakeCertificate("a.test");
  f.Associate(listener, {a});
  auto job = DissociateAdditionalCertificates(f.domain(), {f.Write(), listener, {a}});
  ASSERT_TRUE(job);
  // A second store on the same file is what a restarted process sees.
  auto reopened = f.OpenAgain();
  ASSERT_TRUE(reopened);
  Domain restarted{.store = *reopened,
                   .clock = f.clock(),
                   .random = f.domain().random,
                   .region = f.domain().region,
                   .secrets = f.domain().secrets};
  JobWorker worker(restarted);
  auto finished = worker.RunOnce();
  ASSERT_TRUE(finished);
  EXPECT_EQ(*finished, 1);
  EXPECT_EQ(f.CertificatesOf(listener).size(), 1u);
  EXPECT_EQ(f.FindJob(*job).status, "Succeeded");
}

}  // namespace
}  // namespace openalb
