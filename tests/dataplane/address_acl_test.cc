// AddressAcl: White admits only covered clients, Black refuses them, prefixes of any length
// and both families, IPv4-mapped IPv6 clients judged as IPv4, and entries the API would refuse
// refused here too.
#include "dataplane/address_acl.h"

#include <gtest/gtest.h>

#include <string>

namespace openalb {
namespace {

boost::asio::ip::address Ip(const std::string& text) { return boost::asio::ip::make_address(text); }

AddressAcl Compiled(std::string type, std::vector<std::string> entries) {
  auto acl = AddressAcl::Compile({std::move(type), std::move(entries)});
  EXPECT_TRUE(acl) << (acl ? "" : acl.error().message);
  return acl ? std::move(*acl) : AddressAcl::Compile({"Black", {}}).value();
}

TEST(AddressAclTest, WhiteAdmitsOnlyCoveredClients) {
  AddressAcl acl = Compiled("White", {"10.0.0.0/8", "192.0.2.7", "2001:db8:1::/48"});
  EXPECT_TRUE(acl.Admits(Ip("10.255.1.2")));
  EXPECT_TRUE(acl.Admits(Ip("192.0.2.7")));
  EXPECT_FALSE(acl.Admits(Ip("192.0.2.8")));
  EXPECT_FALSE(acl.Admits(Ip("11.0.0.1")));
  EXPECT_TRUE(acl.Admits(Ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(acl.Admits(Ip("2001:db8:2::1")));
  // A dual-stack socket sees an IPv4 client as ::ffff:a.b.c.d: judged as the IPv4 address.
  EXPECT_TRUE(acl.Admits(Ip("::ffff:10.1.2.3")));
  EXPECT_FALSE(acl.Admits(Ip("::ffff:11.1.2.3")));
}

TEST(AddressAclTest, BlackRefusesCoveredClients) {
  AddressAcl acl = Compiled("Black", {"127.0.0.2/32", "172.16.0.0/12"});
  EXPECT_TRUE(acl.Admits(Ip("127.0.0.1")));
  EXPECT_FALSE(acl.Admits(Ip("127.0.0.2")));
  EXPECT_FALSE(acl.Admits(Ip("172.31.255.255")));
  EXPECT_TRUE(acl.Admits(Ip("172.32.0.0")));
  EXPECT_TRUE(acl.Admits(Ip("::1")));
}

TEST(AddressAclTest, NestedAndCatchAllPrefixes) {
  // A longer prefix inside a shorter one, inserted either way round, and /0.
  AddressAcl nested = Compiled("White", {"10.1.2.0/24", "10.0.0.0/8", "10.1.0.0/16"});
  EXPECT_TRUE(nested.Admits(Ip("10.9.9.9")));
  AddressAcl all = Compiled("Black", {"0.0.0.0/0"});
  EXPECT_FALSE(all.Admits(Ip("203.0.113.9")));
  EXPECT_TRUE(all.Admits(Ip("2001:db8::1")));  // another family
}

TEST(AddressAclTest, ThousandsOfEntriesStillMatchExactly) {
  std::vector<std::string> entries;
  for (int i = 0; i < 4000; ++i) {
    entries.push_back("10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24");
  }
  AddressAcl acl = Compiled("White", entries);
  EXPECT_TRUE(acl.Admits(Ip("10.15.159.77")));  // entry 3999
  EXPECT_FALSE(acl.Admits(Ip("10.15.160.1")));  // entry 4000 was not added
  EXPECT_FALSE(acl.Admits(Ip("10.16.0.1")));
}

TEST(AddressAclTest, RefusesWhatIsNotAPrefix) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "10.0.0.0/+8", "10.0.0.0/ 8",
                          "::1/129", "host.example", "", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(ParseIpPrefix(bad)) << bad;
    EXPECT_FALSE(AddressAcl::Compile({"White", {bad}})) << bad;
  }
  EXPECT_FALSE(AddressAcl::Compile({"Grey", {"10.0.0.0/8"}}));
  auto parsed = ParseIpPrefix("2001:db8::/32");
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->v4);
  EXPECT_EQ(parsed->bits, 32);
}

}  // namespace
}  // namespace openalb
