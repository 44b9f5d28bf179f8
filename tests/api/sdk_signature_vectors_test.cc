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
  // Base64(HMAC-SHA1("secret&", …)), checked against OpenSSL's own HMAC.
  EXPECT_EQ(SignV1("secret", "abc"), Base64Encode(HmacSha1("secret&", "abc")));
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
