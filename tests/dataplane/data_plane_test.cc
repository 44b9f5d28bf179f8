// The data plane on real sockets: applying, failing without harm, and expiry reporting.
#include "dataplane/data_plane.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "support/free_port.h"
#include "support/test_certificates.h"

namespace openalb {
namespace {

using testing::FreePort;

CertificateMaterial Material(const std::string& id, const std::string& name,
                             std::chrono::seconds valid_for) {
  testing::CertSpec spec;
  spec.common_name = name;
  spec.dns_names = {name};
  spec.valid_until = valid_for;
  auto generated = testing::MakeCertificate(spec);
  CertificateMaterial material;
  material.certificate_id = id;
  material.fingerprint_sha256 = id + "-fp";
  material.names = {name};
  material.ecdsa = true;
  material.chain_pem = generated.cert_pem;
  material.sealed_private_key = generated.key_pem;  // the test's opener returns it as is
  material.not_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              (std::chrono::system_clock::now() + valid_for).time_since_epoch())
                              .count();
  return material;
}

class DataPlaneTest : public ::testing::Test {
 protected:
  DataPlane plane_{
      {}, [](const CertificateMaterial& m) -> Result<std::string> { return m.sealed_private_key; }};
};

TEST_F(DataPlaneTest, ApplyBindsOncePublishesNewVersionsAndRemoveReleases) {
  const int port = FreePort();
  ListenerConfig config{"lsr-1", port, {Material("d", "d.test", std::chrono::hours(24 * 90))}};
  ASSERT_TRUE(plane_.Apply(config));
  EXPECT_EQ(plane_.PortOf("lsr-1"), port);
  auto first = plane_.SnapshotOf("lsr-1");
  config.certificates.push_back(Material("a", "a.test", std::chrono::hours(24 * 90)));
  ASSERT_TRUE(plane_.Apply(config));
  auto second = plane_.SnapshotOf("lsr-1");
  EXPECT_GT(second->version(), first->version());
  EXPECT_EQ(second->Select("a.test", true).certificate_id, "a");
  EXPECT_EQ(first->Select("a.test", true).certificate_id, "d");  // the old one is unchanged
  plane_.Remove("lsr-1");
  EXPECT_FALSE(plane_.PortOf("lsr-1"));
}

TEST_F(DataPlaneTest, AFailedApplyKeepsThePreviousConfigurationServing) {
  const int port = FreePort();
  ListenerConfig config{"lsr-1", port, {Material("d", "d.test", std::chrono::hours(24 * 90))}};
  ASSERT_TRUE(plane_.Apply(config));
  auto before = plane_.SnapshotOf("lsr-1");
  CertificateMaterial broken = Material("b", "b.test", std::chrono::hours(24 * 90));
  broken.sealed_private_key = Material("x", "x.test", std::chrono::hours(1)).sealed_private_key;
  config.certificates.push_back(broken);
  auto failed = plane_.Apply(config);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "OperationFailed.ListenerConfig");
  EXPECT_NE(failed.error().message.find("Certificate b "), std::string::npos);
  EXPECT_EQ(plane_.SnapshotOf("lsr-1"), before);
}

TEST_F(DataPlaneTest, APortInUseFailsWithItsNumber) {
  const int port = FreePort();
  ASSERT_TRUE(plane_.Apply({"lsr-1", port, {Material("d", "d.test", std::chrono::hours(48))}}));
  auto clash = plane_.Apply({"lsr-2", port, {Material("e", "e.test", std::chrono::hours(48))}});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, "OperationFailed.ListenerPort");
  EXPECT_NE(clash.error().message.find(std::to_string(port)), std::string::npos);
  EXPECT_FALSE(plane_.PortOf("lsr-2"));
}

TEST_F(DataPlaneTest, CertificatesExpiringWithinThirtyDaysAreReported) {
  ASSERT_TRUE(plane_.Apply({"lsr-1",
                            FreePort(),
                            {Material("later", "d.test", std::chrono::hours(24 * 90)),
                             Material("soon", "s.test", std::chrono::hours(24 * 10))}}));
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto expiring = plane_.ExpiringWithin(now, 30LL * 24 * 3600 * 1000);
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(expiring[0].first, "soon");
}

TEST_F(DataPlaneTest, ReconcileServesExactlyTheGivenListeners) {
  ASSERT_TRUE(
      plane_.Apply({"lsr-old", FreePort(), {Material("d", "d.test", std::chrono::hours(48))}}));
  auto failures = plane_.Reconcile(
      {{"lsr-new", FreePort(), {Material("e", "e.test", std::chrono::hours(48))}}});
  EXPECT_TRUE(failures.empty());
  EXPECT_FALSE(plane_.PortOf("lsr-old"));
  EXPECT_TRUE(plane_.PortOf("lsr-new"));
}

}  // namespace
}  // namespace openalb
