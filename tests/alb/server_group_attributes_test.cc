// A server group's attributes as ALB's API takes them: a patch merged field by field over what
// the group has, every field echoed with ALB's defaults, ALB's ranges refused with the field's
// dotted name, and the policy the data plane acts on read back from what is stored.
#include "alb/server_group_attributes.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

using nlohmann::json;

std::string FieldOf(const Result<json>& r) { return r ? "ok" : r.error().message; }

TEST(ServerGroupAttributesTest, DefaultsAreALBsAndAPatchChangesOnlyWhatItNames) {
  const json defaults = ServerGroupAttributesJson("{}");
  EXPECT_EQ(defaults["HealthCheckConfig"]["HealthCheckEnabled"], false);
  EXPECT_EQ(defaults["HealthCheckConfig"]["HealthCheckInterval"], 2);
  EXPECT_EQ(defaults["HealthCheckConfig"]["HealthCheckCodes"], json({"http_2xx", "http_3xx"}));
  EXPECT_EQ(defaults["StickySessionConfig"]["CookieTimeout"], 1000);
  EXPECT_EQ(defaults["UpstreamKeepaliveEnabled"], true);

  // The SDK sends strings; they are stored as the types ALB shows.
  auto first = MergeServerGroupAttributes("{}",
                                          {{"HealthCheckConfig",
                                            {{"HealthCheckEnabled", "true"},
                                             {"HealthCheckInterval", "5"},
                                             {"HealthCheckCodes", {"http_2xx"}}}}},
                                          "Wrr");
  ASSERT_TRUE(first);
  auto second = MergeServerGroupAttributes(
      first->dump(), {{"HealthCheckConfig", {{"HealthCheckPath", "/ready"}}}}, "Wrr");
  ASSERT_TRUE(second);
  const json& health = (*second)["HealthCheckConfig"];
  EXPECT_EQ(health["HealthCheckEnabled"], true);
  EXPECT_EQ(health["HealthCheckInterval"], 5);
  EXPECT_EQ(health["HealthCheckPath"], "/ready");
  EXPECT_EQ(health["HealthCheckCodes"], json({"http_2xx"}));

  const ServerGroupPolicy policy = ServerGroupPolicyOf(second->dump(), "Wlc");
  EXPECT_EQ(policy.scheduler, Scheduler::kWlc);
  EXPECT_TRUE(policy.health.enabled);
  EXPECT_EQ(policy.health.interval_s, 5);
  EXPECT_EQ(policy.health.path, "/ready");
}

TEST(ServerGroupAttributesTest, TerraformsUnsetFieldsLeaveTheFieldAsItIs) {
  // The provider sends every field of a block; those its user did not set arrive empty.
  auto merged = MergeServerGroupAttributes("{}",
                                           {{"HealthCheckConfig",
                                             {{"HealthCheckEnabled", "true"},
                                              {"HealthCheckHttpVersion", ""},
                                              {"HealthCheckInterval", ""}}}},
                                           "Wrr");
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ((*merged)["HealthCheckConfig"]["HealthCheckHttpVersion"], "HTTP1.1");
  EXPECT_EQ((*merged)["HealthCheckConfig"]["HealthCheckInterval"], 2);
  // …and numbers it was not given as 0, where 0 is outside the field's range.
  auto zeros = MergeServerGroupAttributes(
      merged->dump(),
      {{"HealthCheckConfig", {{"HealthyThreshold", 0}, {"HealthCheckTimeout", "0"}}},
       {"StickySessionConfig", {{"CookieTimeout", 0}}}},
      "Wrr");
  ASSERT_TRUE(zeros) << zeros.error().message;
  EXPECT_EQ((*zeros)["HealthCheckConfig"]["HealthyThreshold"], 3);
  EXPECT_EQ((*zeros)["HealthCheckConfig"]["HealthCheckTimeout"], 5);
  EXPECT_EQ((*zeros)["StickySessionConfig"]["CookieTimeout"], 1000);
}

TEST(ServerGroupAttributesTest, ALBsRangesAreRefusedNamingTheField) {
  auto merge = [](json patch, std::string scheduler = "Wrr") {
    return MergeServerGroupAttributes("{}", patch, scheduler);
  };
  EXPECT_NE(FieldOf(merge({{"HealthCheckConfig", {{"HealthCheckInterval", "51"}}}}))
                .find("HealthCheckConfig.HealthCheckInterval"),
            std::string::npos);
  EXPECT_FALSE(merge({{"HealthCheckConfig", {{"HealthyThreshold", 11}}}}));
  EXPECT_FALSE(merge({{"HealthCheckConfig", {{"HealthCheckCodes", {"http_200"}}}}}));
  EXPECT_TRUE(merge({{"HealthCheckConfig", {{"HealthCheckCodes", {"0-99"}}}}}));  // gRPC
  EXPECT_FALSE(merge({{"HealthCheckConfig", {{"HealthCheckPath", "ready"}}}}));
  EXPECT_FALSE(merge({{"HealthCheckConfig", {{"HealthCheckProtocol", "UDP"}}}}));
  EXPECT_FALSE(merge({{"HealthCheckConfig", {{"HealthCheckTypo", "1"}}}}));
  EXPECT_FALSE(merge({{"StickySessionConfig", {{"StickySessionEnabled", "yes"}}}}));
  EXPECT_FALSE(merge({{"StickySessionConfig",
                       {{"StickySessionEnabled", true}, {"StickySessionType", "Server"}}}}));
  EXPECT_FALSE(merge({{"StickySessionConfig", {{"Cookie", "a b"}}}}));
  EXPECT_FALSE(merge({}, "Uch"));
  EXPECT_TRUE(merge({{"UchConfig", {{"Type", "QueryString"}, {"Value", "user"}}}}, "Uch"));
}

}  // namespace
}  // namespace openalb
