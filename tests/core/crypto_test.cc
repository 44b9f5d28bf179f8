#include "core/crypto.h"

#include <gtest/gtest.h>

#include <fstream>
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

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// How long a comparison takes must not tell an attacker how much of a guessed signature was
// right. A timing test would be flaky, so this checks what the code compares with: the one
// primitive, itself OpenSSL's CRYPTO_memcmp, and no other comparison of a signature.
TEST(CryptoTest, SignaturesAreComparedOnlyByTheConstantTimePrimitive) {
  const std::string crypto = ReadSource("core/crypto.cc");
  const auto body = crypto.find("bool ConstantTimeEquals(");
  ASSERT_NE(body, std::string::npos);
  const std::string definition = crypto.substr(body, crypto.find("\n}\n", body) - body);
  EXPECT_EQ(Count(definition, "CRYPTO_memcmp("), 1u) << definition;
  EXPECT_EQ(Count(definition, "memcmp("), 1u) << definition;  // that one, no other
  EXPECT_EQ(Count(definition, "for ("), 0u) << definition;
  EXPECT_EQ(Count(definition, "while ("), 0u) << definition;

  const std::string authenticator = ReadSource("api/authenticator.cc");
  EXPECT_EQ(Count(authenticator, "ConstantTimeEquals(expected, "), 2u)
      << "V1 and V3 each compare their signature with ConstantTimeEquals";
  for (const char* direct : {"expected ==", "expected !=", "== expected", "!= expected",
                             "expected.compare", "strcmp", "memcmp"}) {
    EXPECT_EQ(Count(authenticator, direct), 0u) << direct;
  }
}

}  // namespace
}  // namespace openalb
