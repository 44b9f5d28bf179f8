// The backend address policy as an operator configures it: what is always refused, what the
// allow and deny lists change, and the spellings (IPv4-mapped IPv6) that must not slip past.
#include "core/backend_address_policy.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

BackendAddressPolicy Policy(std::vector<std::string> allow, std::vector<std::string> deny,
                            std::vector<std::uint16_t> protected_ports = {8080}) {
  auto policy = BackendAddressPolicy::Create(allow, deny, std::move(protected_ports));
  EXPECT_TRUE(policy) << (policy ? "" : policy.error().message);
  return policy ? std::move(*policy) : BackendAddressPolicy();
}

TEST(BackendAddressPolicyTest, LinkLocalUnspecifiedAndTheApiPortAreAlwaysRefused) {
  // Even an allow list naming them does not let them in.
  auto policy = Policy({"0.0.0.0/0", "::/0"}, {});
  for (const char* address : {"169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1",
                              "255.255.255.255", "::ffff:169.254.169.254"}) {
    EXPECT_TRUE(policy.Refuses(address, 80)) << address;
  }
  for (const char* address : {"127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1", "0.0.0.0"}) {
    EXPECT_TRUE(policy.Refuses(address, 8080)) << address;
  }
  EXPECT_FALSE(policy.Refuses("127.0.0.1", 8081));
  EXPECT_FALSE(policy.Refuses("203.0.113.5", 8080));  // not this host
}

TEST(BackendAddressPolicyTest, WithoutListsLoopbackPrivateAndPublicAreAllowed) {
  auto policy = Policy({}, {});
  for (const char* address :
       {"127.0.0.1", "::1", "10.1.2.3", "192.168.0.9", "fd00::5", "203.0.113.5", "2001:db8::1"}) {
    EXPECT_FALSE(policy.Refuses(address, 80)) << address;
  }
}

TEST(BackendAddressPolicyTest, DenyWinsOverAllowAndAnAllowListRefusesTheRest) {
  auto policy = Policy({"10.0.0.0/8", "fd00::/8"}, {"10.9.0.0/16", "127.0.0.0/8"});
  EXPECT_FALSE(policy.Refuses("10.1.2.3", 80));
  EXPECT_FALSE(policy.Refuses("::ffff:10.1.2.3", 80));
  EXPECT_FALSE(policy.Refuses("fd12::1", 80));
  EXPECT_TRUE(policy.Refuses("10.9.1.1", 80));
  EXPECT_TRUE(policy.Refuses("::ffff:10.9.1.1", 80));
  EXPECT_TRUE(policy.Refuses("127.0.0.1", 80));
  EXPECT_TRUE(policy.Refuses("192.168.0.1", 80));
  EXPECT_TRUE(policy.Refuses("2001:db8::1", 80));
}

TEST(BackendAddressPolicyTest, ARangeThatIsNotACidrIsRefusedNamingTheFlag) {
  auto policy = BackendAddressPolicy::Create({"10.0.0.0/33"}, {}, {});
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().message.find("--backend-allow"), std::string::npos);
  EXPECT_FALSE(BackendAddressPolicy::Create({}, {"localhost"}, {}));
  EXPECT_TRUE(BackendAddressPolicy::Create({"192.0.2.7"}, {"::1"}, {}));
}

}  // namespace
}  // namespace openalb
