// SNI selection rules of a listener snapshot, TLS contexts built from real PEM, and the
// "certificate served" counter of the certificate each selection chose.
#include "dataplane/listener_snapshot.h"

#include <gtest/gtest.h>

#include "support/test_certificates.h"

namespace openalb {
namespace {

ServedCertificate Served(const std::string& id, std::vector<std::string> names, bool ecdsa) {
  testing::CertSpec spec;
  spec.common_name = names.front();
  spec.dns_names = names;
  spec.key = ecdsa ? testing::KeyKind::kEcP256 : testing::KeyKind::kRsa2048;
  auto generated = testing::MakeCertificate(spec);
  return {.certificate_id = id,
          .fingerprint_sha256 = id + "-fp",
          .names = std::move(names),
          .ecdsa = ecdsa,
          .chain_pem = generated.cert_pem,
          .sealed_private_key = generated.key_pem};
}

std::shared_ptr<CertificateContexts> PlainKeyContexts() {
  return std::make_shared<CertificateContexts>(
      [](const CertificateMaterial& m) -> Result<std::string> { return m.sealed_private_key; },
      CertificateContexts::kDefaultCapacity);
}

class ListenerSnapshotTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<ServedCertificate> additional;
    additional.push_back(Served("exact", {"a.example.com"}, true));
    additional.push_back(Served("exact-rsa", {"a.example.com"}, false));
    additional.push_back(Served("wild", {"*.example.com"}, true));
    additional.push_back(Served("deep", {"*.b.example.com"}, true));
    snapshot_ = new ListenerSnapshot(
        7, PlainKeyContexts(), Served("default", {"default.test"}, true), std::move(additional));
  }
  static void TearDownTestSuite() { delete snapshot_; }

  static std::string Pick(std::string_view sni, bool ecdsa = true) {
    return snapshot_->Select(sni, ecdsa).certificate_id;
  }

  static ListenerSnapshot* snapshot_;
};

ListenerSnapshot* ListenerSnapshotTest::snapshot_ = nullptr;

TEST_F(ListenerSnapshotTest, CountsTheCertificateEachHandshakeChose) {
  auto telemetry = std::make_shared<ListenerTelemetry>("lsn-1", "alb-1", "HTTPS");
  snapshot_->set_telemetry(telemetry);
  snapshot_->CountServed(snapshot_->Select("a.example.com", true));
  snapshot_->CountServed(snapshot_->Select("c.example.com", true));
  snapshot_->CountServed(snapshot_->Select("d.example.com", true));
  snapshot_->CountServed(snapshot_->Select("unknown.test", true));
  snapshot_->CountServed(snapshot_->Select("a.example.com", false));
  EXPECT_EQ(telemetry->CertificateCounter("exact")->Sum(), 1u);
  EXPECT_EQ(telemetry->CertificateCounter("exact-rsa")->Sum(), 1u);
  EXPECT_EQ(telemetry->CertificateCounter("wild")->Sum(), 2u);
  EXPECT_EQ(telemetry->CertificateCounter("default")->Sum(), 1u);
  EXPECT_EQ(telemetry->CertificateCounter("deep")->Sum(), 0u);
  snapshot_->set_telemetry(nullptr);
  snapshot_->CountServed(snapshot_->Select("a.example.com", true));  // not counted: no crash
  EXPECT_EQ(telemetry->CertificateCounter("exact")->Sum(), 1u);
}

TEST_F(ListenerSnapshotTest, AnExactNameWinsOverAWildcard) {
  EXPECT_EQ(Pick("a.example.com"), "exact");
  EXPECT_EQ(Pick("A.Example.COM"), "exact");
}

TEST_F(ListenerSnapshotTest, AWildcardCoversExactlyOneLabel) {
  EXPECT_EQ(Pick("c.example.com"), "wild");
  EXPECT_EQ(Pick("x.b.example.com"), "deep");
  EXPECT_EQ(Pick("x.y.c.example.com"), "default");
  EXPECT_EQ(Pick("example.com"), "default");
}

TEST_F(ListenerSnapshotTest, NoOrUnknownNameGetsTheDefault) {
  EXPECT_EQ(Pick(""), "default");
  EXPECT_EQ(Pick("unknown.test"), "default");
  EXPECT_EQ(Pick("default.test"), "default");
  EXPECT_EQ(Pick("."), "default");
}

TEST_F(ListenerSnapshotTest, EcdsaIsPreferredOnlyForClientsThatAcceptIt) {
  EXPECT_EQ(Pick("a.example.com", /*ecdsa=*/true), "exact");
  EXPECT_EQ(Pick("a.example.com", /*ecdsa=*/false), "exact-rsa");
  // With no RSA alternative the ECDSA certificate is still the one for the name.
  EXPECT_EQ(Pick("c.example.com", /*ecdsa=*/false), "wild");
}

TEST(ServerContextTest, AKeyThatDoesNotMatchIsRefusedWithoutShowingIt) {
  auto a = testing::MakeCertificate({});
  auto b = testing::MakeCertificate({});
  auto context = MakeServerContext(a.cert_pem, b.key_pem);
  ASSERT_FALSE(context);
  EXPECT_NE(context.error().internal.find("does not match"), std::string::npos);
  EXPECT_EQ(context.error().internal.find("PRIVATE"), std::string::npos);
  EXPECT_FALSE(MakeServerContext("not pem", a.key_pem));
}

}  // namespace
}  // namespace openalb
