// Requests signed by the official SDKs must verify with openalb's signature code, and
// must stop verifying when anything signed is changed.
#include <gtest/gtest.h>

#include "api/signature_v1.h"
#include "api/signature_v3.h"
#include "core/crypto.h"
#include "support/api_harness.h"
#include "support/sdk_vectors.h"

namespace openalb {
namespace {

using testing::ApiHarness;
using testing::LoadSdkVectors;

TEST(SdkSignatureVectorsTest, CoversBothAlgorithmsAndBothMethods) {
  auto vectors = LoadSdkVectors();
  int v1_get = 0, v1_post = 0, v3 = 0;
  for (const auto& v : vectors) {
    if (v.request.Header("authorization"))
      ++v3;
    else if (v.request.method == "GET")
      ++v1_get;
    else
      ++v1_post;
  }
  EXPECT_GE(v3, 2);
  EXPECT_GE(v1_get, 1);
  EXPECT_GE(v1_post, 1);
}

TEST(SdkSignatureVectorsTest, EveryVectorAuthenticatesThroughTheEndpoint) {
  for (const auto& vector : LoadSdkVectors()) {
    ApiHarness api;
    api.clock().Set(vector.signed_at);
    auto reply = api.Send(vector.request);
    // The vectors name listeners that do not exist here (and one a non-ASCII ClientToken):
    // an error from the domain proves the request got past authentication.
    EXPECT_TRUE(reply.status == 200 ||
                reply.body.find("\"ResourceNotFound.Listener\"") != std::string::npos ||
                reply.body.find("ClientToken is invalid") != std::string::npos)
        << vector.name << ": " << reply.body;
    EXPECT_EQ(reply.body.find("Signature"), std::string::npos) << vector.name << ": " << reply.body;
  }
}

TEST(SdkSignatureVectorsTest, ChangingAnySignedByteBreaksTheSignature) {
  for (const auto& vector : LoadSdkVectors()) {
    ApiHarness api;
    api.clock().Set(vector.signed_at);
    auto tampered = vector.request;
    if (!tampered.body.empty()) {
      tampered.body.replace(tampered.body.find("AcceptLanguage=") + 15, 1, "Z");
    } else {
      auto pos = tampered.target.find("=");
      tampered.target.insert(pos + 1, "Z");
    }
    auto reply = api.Send(tampered);
    EXPECT_EQ(reply.status, 400) << vector.name;
    EXPECT_NE(reply.body.find("\"SignatureDoesNotMatch\""), std::string::npos)
        << vector.name << ": " << reply.body;
  }
}

TEST(SdkSignatureVectorsTest, AWrongSecretIsSignatureDoesNotMatch) {
  for (auto vector : LoadSdkVectors()) {
    ApiHarness api;
    api.clock().Set(vector.signed_at);
    ASSERT_TRUE(api.store().DeleteAccessKey(testing::kAccessKeyId));
    ASSERT_TRUE(api.store().CreateAccessKey(
        {testing::kAccessKeyId, testing::kAccountId, "another-secret", true, "x"}));
    ASSERT_TRUE(api.keys().Load());
    auto reply = api.Send(vector.request);
    EXPECT_EQ(reply.status, 400) << vector.name;
    EXPECT_NE(reply.body.find("\"SignatureDoesNotMatch\""), std::string::npos) << reply.body;
  }
}

TEST(SignatureV1Test, StringToSignFollowsTheRpcSpec) {
  ParameterMap params = {{"B", "x y"}, {"A", "*~"}, {"Signature", "ignored"}};
  EXPECT_EQ(StringToSignV1("GET", params), "GET&%2F&A%3D%252A~%26B%3Dx%2520y");
}

// The example Alibaba Cloud publishes for signature V1 (ECS DescribeRegions, secret
// "testsecret"): the expected values are theirs, not computed here.
TEST(SignatureV1Test, ThePublishedExampleSignsToThePublishedSignature) {
  ParameterMap params = {{"AccessKeyId", "testid"},
                         {"Action", "DescribeRegions"},
                         {"Format", "XML"},
                         {"SignatureMethod", "HMAC-SHA1"},
                         {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
                         {"SignatureVersion", "1.0"},
                         {"Timestamp", "2016-02-23T12:46:24Z"},
                         {"Version", "2014-05-26"}};
  const std::string string_to_sign = StringToSignV1("GET", params);
  EXPECT_EQ(string_to_sign,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
            "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-"
            "4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
            "%26Version%3D2014-05-26");
  EXPECT_EQ(SignV1("testsecret", string_to_sign), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

// A V3 request whose canonical form, string to sign and signature were computed outside
// openalb (sha256sum and openssl dgst -hmac), so a shared mistake cannot hide.
TEST(SignatureV3Test, AFixedRequestSignsToItsIndependentlyComputedSignature) {
  HttpRequestView request;
  request.method = "POST";
  request.target = "/?AcceptLanguage=en-US";
  request.headers = {{"host", "127.0.0.1"}, {"x-acs-action", "DescribeRegions"}};
  const std::string empty_body_hash =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string canonical =
      CanonicalRequestV3("POST", "/", {{"AcceptLanguage", "en-US"}}, request,
                         {"host", "x-acs-action"}, empty_body_hash);
  EXPECT_EQ(canonical,
            "POST\n/\nAcceptLanguage=en-US\nhost:127.0.0.1\nx-acs-action:DescribeRegions\n\n"
            "host;x-acs-action\n" +
                empty_body_hash);
  const std::string string_to_sign = StringToSignV3(canonical);
  EXPECT_EQ(string_to_sign,
            "ACS3-HMAC-SHA256\n55fa6624646769a707043e6cc1f56237091d40dfe928bc9dbdd1df9bc4ec60bf");
  EXPECT_EQ(SignV3("secret", string_to_sign),
            "3cf1221018f3d57062088ad531938e6b341804dd40ce06f7e5893f857a800941");
}

TEST(SignatureV3Test, ParsesTheAuthorizationHeader) {
  auto auth = ParseV3Authorization(
      "ACS3-HMAC-SHA256 Credential=LTAIabc,SignedHeaders=host;X-Acs-Date,Signature=00ff");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SHA256");
  EXPECT_EQ(auth->access_key_id, "LTAIabc");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"host", "x-acs-date"}));
  EXPECT_EQ(auth->signature, "00ff");
}

TEST(SignatureV3Test, RejectsIncompleteAuthorizationHeaders) {
  for (const char* bad : {"ACS3-HMAC-SHA256", "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host",
                          "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=1",
                          "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=,Signature=1",
                          "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;;x,Signature=1",
                          "ACS3-HMAC-SHA256 Credential=a,Bogus=1,SignedHeaders=host,Signature=1",
                          "ACS3-HMAC-SHA256 Credential"}) {
    auto auth = ParseV3Authorization(bad);
    ASSERT_FALSE(auth) << bad;
    EXPECT_EQ(auth.error().code, "IncompleteSignature") << bad;
  }
}

}  // namespace
}  // namespace openalb
