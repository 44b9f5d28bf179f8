// The rule matcher: glob semantics, priority order across exact-host, wildcard-host and
// host-less rules, every condition type, response rules, and the traffic limiter.
#include "dataplane/route_table.h"

#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

namespace openalb {
namespace {

namespace http = boost::beast::http;

RuleConfig RouteRule(std::string id, int priority, std::vector<RuleCondition> conditions) {
  return RuleConfig{std::move(id), priority, false, std::move(conditions), {}};
}
RuleCondition RouteHost(std::vector<std::string> values) {
  return {"Host", "", std::move(values), {}};
}
RuleCondition RoutePath(std::vector<std::string> values) {
  return {"Path", "", std::move(values), {}};
}

// The id of the rule matching a GET of `host` `target`, or "default".
std::string RouteMatched(const RouteTable& table, std::string_view host, std::string_view target,
                         const http::fields& headers = {}, const char* client = "192.0.2.1",
                         std::string_view method = "GET") {
  auto question = target.find('?');
  boost::asio::ip::address address = boost::asio::ip::make_address(client);
  RequestFacts facts{host,
                     target.substr(0, question),
                     question == target.npos ? std::string_view() : target.substr(question + 1),
                     method,
                     &headers,
                     &address};
  const CompiledRule* rule = table.Match(facts);
  return rule == nullptr ? "default" : rule->config->rule_id;
}

TEST(GlobMatchTest, StarIsAnyRunAndQuestionMarkOneCharacter) {
  EXPECT_TRUE(GlobMatch("/api/*", "/api/", false));
  EXPECT_TRUE(GlobMatch("/api/*", "/api/v1/users", false));
  EXPECT_FALSE(GlobMatch("/api/*", "/api", false));
  EXPECT_TRUE(GlobMatch("/v?/x", "/v2/x", false));
  EXPECT_FALSE(GlobMatch("/v?/x", "/v22/x", false));
  EXPECT_TRUE(GlobMatch("*.example.com", "a.b.example.com", true));
  EXPECT_FALSE(GlobMatch("*.example.com", "example.com", true));
  EXPECT_TRUE(GlobMatch("*.EXAMPLE.com", "a.example.COM", true));
  EXPECT_FALSE(GlobMatch("/Path", "/path", false));
  EXPECT_TRUE(GlobMatch("*a*b*c", "xxaxxbxxc", false));
  EXPECT_FALSE(GlobMatch("*a*b*c", "xxaxxcxxb", false));
  EXPECT_TRUE(GlobMatch("", "", false));
  EXPECT_FALSE(GlobMatch("", "x", false));
}

TEST(RouteTableTest, TheSmallestPriorityWinsAcrossExactWildcardAndHostlessRules) {
  RouteTable table(
      {RouteRule("exact-late", 30, {RouteHost({"a.example.com"})}),
       RouteRule("wild", 20, {RouteHost({"*.example.com"})}),
       RouteRule("hostless", 25, {RoutePath({"/p"})}),
       RouteRule("exact-early", 10, {RouteHost({"a.example.com"}), RoutePath({"/only"})})},
      {}, "alb-1", 80);
  EXPECT_EQ(RouteMatched(table, "a.example.com", "/only"), "exact-early");
  EXPECT_EQ(RouteMatched(table, "a.example.com", "/p"), "wild");
  EXPECT_EQ(RouteMatched(table, "b.example.com", "/"), "wild");
  EXPECT_EQ(RouteMatched(table, "example.org", "/p"), "hostless");
  EXPECT_EQ(RouteMatched(table, "example.org", "/q"), "default");
}

TEST(RouteTableTest, EveryConditionTypeIsChecked) {
  RouteTable table({RouteRule("header", 1, {{"Header", "X-Env", {"prod*"}, {}}}),
                    RouteRule("query", 2, {{"QueryString", "", {}, {{"q", "a b"}}}}),
                    RouteRule("cookie", 3, {{"Cookie", "", {}, {{"beta", "on"}}}}),
                    RouteRule("method", 4, {{"Method", "", {"DELETE"}, {}}}),
                    RouteRule("v4", 5, {{"SourceIp", "", {"10.0.0.0/8"}, {}}}),
                    RouteRule("v6", 6, {{"SourceIp", "", {"2001:db8::/32"}, {}}}),
                    RouteRule("both", 7, {RoutePath({"/both"}), {"Method", "", {"POST"}, {}}})},
                   {}, "alb-1", 80);
  http::fields headers;
  headers.set("X-Env", "PRODUCTION");
  EXPECT_EQ(RouteMatched(table, "h", "/", headers), "header");
  EXPECT_EQ(RouteMatched(table, "h", "/?x=1&q=a+b"), "query");
  EXPECT_EQ(RouteMatched(table, "h", "/?q=a%20b"), "query");
  EXPECT_EQ(RouteMatched(table, "h", "/?q=ab"), "default");
  http::fields cookies;
  cookies.set(http::field::cookie, "x=1; beta=on");
  EXPECT_EQ(RouteMatched(table, "h", "/", cookies), "cookie");
  EXPECT_EQ(RouteMatched(table, "h", "/", {}, "192.0.2.1", "DELETE"), "method");
  EXPECT_EQ(RouteMatched(table, "h", "/", {}, "10.1.2.3"), "v4");
  EXPECT_EQ(RouteMatched(table, "h", "/", {}, "::ffff:10.1.2.3"), "v4");
  EXPECT_EQ(RouteMatched(table, "h", "/", {}, "2001:db8::1"), "v6");
  EXPECT_EQ(RouteMatched(table, "h", "/", {}, "2001:db9::1"), "default");
  EXPECT_EQ(RouteMatched(table, "h", "/both", {}, "192.0.2.1", "POST"), "both");
  EXPECT_EQ(RouteMatched(table, "h", "/both", {}, "192.0.2.1", "GET"), "default");
}

TEST(RouteTableTest, ResponseRulesMatchStatusAndHeaders) {
  RuleConfig rule{
      "resp",
      1,
      true,
      {{"ResponseStatusCode", "", {"404", "410"}, {}}, {"ResponseHeader", "X-App", {"web"}, {}}},
      {}};
  RouteTable table({rule}, {}, "alb-1", 80);
  http::fields headers;
  headers.set("X-App", "web");
  ASSERT_NE(table.MatchResponse(404, headers), nullptr);
  EXPECT_EQ(table.MatchResponse(200, headers), nullptr);
  EXPECT_EQ(table.MatchResponse(410, {}), nullptr);
  // Response rules never route requests.
  EXPECT_EQ(RouteMatched(table, "h", "/"), "default");
}

TEST(RouteTableTest, AThousandExactHostRulesAreFoundWithoutTryingEach) {
  std::vector<RuleConfig> rules;
  for (int i = 0; i < 1000; ++i) {
    rules.push_back(
        RouteRule("r" + std::to_string(i), i + 1,
                  {RouteHost({"h" + std::to_string(i) + ".test"}), RoutePath({"/x/*"})}));
  }
  RouteTable table(std::move(rules), {}, "alb-1", 80);
  EXPECT_EQ(RouteMatched(table, "h999.test", "/x/1"), "r999");
  EXPECT_EQ(RouteMatched(table, "h0.test", "/x/1"), "r0");
  EXPECT_EQ(RouteMatched(table, "h0.test", "/y"), "default");
}

TEST(TrafficLimiterTest, AdmitsTheRatePerSecondAndPerClient) {
  TrafficLimiter limiter(3, 2);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(limiter.Admit("a", t0));
  EXPECT_TRUE(limiter.Admit("a", t0));
  EXPECT_FALSE(limiter.Admit("a", t0));  // a's 2 per second
  EXPECT_TRUE(limiter.Admit("b", t0));   // the rule's third
  EXPECT_FALSE(limiter.Admit("c", t0));  // the rule's 3 per second
  EXPECT_TRUE(limiter.Admit("c", t0 + std::chrono::seconds(1)));
}

}  // namespace
}  // namespace openalb
