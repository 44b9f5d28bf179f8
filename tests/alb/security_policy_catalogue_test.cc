// ALB's system TLS policies and the rules a custom policy follows.
#include "alb/security_policy_catalogue.h"

#include <gtest/gtest.h>

#include "support/result_code.h"

namespace openalb {
namespace {

using testing::CodeOf;

TEST(SecurityPolicyCatalogueTest, TheSystemPoliciesAreAlbs) {
  ASSERT_EQ(SystemSecurityPolicies().size(), 5u);
  const TlsPolicySpec* legacy = SystemSecurityPolicy("tls_cipher_policy_1_0");
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ(legacy->versions, (std::vector<std::string>{"TLSv1.0", "TLSv1.1", "TLSv1.2"}));
  EXPECT_EQ(legacy->ciphers.size(), 19u);
  const TlsPolicySpec* strict = SystemSecurityPolicy("tls_cipher_policy_1_2_strict");
  ASSERT_NE(strict, nullptr);
  // Strict: forward secrecy only, so no static-RSA suite; ALB lists twelve.
  EXPECT_EQ(strict->ciphers.size(), 12u);
  for (const auto& cipher : strict->ciphers) EXPECT_TRUE(cipher.starts_with("ECDHE-")) << cipher;
  EXPECT_EQ(SystemSecurityPolicy("tls_cipher_policy_9"), nullptr);
  // Every system policy passes the rules a custom one must.
  for (const auto& policy : SystemSecurityPolicies()) {
    EXPECT_EQ(CodeOf(ValidateTlsPolicy(policy.versions, policy.ciphers)), "ok") << policy.id;
  }
}

TEST(SecurityPolicyCatalogueTest, ACustomPolicyNamesKnownVersionsAndUsableCiphers) {
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.2"}, {"ECDHE-RSA-AES128-GCM-SHA256"})), "ok");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.3"}, {"TLS_AES_128_GCM_SHA256"})), "ok");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({}, {"ECDHE-RSA-AES128-GCM-SHA256"})), "MissingTLSVersions");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.2"}, {})), "MissingCiphers");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"SSLv3"}, {"AES128-SHA"})), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.2", "TLSv1.2"}, {"AES128-SHA"})), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.2"}, {"RC4-MD5"})), "InvalidParameter");
  // A GCM suite needs TLS 1.2; a TLS 1.3 suite needs TLS 1.3; TLS 1.3 needs one of its own.
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.0"}, {"AES128-GCM-SHA256"})), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.2"}, {"TLS_AES_128_GCM_SHA256"})), "InvalidParameter");
  EXPECT_EQ(CodeOf(ValidateTlsPolicy({"TLSv1.2", "TLSv1.3"}, {"AES128-SHA"})), "InvalidParameter");
}

}  // namespace
}  // namespace openalb
