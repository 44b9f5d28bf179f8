// A job on a shared store, step by step, with the nodes' records written by hand: published
// (a new version; nodes serve its change while its rows stay marked), settled only when every
// live data-plane node has applied that version, and undone everywhere — rows back, a newer
// version — when one node could not apply it. Runs on both engines (ctest domain.postgres).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alb/jobs.h"
#include "alb/listener_certificates.h"
#include "alb/listeners.h"
#include "alb/served_listeners.h"
#include "alb/server_groups.h"
#include "jobs/job_worker.h"
#include "support/domain_fixture.h"

namespace openalb {
namespace {

using testing::DomainFixture;
using ::testing::ElementsAre;
using testing::kDomainAccount;

constexpr std::int64_t kLeaseMs = 5000;

class FleetJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lb_ = f_.MakeLoadBalancer();
    listener_ = f_.MakeHttpsListener(lb_);
    extra_ = f_.MakeCertificate("extra.example.com");
    Node("a", Version());
    Node("b", Version());
  }

  // Records node `id` as live, having applied `version`.
  void Node(const std::string& id, std::int64_t version, const std::string& failing_listener = {},
            const std::string& reason = {}) {
    NodeRecord node{.node_id = id, .roles = "api,worker,dataplane", .applied_version = version};
    node.heartbeat_ms = f_.domain().NowMs();
    if (!reason.empty()) {
      node.apply_error = reason;
      node.error_version = version;
      node.error_listener_id = failing_listener;
    }
    ASSERT_TRUE(f_.store().RecordNode(node));
  }

  int RunFleetWorker() {
    auto finished = worker_.RunOnce();
    EXPECT_TRUE(finished) << finished.error().internal;
    return finished ? *finished : -1;
  }

  std::int64_t Version() {
    auto version = InTransaction<std::int64_t>(f_.store(), TxMode::kRead,
                                               [](StoreTx& tx) { return tx.ConfigVersion(); });
    EXPECT_TRUE(version);
    return version ? *version : -1;
  }

  // The certificates a node serves on the listener now: the rows with published jobs laid
  // over them.
  std::vector<std::string> Served() {
    auto served = InTransaction<std::vector<std::string>>(
        f_.store(), TxMode::kRead, [&](StoreTx& tx) -> Result<std::vector<std::string>> {
          auto jobs = tx.PublishedJobs();
          if (!jobs) return Fail(jobs.error());
          auto config =
              ServedListenerById(tx, kDomainAccount, listener_, PublishedJobs(std::move(*jobs)));
          if (!config) return Fail(config.error());
          std::vector<std::string> ids;
          if (*config) {
            for (const auto& c : (*config)->certificates) ids.push_back(c.certificate_id);
          }
          return ids;
        });
    EXPECT_TRUE(served);
    return served ? *served : std::vector<std::string>{};
  }

  std::string DefaultCertificate() {
    auto rows = f_.CertificatesOf(listener_);
    return rows.front().substr(1, rows.front().find(':') - 1);
  }

  DomainFixture f_;
  JobWorker worker_{f_.domain(), nullptr, 64, {.enabled = true, .lease_ms = kLeaseMs}};
  std::string lb_, listener_, extra_;
};

TEST_F(FleetJobsTest, AJobIsServedWhenPublishedAndSettledOnlyWhenEveryNodeAppliedIt) {
  const std::string main = DefaultCertificate();
  auto job = AssociateAdditionalCertificates(f_.domain(), {f_.Write(), listener_, {extra_}});
  ASSERT_TRUE(job);
  const std::int64_t before = Version();
  EXPECT_THAT(Served(), ElementsAre(main));  // accepted, not yet published

  EXPECT_EQ(RunFleetWorker(), 1);
  const std::int64_t published = Version();
  EXPECT_GT(published, before);
  EXPECT_EQ(f_.FindJob(*job).awaiting_version, published);
  EXPECT_THAT(Served(), ElementsAre(main, extra_));
  // Nodes serve it; the store still says it is in change.
  EXPECT_EQ(f_.FindJob(*job).status, "Processing");
  EXPECT_EQ(f_.ListenerStatus(listener_), "Configuring");
  EXPECT_EQ(f_.CertificatesOf(listener_).back(), extra_ + ":Associating");

  Node("a", published);
  EXPECT_EQ(RunFleetWorker(), 0);  // b has not applied it
  EXPECT_EQ(f_.FindJob(*job).status, "Processing");

  Node("b", published);
  EXPECT_EQ(RunFleetWorker(), 1);
  EXPECT_EQ(f_.FindJob(*job).status, "Succeeded");
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
  EXPECT_EQ(f_.CertificatesOf(listener_).back(), extra_ + ":Associated");
  EXPECT_EQ(Version(), published);  // settling changes nothing served
  EXPECT_THAT(Served(), ElementsAre(main, extra_));

  // The seed operation: not served from its publication on.
  auto dissociated =
      DissociateAdditionalCertificates(f_.domain(), {f_.Write(), listener_, {extra_}});
  ASSERT_TRUE(dissociated);
  EXPECT_THAT(Served(), ElementsAre(main, extra_));  // served until published
  EXPECT_EQ(RunFleetWorker(), 1);
  EXPECT_THAT(Served(), ElementsAre(main));
  EXPECT_EQ(f_.CertificatesOf(listener_).back(), extra_ + ":Dissociating");
  Node("a", Version());
  Node("b", Version());
  EXPECT_EQ(RunFleetWorker(), 1);
  EXPECT_EQ(f_.FindJob(*dissociated).status, "Succeeded");
  EXPECT_THAT(f_.CertificatesOf(listener_), ElementsAre("*" + main + ":Associated"));
}

TEST_F(FleetJobsTest, ANodeThatCannotApplyAJobFailsItAndEveryNodeGoesBack) {
  const std::string main = DefaultCertificate();
  auto job = AssociateAdditionalCertificates(f_.domain(), {f_.Write(), listener_, {extra_}});
  ASSERT_TRUE(job);
  EXPECT_EQ(RunFleetWorker(), 1);
  const std::int64_t published = Version();
  Node("a", published);
  Node("b", published, listener_, "CertificateUnusable: the key cannot be loaded");

  EXPECT_EQ(RunFleetWorker(), 1);
  const Job failed = f_.FindJob(*job);
  EXPECT_EQ(failed.status, "Failed");
  EXPECT_EQ(failed.error_code, "DataPlaneApplyFailed");
  EXPECT_EQ(failed.error_message, "node b: CertificateUnusable: the key cannot be loaded");
  // Undone: the rows as before the change, served so at a newer version every node applies.
  EXPECT_THAT(f_.CertificatesOf(listener_), ElementsAre("*" + main + ":Associated"));
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
  EXPECT_GT(Version(), published);
  EXPECT_THAT(Served(), ElementsAre(main));
}

TEST_F(FleetJobsTest, AnUpdatedDefaultCertificateIsServedFirstOnceThePublishedJobSays) {
  const std::string main = DefaultCertificate();
  const std::string next = f_.MakeCertificate("next.example.com");
  auto job = UpdateListener(f_.domain(), {.write = f_.Write(),
                                          .listener_id = listener_,
                                          .default_certificate_id = next,
                                          .description = std::nullopt,
                                          .forward_server_group_id = std::nullopt});
  ASSERT_TRUE(job);
  EXPECT_THAT(Served(), ElementsAre(main));
  EXPECT_EQ(RunFleetWorker(), 1);
  EXPECT_THAT(Served(), ElementsAre(next));
  Node("a", Version());
  Node("b", Version());
  EXPECT_EQ(RunFleetWorker(), 1);
  EXPECT_EQ(f_.FindJob(job->job_id).status, "Succeeded");
  EXPECT_THAT(f_.CertificatesOf(listener_), ElementsAre("*" + next + ":Associated"));
  EXPECT_THAT(Served(), ElementsAre(next));
}

TEST_F(FleetJobsTest, AListenerThatCannotBeCreatedOnOneNodeIsStoppedEverywhere) {
  const std::string certificate = f_.MakeCertificate("new.example.com");
  auto job = CreateListener(f_.domain(), {f_.Write(), lb_, "HTTPS", 8443, certificate, "", ""});
  ASSERT_TRUE(job);
  const std::string id = job->resource_id;
  EXPECT_EQ(RunFleetWorker(), 1);
  const std::int64_t published = Version();
  auto served_now = [&]() -> bool {
    auto config = InTransaction<bool>(f_.store(), TxMode::kRead, [&](StoreTx& tx) -> Result<bool> {
      auto jobs = tx.PublishedJobs();
      if (!jobs) return Fail(jobs.error());
      auto c = ServedListenerById(tx, kDomainAccount, id, PublishedJobs(std::move(*jobs)));
      if (!c) return Fail(c.error());
      return c->has_value();
    });
    EXPECT_TRUE(config);
    return config && *config;
  };
  EXPECT_TRUE(served_now());
  Node("a", published);
  Node("b", published, "lsr-other," + id, "OperationFailed.ListenerPort: port 8443 in use");
  EXPECT_EQ(RunFleetWorker(), 1);
  EXPECT_EQ(f_.FindJob(job->job_id).error_code, "DataPlaneApplyFailed");
  EXPECT_EQ(f_.ListenerStatus(id), "Stopped");
  EXPECT_FALSE(served_now());
  EXPECT_GT(Version(), published);
}

TEST_F(FleetJobsTest, APublishedJobWhoseResourceWentAwayMeanwhileIsUndoneWhenItSettles) {
  auto group = CreateServerGroup(f_.domain(), {f_.Write(), "web", "Ip", "", "", "vpc-1"});
  ASSERT_TRUE(group);
  EXPECT_EQ(RunFleetWorker(), 1);  // forwards nothing yet: succeeds without waiting for nodes
  EXPECT_EQ(f_.FindJob(group->job_id).status, "Succeeded");
  auto update = UpdateListener(f_.domain(), {.write = f_.Write(),
                                             .listener_id = listener_,
                                             .default_certificate_id = std::nullopt,
                                             .description = std::nullopt,
                                             .forward_server_group_id = group->resource_id});
  ASSERT_TRUE(update);
  EXPECT_EQ(RunFleetWorker(), 1);
  // While the update is published, the group is not yet in use in the store: it can go.
  auto deleted = DeleteServerGroup(f_.domain(), f_.Write(), group->resource_id);
  ASSERT_TRUE(deleted);
  const std::int64_t published = Version();
  EXPECT_EQ(RunFleetWorker(), 1);  // the deletion; the update still waits for the nodes
  EXPECT_EQ(f_.FindJob(deleted->job_id).status, "Succeeded");
  Node("a", published);
  Node("b", published);
  EXPECT_EQ(RunFleetWorker(), 1);  // the update, which can no longer complete
  const Job undone = f_.FindJob(update->job_id);
  EXPECT_EQ(undone.status, "Failed");
  EXPECT_EQ(undone.error_code, "ResourceNotFound.ServerGroup");
  EXPECT_EQ(f_.ListenerStatus(listener_), "Running");
  auto forward = InTransaction<std::string>(
      f_.store(), TxMode::kRead, [&](StoreTx& tx) -> Result<std::string> {
        auto listener = tx.FindListener(kDomainAccount, listener_);
        if (!listener) return Fail(listener.error());
        return (*listener)->forward_server_group_id;
      });
  ASSERT_TRUE(forward);
  EXPECT_EQ(*forward, "");
}

}  // namespace
}  // namespace openalb
