// The RAM policy language: each element alone and in combination, explicit Deny beating
// Allow, no match denying, and malformed documents refused with a message naming the fault.
#include "auth/ram_policy.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace openalb {
namespace {

constexpr char kLb1[] = "acs:alb:cn-hangzhou:1111222233334444:loadbalancer/alb-one";
constexpr char kLb2[] = "acs:alb:cn-hangzhou:1111222233334444:loadbalancer/alb-two";

RamRequest Request(std::string action, std::string resource = kLb1) {
  return {"alb:" + std::move(action), std::move(resource), "10.1.2.3", true,
          *ParseIso8601("2026-11-23T12:00:00Z")};
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
  // A pattern built to make naive backtracking exponential answers at once.
  EXPECT_FALSE(WildcardMatch(std::string(30, '*') + "b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace openalb
