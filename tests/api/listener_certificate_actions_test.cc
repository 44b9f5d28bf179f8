// The seed operation through the whole request pipeline: the seed's sample request
// (JSON-array Certificates, ClientToken, DryRun) and its XML and JSON responses.
#include <gtest/gtest.h>

#include "alb/certificates.h"
#include "alb/listener_certificates.h"
#include "alb/listeners.h"
#include "alb/load_balancers.h"
#include "support/api_harness.h"
#include "support/test_certificates.h"

namespace openalb {
namespace {

using testing::ApiHarness;
using testing::kAccountId;

class ListenerCertificateActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.clock().Set(std::chrono::system_clock::now());
    Domain& domain = api_.domain();
    WriteRequest write{kAccountId, "setup", "", false};
    auto lb = CreateLoadBalancer(domain, {write, "lb", "Standard", "", ""});
    ASSERT_TRUE(lb);
    ASSERT_TRUE(api_.worker().RunOnce());
    default_ = Import("www.example.com");
    extra_ = Import("a.example.com");
    auto listener = CreateListener(domain, {write, lb->resource_id, "HTTPS", 443, default_, ""});
    ASSERT_TRUE(listener);
    listener_ = listener->resource_id;
    ASSERT_TRUE(api_.worker().RunOnce());
    ASSERT_TRUE(AssociateAdditionalCertificates(domain, {write, listener_, {extra_}}));
    ASSERT_TRUE(api_.worker().RunOnce());
  }

  std::string Import(const std::string& name) {
    testing::CertSpec spec;
    spec.common_name = name;
    auto generated = testing::MakeCertificate(spec);
    auto imported =
        ImportCertificate(api_.domain(), {kAccountId, name, generated.cert_pem, generated.key_pem});
    EXPECT_TRUE(imported);
    return imported ? imported->certificate_id : "";
  }

  std::map<std::string, std::string> SeedSample(const std::string& dry_run) {
    return {{"Action", "DissociateAdditionalCertificatesFromListener"},
            {"ListenerId", listener_},
            {"Certificates", "[{\"CertificateId\":\"" + extra_ + "\"}]"},
            {"ClientToken", "5A2CFF0E-5718-45B5-9D4D-70B3FF3898"},
            {"DryRun", dry_run}};
  }

  ApiHarness api_;
  std::string default_, extra_, listener_;
};

TEST_F(ListenerCertificateActionsTest, TheSeedSampleWithDryRunAnswersDryRunOperation) {
  auto reply = api_.Send(api_.SignedGet(SeedSample("true")));
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("\"Code\":\"DryRunOperation\""), std::string::npos) << reply.body;
  auto rows = ListListenerCertificates(api_.domain(),
                                       {kAccountId, listener_, "", {}, {.after = 0, .limit = 20}});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->items.back().status, "Associated");
}

TEST_F(ListenerCertificateActionsTest, TheSeedSampleAnswersAJobIdInXml) {
  auto params = SeedSample("false");
  params["Format"] = "XML";
  auto reply = api_.Send(api_.SignedGet(params));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.content_type, "application/xml;charset=utf-8");
  EXPECT_NE(reply.body.find("<DissociateAdditionalCertificatesFromListenerResponse>"),
            std::string::npos)
      << reply.body;
  auto job_start = reply.body.find("<JobId>");
  ASSERT_NE(job_start, std::string::npos);
  std::string job_id = reply.body.substr(job_start + 7, 36);
  EXPECT_NE(reply.body.find("<RequestId>"), std::string::npos);
  // The same token again: the same job, in JSON this time.
  auto replay = api_.Send(api_.SignedPost(SeedSample("false")));
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_NE(replay.body.find("\"JobId\":\"" + job_id + "\""), std::string::npos) << replay.body;
}

TEST_F(ListenerCertificateActionsTest, ErrorsCarryTheDocumentedStatusInTheEnvelope) {
  auto params = SeedSample("false");
  params["ListenerId"] = "lsr-missing000000000000";
  auto reply = api_.Send(api_.SignedGet(params));
  EXPECT_EQ(reply.status, 404);
  EXPECT_NE(reply.body.find("\"Code\":\"ResourceNotFound.Listener\""), std::string::npos);
  EXPECT_NE(reply.body.find("lsr-missing000000000000"), std::string::npos);
  params = SeedSample("false");
  params.erase("ListenerId");
  reply = api_.Send(api_.SignedGet(params));
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("\"Code\":\"MissingListenerId\""), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace openalb
