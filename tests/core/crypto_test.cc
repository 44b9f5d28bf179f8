#include "core/crypto.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace openalb {
namespace {

// RFC 2202 test case 2 and RFC 4231 test case 2.
TEST(CryptoTest, HmacMatchesPublishedVectors) {
  EXPECT_EQ(HexLower(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, Sha256OfEmptyIsTheWellKnownValue) {
  EXPECT_EQ(HexLower(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, Base64Encodes) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(CryptoTest, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(OPENALB_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// How long a comparison takes must not tell an attacker how much of a guessed signature was
// right. A timing test would be flaky, so this checks what the code compares with: the one
// primitive, itself OpenSSL's CRYPTO_memcmp, and no other comparison of a signature.
TEST(CryptoTest, SignaturesAreComparedOnlyByTheConstantTimePrimitive) {
  const std::string crypto = ReadSource("core/crypto.cc");
  const std::smatch::size_type npos = std::string::npos;
  const auto body = crypto.find("bool ConstantTimeEquals(");
  ASSERT_NE(body, npos);
  const std::string definition = crypto.substr(body, crypto.find("\n}\n", body) - body);
  EXPECT_NE(definition.find("CRYPTO_memcmp("), npos) << definition;
  EXPECT_EQ(definition.find("for ("), npos) << definition;
  EXPECT_FALSE(std::regex_search(definition, std::regex(R"([^_]memcmp\()"))) << definition;

  const std::string authenticator = ReadSource("api/authenticator.cc");
  std::regex compared(R"(ConstantTimeEquals\(expected,)");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(authenticator.begin(), authenticator.end(), compared),
                    std::sregex_iterator()),
      2)
      << "V1 and V3 each compare their signature with ConstantTimeEquals";
  std::regex direct(R"(expected\s*[!=]=|[!=]=\s*expected|expected\.compare|strcmp|[^_]memcmp)");
  EXPECT_FALSE(std::regex_search(authenticator, direct));
}

}  // namespace
}  // namespace openalb
