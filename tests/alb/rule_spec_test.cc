// Reading a rule's conditions and actions from the API's parameters: what is accepted, what
// is refused with which code, and the JSON round trip the store relies on.
#include "alb/rule_spec.h"

#include <gtest/gtest.h>

#include "support/result_code.h"

namespace openalb {
namespace {

using testing::CodeOf;

Result<std::vector<RuleAction>> SpecActions(std::vector<RuleParameterObject> objects,
                                            bool response = false) {
  return ReadRuleActions(objects, response, RuleLimits{}, "RuleActions");
}
Result<std::vector<RuleCondition>> SpecConditions(std::vector<RuleParameterObject> objects,
                                                  bool response = false) {
  return ReadRuleConditions(objects, response, RuleLimits{}, "RuleConditions");
}
RuleParameterObject FixedAt(const std::string& order = "9") {
  return {{"Type", "FixedResponse"}, {"Order", order}, {"FixedResponseConfig.HttpCode", "200"}};
}

TEST(RuleSpecTest, ConditionsAreReadAndHostsLowerCased) {
  auto read = SpecConditions({{{"Type", "Host"}, {"HostConfig.Values.1", "WWW.Example.com"}},
                              {{"Type", "QueryString"},
                               {"QueryStringConfig.Values.1.Key", "k"},
                               {"QueryStringConfig.Values.1.Value", "v"}},
                              {{"Type", "Header"},
                               {"HeaderConfig.Key", "X-A"},
                               {"HeaderConfig.Values.1", "1"},
                               {"HeaderConfig.Values.2", "2"}}});
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ((*read)[0].values, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ((*read)[1].pairs, (std::vector<KeyValue>{{"k", "v"}}));
  EXPECT_EQ((*read)[2].values, (std::vector<std::string>{"1", "2"}));
  auto again = ConditionsFromJson(ConditionsJson(*read).dump());
  EXPECT_EQ(again, *read);
}

TEST(RuleSpecTest, BadConditionsAreRefused) {
  EXPECT_EQ(CodeOf(SpecConditions({})), "MissingRuleConditions");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Nope"}}})), "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Host"}}})),
            "MissingRuleConditions.1.HostConfig.Values");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Host"}, {"HostConfig.Values.1", "a b"}}})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Path"}, {"PathConfig.Values.1", "no-slash"}}})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Method"}, {"MethodConfig.Values.1", "get"}}})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "SourceIp"}, {"SourceIpConfig.Values.1", "1.2.3"}}})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Path"}, {"PathConfig.Values.1", "/a"}},
                                   {{"Type", "Path"}, {"PathConfig.Values.1", "/b"}}})),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Host"}, {"HostConfig.Values.1", "a.com"}}}, true)),
            "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecConditions({{{"Type", "Path"}, {"PathConfig.Oops", "/a"}}})),
            "InvalidParameter");
  std::vector<RuleParameterObject> eleven(
      11, {{"Type", "Header"}, {"HeaderConfig.Key", "X"}, {"HeaderConfig.Values.1", "v"}});
  EXPECT_EQ(CodeOf(SpecConditions(eleven)), "QuotaExceeded.RuleMatchEvaluationsNum");
  RuleParameterObject wild{{"Type", "Path"}};
  for (int i = 1; i <= 5; ++i) wild["PathConfig.Values." + std::to_string(i)] = "/a*";
  RuleParameterObject hosts{{"Type", "Host"}};
  for (int i = 1; i <= 5; ++i) hosts["HostConfig.Values." + std::to_string(i)] = "*.a";
  RuleLimits tight;
  tight.wildcards = 9;
  EXPECT_EQ(CodeOf(ReadRuleConditions({wild, hosts}, false, tight, "RuleConditions")),
            "QuotaExceeded.RuleWildcardsNum");
}

TEST(RuleSpecTest, ActionsNeedExactlyOneFinalActionLast) {
  EXPECT_TRUE(SpecActions({FixedAt()}));
  RuleParameterObject insert{{"Type", "InsertHeader"},
                             {"Order", "1"},
                             {"InsertHeaderConfig.Key", "X-A"},
                             {"InsertHeaderConfig.Value", "v"}};
  auto both = SpecActions({FixedAt("9"), insert});
  ASSERT_TRUE(both);
  EXPECT_EQ((*both)[0].type, "InsertHeader");  // sorted by Order
  EXPECT_EQ(CodeOf(SpecActions({insert})), "InvalidParameter");
  EXPECT_EQ(CodeOf(SpecActions({FixedAt("1"), FixedAt("2")})), "InvalidParameter");
  RuleParameterObject late = insert;
  late["Order"] = "10";
  EXPECT_EQ(CodeOf(SpecActions({FixedAt("9"), late})), "InvalidParameter");
  EXPECT_EQ(
      CodeOf(SpecActions({{{"Type", "FixedResponse"}, {"FixedResponseConfig.HttpCode", "200"}}})),
      "MissingRuleActions.1.Order");
  // Response rules take header actions only.
  EXPECT_TRUE(SpecActions({insert}, true));
  EXPECT_EQ(CodeOf(SpecActions({FixedAt()}, true)), "InvalidParameter");
}

TEST(RuleSpecTest, EachActionIsValidatedAsDocumented) {
  auto one = [](RuleParameterObject o) { return CodeOf(SpecActions({std::move(o)})); };
  EXPECT_EQ(one({{"Type", "Redirect"},
                 {"Order", "1"},
                 {"RedirectConfig.HttpCode", "300"},
                 {"RedirectConfig.Host", "a.com"}}),
            "InvalidParameter");
  EXPECT_EQ(one({{"Type", "Redirect"}, {"Order", "1"}, {"RedirectConfig.Port", "0"}}),
            "InvalidParameter");
  EXPECT_EQ(one({{"Type", "Redirect"}, {"Order", "1"}, {"RedirectConfig.Protocol", "HTTPS"}}),
            "ok");
  EXPECT_EQ(
      one({{"Type", "FixedResponse"}, {"Order", "1"}, {"FixedResponseConfig.HttpCode", "301"}}),
      "InvalidParameter");
  EXPECT_EQ(one({{"Type", "FixedResponse"},
                 {"Order", "1"},
                 {"FixedResponseConfig.HttpCode", "200"},
                 {"FixedResponseConfig.ContentType", "image/png"}}),
            "InvalidParameter");
  EXPECT_EQ(one({{"Type", "ForwardGroup"},
                 {"Order", "1"},
                 {"ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId", "sgp-1"},
                 {"ForwardGroupConfig.ServerGroupTuples.1.Weight", "101"}}),
            "InvalidParameter");
  EXPECT_EQ(one({{"Type", "ForwardGroup"}, {"Order", "1"}}),
            "MissingRuleActions.1.ForwardGroupConfig.ServerGroupTuples");
  EXPECT_EQ(one({{"Type", "TrafficMirror"}, {"Order", "1"}}),
            "OperationDenied.TrafficMirrorNotSupported");
  RuleParameterObject reserved{{"Type", "InsertHeader"},
                               {"Order", "1"},
                               {"InsertHeaderConfig.Key", "X-Forwarded-For"},
                               {"InsertHeaderConfig.Value", "1.2.3.4"}};
  EXPECT_EQ(CodeOf(SpecActions({reserved, FixedAt()})), "InvalidParameter");
  RuleParameterObject cors{{"Type", "Cors"},
                           {"Order", "1"},
                           {"CorsConfig.AllowOrigin.1", "*"},
                           {"CorsConfig.AllowCredentials", "on"}};
  EXPECT_EQ(CodeOf(SpecActions({cors, FixedAt()})), "InvalidParameter");
  RuleParameterObject limit{{"Type", "TrafficLimit"},
                            {"Order", "1"},
                            {"TrafficLimitConfig.QPS", "10"},
                            {"TrafficLimitConfig.PerIpQps", "20"}};
  EXPECT_EQ(CodeOf(SpecActions({limit, FixedAt()})), "InvalidParameter");
  RuleParameterObject rewrite{{"Type", "Rewrite"}, {"Order", "1"}, {"RewriteConfig.Path", "/x"}};
  EXPECT_EQ(CodeOf(SpecActions({rewrite, FixedAt()})), "InvalidParameter");  // needs ForwardGroup
}

TEST(RuleSpecTest, ActionsRoundTripThroughTheStoredJson) {
  auto read = SpecActions({{{"Type", "Cors"},
                            {"Order", "1"},
                            {"CorsConfig.AllowOrigin.1", "https://a.example"},
                            {"CorsConfig.AllowMethods.1", "GET"},
                            {"CorsConfig.MaxAge", "60"}},
                           {{"Type", "ForwardGroup"},
                            {"Order", "2"},
                            {"ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId", "sgp-1"},
                            {"ForwardGroupConfig.ServerGroupTuples.2.ServerGroupId", "sgp-2"},
                            {"ForwardGroupConfig.ServerGroupTuples.2.Weight", "20"},
                            {"ForwardGroupConfig.ServerGroupStickySession.Enabled", "true"},
                            {"ForwardGroupConfig.ServerGroupStickySession.Timeout", "300"}}});
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(ActionsFromJson(ActionsJson(*read).dump()), *read);
  EXPECT_EQ(ForwardedGroups(*read), (std::vector<std::string>{"sgp-1", "sgp-2"}));
}

}  // namespace
}  // namespace openalb
