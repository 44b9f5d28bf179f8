// The RAM policy language: each element alone and in combination, explicit Deny beating
// Allow, no match denying, and malformed documents refused with a message naming the fault.
#include "auth/ram_policy.h"

#include <gtest/gtest.h>

#include <list>
#include <random>

#include "core/time_format.h"

namespace openalb {
namespace {

constexpr char kLb1[] = "acs:alb:cn-hangzhou:1111222233334444:loadbalancer/alb-one";
constexpr char kLb2[] = "acs:alb:cn-hangzhou:1111222233334444:loadbalancer/alb-two";

// RamRequest holds views: the texts live as long as the test binary.
std::string_view Keep(std::string text) {
  static std::list<std::string> kept;
  return kept.emplace_back(std::move(text));
}

RamRequest Request(const std::string& action, std::string_view resource = kLb1) {
  return {Keep("alb:" + action), resource, "10.1.2.3", true, *ParseIso8601("2026-11-23T12:00:00Z")};
}

RamPolicy Policy(const std::string& statements) {
  auto policy = RamPolicy::Parse(R"({"Version":"1","Statement":[)" + statements + "]}");
  EXPECT_TRUE(policy) << (policy ? "" : policy.error().message);
  return policy ? std::move(*policy) : *RamPolicy::Parse(R"({"Version":"1","Statement":[]})");
}

TEST(RamPolicyTest, ActionsMatchWithWildcardsAndIgnoringCase) {
  RamPolicy list_only = Policy(R"({"Effect":"Allow","Action":"alb:List*","Resource":"*"})");
  EXPECT_EQ(list_only.Evaluate(Request("ListListeners")), RamDecision::kAllow);
  EXPECT_EQ(list_only.Evaluate(Request("listlistenercertificates")), RamDecision::kAllow);
  EXPECT_EQ(list_only.Evaluate(Request("DissociateAdditionalCertificatesFromListener")),
            RamDecision::kImplicitDeny);
  RamPolicy all = Policy(R"({"Effect":"Allow","Action":["alb:*"],"Resource":"*"})");
  EXPECT_EQ(all.Evaluate(Request("CreateListener")), RamDecision::kAllow);
  EXPECT_EQ(all.Evaluate({"yundun-cert:UploadUserCertificate", "*", "", true, {}}),
            RamDecision::kImplicitDeny);
  RamPolicy exact = Policy(R"({"Effect":"Allow","Action":"alb:GetListenerAttribute",
                               "Resource":"*"})");
  EXPECT_EQ(exact.Evaluate(Request("GetListenerAttributeX")), RamDecision::kImplicitDeny);
}

TEST(RamPolicyTest, ResourcesMatchArnsWithWildcards) {
  RamPolicy one =
      Policy(R"({"Effect":"Allow","Action":"alb:*","Resource":")" + std::string(kLb1) + R"("})");
  EXPECT_EQ(one.Evaluate(Request("CreateListener", kLb1)), RamDecision::kAllow);
  EXPECT_EQ(one.Evaluate(Request("CreateListener", kLb2)), RamDecision::kImplicitDeny);
  RamPolicy any_lb = Policy(
      R"({"Effect":"Allow","Action":"alb:*","Resource":"acs:alb:*:*:loadbalancer/alb-?ne"})");
  EXPECT_EQ(any_lb.Evaluate(Request("CreateListener", kLb1)), RamDecision::kAllow);
  EXPECT_EQ(any_lb.Evaluate(Request("CreateListener", kLb2)), RamDecision::kImplicitDeny);
}

TEST(RamPolicyTest, AnExplicitDenyBeatsAnyAllowAcrossStatementsAndPolicies) {
  RamPolicy allow_all = Policy(R"({"Effect":"Allow","Action":"*","Resource":"*"})");
  RamPolicy deny_one = Policy(R"({"Effect":"Deny","Action":"alb:Dissociate*","Resource":")" +
                              std::string(kLb1) + R"("})");
  std::vector<RamPolicy> both;
  both.push_back(allow_all);
  both.push_back(deny_one);
  const auto dissociate = "DissociateAdditionalCertificatesFromListener";
  EXPECT_EQ(EvaluatePolicies(both, Request(dissociate, kLb1)), RamDecision::kExplicitDeny);
  EXPECT_EQ(EvaluatePolicies(both, Request(dissociate, kLb2)), RamDecision::kAllow);
  EXPECT_EQ(EvaluatePolicies({}, Request(dissociate)), RamDecision::kImplicitDeny);
  RamPolicy in_one = Policy(R"({"Effect":"Deny","Action":"*","Resource":"*"},
                               {"Effect":"Allow","Action":"*","Resource":"*"})");
  EXPECT_EQ(in_one.Evaluate(Request("ListListeners")), RamDecision::kExplicitDeny);
}

TEST(RamPolicyTest, SourceIpConditionsTakeAddressesAndNetworks) {
  RamPolicy office = Policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"IpAddress":{"acs:SourceIp":["10.1.0.0/16","192.0.2.7"]}}})");
  RamRequest request = Request("ListListeners");
  EXPECT_EQ(office.Evaluate(request), RamDecision::kAllow);
  request.source_ip = "10.2.0.1";
  EXPECT_EQ(office.Evaluate(request), RamDecision::kImplicitDeny);
  request.source_ip = "192.0.2.7";
  EXPECT_EQ(office.Evaluate(request), RamDecision::kAllow);
  request.source_ip = "::ffff:10.1.2.3";  // an IPv4 client on an IPv6 socket is IPv4
  EXPECT_EQ(office.Evaluate(request), RamDecision::kAllow);
  request.source_ip = "2001:db8::10.1.2.3";  // an IPv6 address is not
  EXPECT_EQ(office.Evaluate(request), RamDecision::kImplicitDeny);
  request.source_ip = "10.1.0.0/16";  // a network is not an address
  EXPECT_EQ(office.Evaluate(request), RamDecision::kImplicitDeny);

  RamPolicy not_there = Policy(R"({"Effect":"Deny","Action":"*","Resource":"*",
      "Condition":{"NotIpAddress":{"acs:SourceIp":"2001:db8::/32"}}})");
  request.source_ip = "2001:db8::1";
  EXPECT_EQ(not_there.Evaluate(request), RamDecision::kImplicitDeny);
  request.source_ip = "2001:db9::1";
  EXPECT_EQ(not_there.Evaluate(request), RamDecision::kExplicitDeny);
  RamPolicy odd_prefix = Policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"IpAddress":{"acs:SourceIp":"10.1.2.0/23"}}})");
  request.source_ip = "10.1.3.255";
  EXPECT_EQ(odd_prefix.Evaluate(request), RamDecision::kAllow);
  request.source_ip = "10.1.4.0";
  EXPECT_EQ(odd_prefix.Evaluate(request), RamDecision::kImplicitDeny);
}

TEST(RamPolicyTest, SecureTransportAndCurrentTimeConditions) {
  RamPolicy tls_only = Policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"Bool":{"acs:SecureTransport":"true"}}})");
  RamRequest request = Request("ListListeners");
  EXPECT_EQ(tls_only.Evaluate(request), RamDecision::kAllow);
  request.secure_transport = false;
  EXPECT_EQ(tls_only.Evaluate(request), RamDecision::kImplicitDeny);

  RamPolicy window = Policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"DateGreaterThan":{"acs:CurrentTime":"2026-11-23T00:00:00Z"},
                   "DateLessThan":{"acs:CurrentTime":"2026-11-24T00:00:00Z"}}})");
  request = Request("ListListeners");
  EXPECT_EQ(window.Evaluate(request), RamDecision::kAllow);
  request.now = *ParseIso8601("2026-11-24T00:00:00Z");
  EXPECT_EQ(window.Evaluate(request), RamDecision::kImplicitDeny);  // both must hold
  request.now = *ParseIso8601("2026-11-22T23:59:59Z");
  EXPECT_EQ(window.Evaluate(request), RamDecision::kImplicitDeny);
  RamPolicy from = Policy(R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"DateGreaterThanEquals":{"acs:CurrentTime":"2026-11-22T23:59:59Z"}}})");
  EXPECT_EQ(from.Evaluate(request), RamDecision::kAllow);
}

TEST(RamPolicyTest, MalformedDocumentsAreRefusedWithTheirFault) {
  auto fault = [](const std::string& document) -> std::string {
    auto policy = RamPolicy::Parse(document);
    if (policy) return "accepted";
    EXPECT_EQ(policy.error().code, "InvalidParameter");
    return policy.error().message;
  };
  EXPECT_NE(fault("not json").find("JSON object"), std::string::npos);
  EXPECT_NE(fault(R"({"Version":"2","Statement":[]})").find("Version"), std::string::npos);
  EXPECT_NE(fault(R"({"Version":"1"})").find("Statement"), std::string::npos);
  EXPECT_NE(fault(R"({"Version":"1","Statement":[],"Extra":1})").find("Extra"), std::string::npos);
  const std::string head = R"({"Version":"1","Statement":[)";
  EXPECT_NE(fault(head + R"({"Effect":"Maybe","Action":"*","Resource":"*"}]})").find("Effect"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Action":"*","Resource":"*"}]})").find("Effect is required"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Resource":"*"}]})").find("Action"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":"*"}]})").find("Resource"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":[],"Resource":"*"}]})").find("Action"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":[1],"Resource":"*"}]})").find("strings"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"StringEquals":{"acs:SourceIp":"1.2.3.4"}}}]})")
                .find("StringEquals"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"IpAddress":{"acs:CurrentTime":"1.2.3.4"}}}]})")
                .find("cannot be used"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}}]})")
                .find("invalid value"),
            std::string::npos);
  EXPECT_NE(fault(head + R"({"Effect":"Allow","Action":"*","Resource":"*",
      "Condition":{"DateLessThan":{"acs:CurrentTime":"tomorrow"}}}]})")
                .find("invalid value"),
            std::string::npos);
  EXPECT_NE(fault(head + R"("Allow"]})").find("Statement 1"), std::string::npos);
  EXPECT_NE(fault(std::string(7000, ' ')).find("6,144"), std::string::npos);
  EXPECT_EQ(fault(R"({"Version":"1","Statement":[]})"), "accepted");  // allows nothing
}

TEST(RamPolicyTest, WildcardMatchingIsLinearAndExact) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "axxbyy"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  // A `*` facing a `*` in the text is still a wildcard (lists are judged on "…:*").
  EXPECT_TRUE(WildcardMatch("a*b", "a*xb"));
  EXPECT_TRUE(WildcardMatch("acs:?lb:*:1", "acs:alb:*:9:1"));
  // A pattern built to make naive backtracking exponential answers at once.
  EXPECT_FALSE(WildcardMatch(std::string(30, '*') + "b", std::string(5000, 'a')));
  EXPECT_FALSE(WildcardPattern(std::string(30, '*') + "b").Matches(std::string(5000, 'a')));
}

// The compiled pattern (pieces, no backtracking) must answer exactly as the plain matcher,
// for every shape: stars at either end, adjacent stars, repeated pieces, `?`.
TEST(RamPolicyTest, CompiledPatternsAgreeWithThePlainMatcher) {
  std::mt19937 random(20261123);
  auto word = [&](std::string_view alphabet, size_t max) {
    std::string out(random() % (max + 1), ' ');
    for (char& c : out) c = alphabet[random() % alphabet.size()];
    return out;
  };
  int matched = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string pattern = word(i % 4 == 0 ? "ab*?" : "ab*", 7);
    std::string text = word(i % 3 == 0 ? "ab*" : "ab", 9);
    bool expected = WildcardMatch(pattern, text);
    matched += expected ? 1 : 0;
    ASSERT_EQ(WildcardPattern(pattern).Matches(text), expected) << pattern << " / " << text;
  }
  EXPECT_GT(matched, 1000);  // both answers were exercised
  EXPECT_TRUE(WildcardPattern("acs:alb:*:*:loadbalancer/*")
                  .Matches("acs:alb:cn-hangzhou:1234:loadbalancer/alb-1"));
  EXPECT_FALSE(WildcardPattern("acs:alb:*:*:loadbalancer/*").Matches("acs:alb:cn-hangzhou:1234:*"));
  EXPECT_FALSE(WildcardPattern("a*a").Matches("a"));  // prefix and suffix may not overlap
}

TEST(RamPolicyTest, EveryConditionOfAStatementMustHoldForItToCount) {
  // A Deny whose condition does not hold denies nothing; an Allow needs all its conditions.
  RamPolicy policy = Policy(R"({"Effect":"Deny","Action":"alb:*","Resource":"*",
      "Condition":{"NotIpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}},
      {"Effect":"Allow","Action":["alb:Get*","alb:List*"],"Resource":"*",
      "Condition":{"Bool":{"acs:SecureTransport":true},
                   "IpAddress":{"acs:SourceIp":"10.1.0.0/16"},
                   "DateLessThan":{"acs:CurrentTime":"2027-01-01T00:00:00Z"}}})");
  RamRequest request = Request("GetListenerAttribute");  // from 10.1.2.3 over TLS, 2026
  EXPECT_EQ(policy.Evaluate(request), RamDecision::kAllow);
  request.secure_transport = false;
  EXPECT_EQ(policy.Evaluate(request), RamDecision::kImplicitDeny);
  request.secure_transport = true;
  request.source_ip = "10.2.0.1";  // inside 10/8 (no Deny) but not 10.1/16 (no Allow)
  EXPECT_EQ(policy.Evaluate(request), RamDecision::kImplicitDeny);
  request.source_ip = "192.168.1.1";
  EXPECT_EQ(policy.Evaluate(request), RamDecision::kImplicitDeny);
  request.source_ip = "172.16.0.1";  // outside both networks of the Deny
  EXPECT_EQ(policy.Evaluate(request), RamDecision::kExplicitDeny);
  request = Request("GetListenerAttribute");
  request.now = *ParseIso8601("2027-01-01T00:00:00Z");
  EXPECT_EQ(policy.Evaluate(request), RamDecision::kImplicitDeny);
  EXPECT_EQ(policy.Evaluate(Request("DeleteListener")), RamDecision::kImplicitDeny);
}

TEST(RamPolicyTest, NamedPoliciesReportWhichOneDenied) {
  std::vector<NamedPolicy> policies;
  policies.push_back({"allow-all", Policy(R"({"Effect":"Allow","Action":"*","Resource":"*"})")});
  policies.push_back({"no-deletes", Policy(R"({"Effect":"Deny","Action":"alb:Delete*",
                                               "Resource":"*"})")});
  std::string denied_by;
  EXPECT_EQ(EvaluatePolicies(policies, Request("DeleteListener"), &denied_by),
            RamDecision::kExplicitDeny);
  EXPECT_EQ(denied_by, "no-deletes");
  denied_by.clear();
  EXPECT_EQ(EvaluatePolicies(policies, Request("CreateListener"), &denied_by), RamDecision::kAllow);
  EXPECT_TRUE(denied_by.empty());
}

}  // namespace
}  // namespace openalb
