// The whole request pipeline, driven with V1-signed requests built by ApiHarness and
// with requests the official SDKs signed (V3). Each rejection is checked for its code,
// its HTTP status and the error envelope.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "api/signature_v3.h"
#include "core/crypto.h"
#include "core/time_format.h"
#include "support/api_harness.h"
#include "support/sdk_vectors.h"

namespace openalb {
namespace {

using testing::ApiHarness;
using testing::kOmit;
using EndpointJson = nlohmann::json;

EndpointJson Body(const HttpReply& reply) { return EndpointJson::parse(reply.body); }

void ExpectError(const HttpReply& reply, int status, const std::string& code) {
  EXPECT_EQ(reply.status, status) << reply.body;
  auto body = EndpointJson::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body.value("Code", ""), code) << reply.body;
  for (const char* field : {"RequestId", "HostId", "Code", "Message", "Recommend"}) {
    EXPECT_TRUE(body.contains(field)) << field << " missing in " << reply.body;
  }
}

testing::SdkVector V3Vector() {
  for (auto& v : testing::LoadSdkVectors()) {
    if (v.name == "v3 DescribeRegions") return v;
  }
  throw std::runtime_error("no v3 DescribeRegions vector");
}

TEST(EndpointTest, AnsweredRequestCarriesAnUpperCaseRequestIdInBodyAndHeader) {
  ApiHarness api;
  auto reply = api.Send(api.SignedGet({}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = Body(reply);
  EXPECT_EQ(body["Regions"][0]["RegionId"], "cn-hangzhou");
  EXPECT_EQ(body["Regions"][0]["RegionEndpoint"], "alb.test:8080");
  std::string id = body["RequestId"];
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id.find_first_of("abcdef"), std::string::npos);
  EXPECT_EQ(reply.headers.at(0), (std::pair<std::string, std::string>{"x-acs-request-id", id}));
  EXPECT_EQ(reply.content_type, "application/json;charset=utf-8");
}

TEST(EndpointTest, PostWithAFormBodyIsAccepted) {
  ApiHarness api;
  auto reply = api.Send(api.SignedPost({{"AcceptLanguage", "en-US"}}));
  EXPECT_EQ(reply.status, 200) << reply.body;
}

TEST(EndpointTest, AParameterThatIsNotUtf8IsRefusedNamingIt) {
  // Found by the endpoint fuzzer: such a value reached a JSON writer, which threw.
  ApiHarness api;
  auto reply = api.Send(api.SignedPost({{"ListenerDescription", "caf\xe9 \xfe"}}));
  ExpectError(reply, 400, "InvalidParameter");
  EXPECT_NE(reply.body.find("ListenerDescription"), std::string::npos) << reply.body;
  EXPECT_EQ(api.Send(api.SignedPost({{"ListenerDescription", "caf\xc3\xa9"}})).status, 200);
}

TEST(EndpointTest, XmlSuccessHasTheActionResponseRoot) {
  ApiHarness api;
  auto reply = api.Send(api.SignedGet({{"Format", "XML"}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.content_type, "application/xml;charset=utf-8");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(reply.body.c_str()));
  auto root = doc.child("DescribeRegionsResponse");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.child("Regions").child_value("RegionId"), "cn-hangzhou");
  EXPECT_EQ(std::string(root.child_value("RequestId")).size(), 36u);
}

TEST(EndpointTest, XmlErrorHasTheErrorRootAndEveryEnvelopeField) {
  ApiHarness api;
  auto reply = api.Send(api.SignedGet({{"Format", "xml"}, {"Action", "NoSuchAction"}}));
  EXPECT_EQ(reply.status, 404);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(reply.body.c_str())) << reply.body;
  auto error = doc.child("Error");
  EXPECT_STREQ(error.child_value("Code"), "InvalidAction.NotFound");
  EXPECT_STREQ(error.child_value("HostId"), "alb.test:8080");
  EXPECT_NE(std::string(error.child_value("Message")).find("NoSuchAction"), std::string::npos);
  EXPECT_NE(std::string(error.child_value("Recommend")).find("InvalidAction.NotFound"),
            std::string::npos);
  EXPECT_EQ(std::string(error.child_value("RequestId")).size(), 36u);
}

TEST(EndpointTest, AcceptHeaderAsksForXmlWhenNoFormatIsGiven) {
  ApiHarness api;
  auto request = api.SignedGet({{"Format", kOmit}});
  request.headers.emplace_back("accept", "application/xml");
  auto reply = api.Send(request);
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.body.starts_with("<?xml")) << reply.body;
}

TEST(EndpointTest, UnknownFormatIsInvalidParameter) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"Format", "YAML"}})), 400, "InvalidParameter");
}

TEST(EndpointTest, UnknownActionIsNotFound) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"Action", "DescribeEverything"}})), 404,
              "InvalidAction.NotFound");
}

TEST(EndpointTest, MissingActionOrVersionIsMissingParameter) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"Action", kOmit}})), 400, "MissingAction");
  ExpectError(api.Send(api.SignedGet({{"Version", kOmit}})), 400, "MissingVersion");
}

TEST(EndpointTest, UnknownVersionIsInvalidVersion) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"Version", "2014-05-26"}})), 400, "InvalidVersion");
}

TEST(EndpointTest, ARegionOtherThanTheServedOneIsRejected) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"RegionId", "us-west-1"}})), 400, "InvalidRegionId");
  EXPECT_EQ(api.Send(api.SignedGet({{"RegionId", "cn-hangzhou"}})).status, 200);
}

TEST(EndpointTest, OnlyGetAndPostOnSlashAreServed) {
  ApiHarness api;
  auto put = api.SignedGet({});
  put.method = "PUT";
  ExpectError(api.Send(put), 405, "UnsupportedHTTPMethod");
  auto other_path = api.SignedGet({});
  other_path.target = "/v1" + other_path.target.substr(1);
  ExpectError(api.Send(other_path), 404, "InvalidApi.NotFound");
}

TEST(EndpointTest, ABodyThatIsNotAFormIsRejected) {
  ApiHarness api;
  auto request = api.SignedPost({});
  request.headers.back().second = "application/json";
  ExpectError(api.Send(request), 400, "InvalidParameter");
}

TEST(EndpointTest, AParameterInBothQueryAndBodyIsRejected) {
  ApiHarness api;
  auto request = api.SignedPost({});
  request.target = "/?Action=DescribeRegions";
  ExpectError(api.Send(request), 400, "InvalidParameter");
}

TEST(EndpointTest, MissingSignaturePartsEachHaveTheirOwnCode) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"AccessKeyId", kOmit}})), 400, "MissingAccessKeyId");
  ExpectError(api.Send(api.SignedGet({{"Signature", kOmit}})), 400, "MissingSignature");
  ExpectError(api.Send(api.SignedGet({{"SignatureNonce", kOmit}})), 400, "MissingSignatureNonce");
  ExpectError(api.Send(api.SignedGet({{"Timestamp", kOmit}})), 400, "MissingTimestamp");
  ExpectError(api.Send(api.SignedGet({{"SignatureMethod", kOmit}})), 400, "MissingSignatureMethod");
}

TEST(EndpointTest, UnsupportedSignatureMethodAndVersionAreRejected) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"SignatureMethod", "HMAC-MD5"}})), 400,
              "InvalidSignatureMethod");
  ExpectError(api.Send(api.SignedGet({{"SignatureVersion", "2.0"}})), 400, "IncompleteSignature");
}

TEST(EndpointTest, SecurityTokensAreRejectedClearly) {
  ApiHarness api;
  auto reply = api.Send(api.SignedGet({{"SecurityToken", "sts-token"}}));
  ExpectError(reply, 400, "InvalidSecurityToken.NotSupported");
  EXPECT_NE(Body(reply)["Message"].get<std::string>().find("AccessKey"), std::string::npos);
}

TEST(EndpointTest, MalformedTimestampIsInvalidTimeStampFormat) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"Timestamp", "2026-11-23 08:00:00"}})), 400,
              "InvalidTimeStamp.Format");
}

TEST(EndpointTest, TimestampMoreThanFifteenMinutesOldOrFiveAheadIsExpired) {
  ApiHarness api;
  auto now = api.clock().Now();
  ExpectError(
      api.Send(api.SignedGet({{"Timestamp", FormatIso8601(now - std::chrono::minutes(16))}})), 400,
      "InvalidTimeStamp.Expired");
  ExpectError(
      api.Send(api.SignedGet({{"Timestamp", FormatIso8601(now + std::chrono::minutes(6))}})), 400,
      "InvalidTimeStamp.Expired");
  EXPECT_EQ(
      api.Send(api.SignedGet({{"Timestamp", FormatIso8601(now + std::chrono::minutes(4))}})).status,
      200);
  EXPECT_EQ(api.Send(api.SignedGet({{"Timestamp", FormatIso8601(now - std::chrono::minutes(14))}}))
                .status,
            200);
}

TEST(EndpointTest, UnknownAccessKeyIsNotFound) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"AccessKeyId", "LTAInosuchkey"}})), 404,
              "InvalidAccessKeyId.NotFound");
}

TEST(EndpointTest, DisabledAccessKeyIsInactive) {
  ApiHarness api;
  ASSERT_TRUE(api.store().SetAccessKeyActive(testing::kAccessKeyId, false));
  ASSERT_TRUE(api.keys().Load());
  ExpectError(api.Send(api.SignedGet({})), 400, "InvalidAccessKeyId.Inactive");
}

TEST(EndpointTest, WrongSecretIsSignatureDoesNotMatchWithTheServerStringToSign) {
  ApiHarness api;
  auto reply = api.Send(api.SignedGet({}, "not-the-secret"));
  ExpectError(reply, 400, "SignatureDoesNotMatch");
  EXPECT_NE(Body(reply)["Message"].get<std::string>().find("GET&%2F&AccessKeyId"),
            std::string::npos);
  EXPECT_EQ(reply.body.find(testing::kSecret), std::string::npos);
}

TEST(EndpointTest, ReusedNonceIsRejectedEvenWithAFreshSignature) {
  ApiHarness api;
  EXPECT_EQ(api.Send(api.SignedGet({{"SignatureNonce", "same"}})).status, 200);
  api.clock().Advance(std::chrono::seconds(1));
  ExpectError(api.Send(api.SignedGet({{"SignatureNonce", "same"}})), 400, "SignatureNonceUsed");
}

TEST(EndpointTest, PastTheNonceCapRequestsStillSucceedAndOldReplaysAreRefused) {
  ApiHarness api(/*nonce_cache_entries=*/64);
  std::vector<std::string> timestamps;
  for (int i = 0; i < 300; ++i) {
    timestamps.push_back(FormatIso8601(api.clock().Now()));
    auto reply = api.Send(api.SignedGet(
        {{"SignatureNonce", "n" + std::to_string(i)}, {"Timestamp", timestamps.back()}}));
    ASSERT_EQ(reply.status, 200) << i << " " << reply.body;
    api.clock().Advance(std::chrono::seconds(1));
  }
  // The first request's nonce has long been forgotten, but its replay is still refused: its
  // timestamp is older than the cache can vouch for.
  auto replay = api.Send(api.SignedGet({{"SignatureNonce", "n0"}, {"Timestamp", timestamps[0]}}));
  ExpectError(replay, 400, "InvalidTimeStamp.Expired");
  EXPECT_NE(Body(replay)["Message"].get<std::string>().find("nonces"), std::string::npos);
  ExpectError(api.Send(api.SignedGet({{"SignatureNonce", "n299"}, {"Timestamp", timestamps[299]}})),
              400, "SignatureNonceUsed");
}

TEST(EndpointTest, ABadSignatureDoesNotBurnTheNonce) {
  ApiHarness api;
  ExpectError(api.Send(api.SignedGet({{"SignatureNonce", "n1"}}, "wrong")), 400,
              "SignatureDoesNotMatch");
  EXPECT_EQ(api.Send(api.SignedGet({{"SignatureNonce", "n1"}})).status, 200);
}

TEST(EndpointTest, V3ReplayIsSignatureNonceUsed) {
  ApiHarness api;
  auto vector = V3Vector();
  api.clock().Set(vector.signed_at);
  EXPECT_EQ(api.Send(vector.request).status, 200);
  ExpectError(api.Send(vector.request), 400, "SignatureNonceUsed");
}

TEST(EndpointTest, V3TimestampOutsideTheWindowIsExpired) {
  ApiHarness api;
  auto vector = V3Vector();
  api.clock().Set(vector.signed_at + std::chrono::minutes(16));
  ExpectError(api.Send(vector.request), 400, "InvalidTimeStamp.Expired");
}

TEST(EndpointTest, V3UnsignedAcsHeaderIsIncompleteSignature) {
  ApiHarness api;
  auto vector = V3Vector();
  api.clock().Set(vector.signed_at);
  vector.request.headers.emplace_back("x-acs-extra", "1");
  ExpectError(api.Send(vector.request), 400, "IncompleteSignature");
}

TEST(EndpointTest, V3MissingRequiredHeadersAreIncompleteSignature) {
  for (const char* header : {"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}) {
    ApiHarness api;
    auto vector = V3Vector();
    api.clock().Set(vector.signed_at);
    std::erase_if(vector.request.headers, [&](const auto& h) { return h.first == header; });
    ExpectError(api.Send(vector.request), 400, "IncompleteSignature");
  }
}

TEST(EndpointTest, V3BodyThatDoesNotMatchItsHashIsRejected) {
  ApiHarness api;
  auto vector = V3Vector();
  api.clock().Set(vector.signed_at);
  vector.request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  vector.request.body = "Extra=1";
  ExpectError(api.Send(vector.request), 400, "SignatureDoesNotMatch");
}

TEST(EndpointTest, V3OtherAlgorithmsAreInvalidSignatureMethod) {
  ApiHarness api;
  auto vector = V3Vector();
  api.clock().Set(vector.signed_at);
  for (auto& [name, value] : vector.request.headers) {
    if (name == "authorization") value.replace(0, 16, "ACS3-HMAC-SM3");
  }
  ExpectError(api.Send(vector.request), 400, "InvalidSignatureMethod");
}

TEST(EndpointTest, AccessLogHasOneLinePerRequestAndNoSecrets) {
  ApiHarness api;
  auto ok = api.SignedGet({});
  auto signature_pos = ok.target.find("Signature=");
  std::string signature = ok.target.substr(signature_pos + 10, 20);
  api.Send(ok);
  api.Send(api.SignedGet({}, "wrong"));
  std::string log = api.AccessLog();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2);
  EXPECT_NE(log.find("action=DescribeRegions"), std::string::npos);
  EXPECT_NE(log.find("access_key_id=LTAItestvectorkey0000001"), std::string::npos);
  EXPECT_NE(log.find("status=400 code=SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(log.find("latency_us="), std::string::npos);
  EXPECT_EQ(log.find(testing::kSecret), std::string::npos);
  EXPECT_EQ(log.find(signature), std::string::npos);
}

TEST(EndpointTest, HostileActionNamesAreSanitisedInTheLog) {
  ApiHarness api;
  api.Send(api.SignedGet({{"Action", "x\nevent=forged"}}));
  std::string log = api.AccessLog();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1);
  EXPECT_NE(log.find("action=x?event?forged"), std::string::npos) << log;
}

}  // namespace
}  // namespace openalb

namespace openalb {
namespace {

// A V1 signature covers the parameters only: an unsigned header must not name the action or
// version it is taken to authorise.
TEST(EndpointTest, AV1RequestTakesItsActionAndVersionOnlyFromSignedParameters) {
  ApiHarness api;
  auto without_action = api.SignedGet({{"Action", kOmit}});
  without_action.headers.emplace_back("x-acs-action", "DescribeRegions");
  ExpectError(api.Send(without_action), 400, "MissingAction");
  auto without_version = api.SignedGet({{"Version", kOmit}});
  without_version.headers.emplace_back("x-acs-version", "2020-06-16");
  ExpectError(api.Send(without_version), 400, "MissingVersion");
  // A header that disagrees with the signed parameter is not consulted either.
  auto disagreeing = api.SignedGet({});
  disagreeing.headers.emplace_back("x-acs-action", "DeleteLoadBalancer");
  EXPECT_EQ(api.Send(disagreeing).status, 200);
}

TEST(EndpointTest, NoCallerCanLockAnotherAccountOutByFloodingTheNonceCache) {
  ApiHarness api(1600);
  const std::string attacker_key = "LTAIattackerkey000000001",
                    attacker_secret = "attackerSecret000";
  api.AddAccount("9999999999999999", attacker_key, attacker_secret);
  const auto now = api.clock().Now();
  // As far ahead as the server lets a timestamp be, and then some.
  auto flood = [&](std::chrono::minutes ahead) {
    std::map<std::string, int> codes;
    for (int i = 0; i < 3000; ++i) {
      auto reply = api.Send(
          api.SignedGet({{"AccessKeyId", attacker_key}, {"Timestamp", FormatIso8601(now + ahead)}},
                        attacker_secret));
      ++codes[reply.status == 200 ? "200" : Body(reply)["Code"].get<std::string>()];
    }
    return codes;
  };
  EXPECT_EQ(flood(std::chrono::minutes(14))["InvalidTimeStamp.Expired"], 3000);
  auto served = flood(std::chrono::minutes(4));
  EXPECT_GT(served["200"], 0);
  // The other account is served now and for the next minutes, with current timestamps.
  for (int minute = 0; minute < 20; ++minute) {
    EXPECT_EQ(api.Send(api.SignedGet({})).status, 200) << "minute " << minute;
    api.clock().Advance(std::chrono::minutes(1));
  }
}

// A V3 request for DescribeRegions signed over exactly `signed_headers`, with `body` and the
// body hash it claims (the real one when empty).
HttpRequestView SignV3Request(ApiHarness& api, std::vector<std::string> signed_headers,
                              const std::string& body = "", std::string claimed_hash = "") {
  HttpRequestView request;
  request.method = "POST";
  request.target = "/";
  request.body = body;
  if (claimed_hash.empty()) claimed_hash = HexLower(Sha256(body));
  request.headers = {{"host", "alb.test:8080"},
                     {"x-acs-action", "DescribeRegions"},
                     {"x-acs-version", "2020-06-16"},
                     {"x-acs-date", FormatIso8601(api.clock().Now())},
                     {"x-acs-signature-nonce", api.NextNonce()},
                     {"x-acs-content-sha256", claimed_hash}};
  if (!body.empty())
    request.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  const std::string canonical =
      CanonicalRequestV3("POST", "/", {}, request, signed_headers, claimed_hash);
  const std::string signature = SignV3(testing::kSecret, StringToSignV3(canonical));
  std::string names;
  for (const auto& name : signed_headers) names += (names.empty() ? "" : ";") + name;
  request.headers.emplace_back("authorization",
                               "ACS3-HMAC-SHA256 Credential=" + std::string(testing::kAccessKeyId) +
                                   ",SignedHeaders=" + names + ",Signature=" + signature);
  return request;
}

const std::vector<std::string> kAcsHeaders = {"x-acs-action", "x-acs-content-sha256", "x-acs-date",
                                              "x-acs-signature-nonce", "x-acs-version"};

TEST(EndpointTest, V3RequiresHostAmongTheSignedHeaders) {
  ApiHarness api;
  std::vector<std::string> with_host = kAcsHeaders;
  with_host.insert(with_host.begin(), "host");
  EXPECT_EQ(api.Send(SignV3Request(api, with_host)).status, 200);
  // Validly signed, but over everything except the host it was sent to.
  auto reply = api.Send(SignV3Request(api, kAcsHeaders));
  ExpectError(reply, 400, "IncompleteSignature");
  EXPECT_NE(Body(reply)["Message"].get<std::string>().find("host"), std::string::npos);
}

TEST(EndpointTest, V3SaysWhenTheBodyIsNotTheOneItsHashNames) {
  ApiHarness api;
  std::vector<std::string> headers = kAcsHeaders;
  headers.insert(headers.begin(), "host");
  const std::string signed_body = "AcceptLanguage=en-US";
  EXPECT_EQ(api.Send(SignV3Request(api, headers, signed_body)).status, 200);
  // The signature and the hash header are for one body; another body is sent.
  auto reply =
      api.Send(SignV3Request(api, headers, "AcceptLanguage=zh-CN", HexLower(Sha256(signed_body))));
  ExpectError(reply, 400, "SignatureDoesNotMatch");
  EXPECT_NE(
      Body(reply)["Message"].get<std::string>().find("x-acs-content-sha256 is not the body's hash"),
      std::string::npos)
      << reply.body;
}

TEST(EndpointTest, AnAccessKeyOverItsRateIsThrottledAndOtherKeysAreNot) {
  ApiHarness api(100000, /*rate_limit=*/2, /*rate_burst=*/5);
  const std::string other_key = "LTAIsecondaccountkey0001", other_secret = "secondSecret000";
  api.AddAccount("3333333333333333", other_key, other_secret);
  std::vector<int> statuses;
  for (int i = 0; i < 15; ++i) statuses.push_back(api.Send(api.SignedGet({})).status);
  // The burst, then nothing until the clock moves.
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 5);
  auto throttled = api.Send(api.SignedGet({}));
  ExpectError(throttled, 400, "Throttling.User");
  EXPECT_EQ(api.Send(api.SignedGet({{"AccessKeyId", other_key}}, other_secret)).status, 200);
  // Two tokens a second come back.
  api.clock().Advance(std::chrono::seconds(1));
  EXPECT_EQ(api.Send(api.SignedGet({})).status, 200);
  EXPECT_EQ(api.Send(api.SignedGet({})).status, 200);
  EXPECT_EQ(api.Send(api.SignedGet({})).status, 400);
}

}  // namespace
}  // namespace openalb
