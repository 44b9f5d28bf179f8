#include "core/secret_box.h"

#include <gtest/gtest.h>

namespace openalb {
namespace {

SecretBox::Key KeyOf(unsigned char fill) {
  SecretBox::Key key;
  key.fill(fill);
  return key;
}

TEST(SecretBoxTest, SealedValuesOpenWithTheSameKeyAndRecord) {
  SecureRandom random;
  SecretBox box(KeyOf(7), random);
  std::string secret = "-----BEGIN PRIVATE KEY-----\nsecret material\n";
  auto sealed = box.Seal(secret, "cert-1");
  EXPECT_EQ(sealed.find("secret material"), std::string::npos);
  auto opened = box.Open(sealed, "cert-1");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, secret);
  EXPECT_EQ(*box.Open(box.Seal("", "x"), "x"), "");
}

TEST(SecretBoxTest, SealingTwiceGivesDifferentCiphertexts) {
  SecureRandom random;
  SecretBox box(KeyOf(7), random);
  EXPECT_NE(box.Seal("same", "r"), box.Seal("same", "r"));
}

TEST(SecretBoxTest, AValueMovedToAnotherRecordDoesNotOpen) {
  SecureRandom random;
  SecretBox box(KeyOf(7), random);
  auto opened = box.Open(box.Seal("secret", "cert-1"), "cert-2");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "InternalError");
  EXPECT_EQ(opened.error().message.find("secret"), std::string::npos);
}

TEST(SecretBoxTest, AnotherKeyOrAnyFlippedByteDoesNotOpen) {
  SecureRandom random;
  SecretBox box(KeyOf(7), random);
  SecretBox other(KeyOf(8), random);
  auto sealed = box.Seal("secret", "r");
  EXPECT_FALSE(other.Open(sealed, "r"));
  for (size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(box.Open(tampered, "r")) << "byte " << i;
  }
  EXPECT_FALSE(box.Open(sealed.substr(0, sealed.size() - 1), "r"));
  EXPECT_FALSE(box.Open("", "r"));
}

}  // namespace
}  // namespace openalb
