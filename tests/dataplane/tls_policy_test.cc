// A security policy as OpenSSL takes it: the version bounds and the versions switched off
// between them, checked on a real SSL object, and a policy OpenSSL can serve none of refused.
#include "dataplane/tls_policy.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace openalb {
namespace {

TEST(TlsPolicyTest, VersionsBecomeBoundsAndGapsAreSwitchedOff) {
  auto policy = CompiledTlsPolicy::Compile(
      {{"TLSv1.0", "TLSv1.2"}, {"ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"}});
  ASSERT_TRUE(policy) << policy.error().internal;
  EXPECT_EQ(policy->min_version(), TLS1_VERSION);
  EXPECT_EQ(policy->max_version(), TLS1_2_VERSION);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  policy->ApplyTo(ssl.get());
  EXPECT_EQ(SSL_get_min_proto_version(ssl.get()), TLS1_VERSION);
  EXPECT_EQ(SSL_get_max_proto_version(ssl.get()), TLS1_2_VERSION);
  EXPECT_NE(SSL_get_options(ssl.get()) & SSL_OP_NO_TLSv1_1, 0u);
  EXPECT_EQ(SSL_get_security_level(ssl.get()), 0);  // TLS 1.0 signs with SHA-1
  // Below TLS 1.3, only the policy's ciphers are offered (OpenSSL keeps its TLS 1.3 suites in
  // the same list; the bounds rule them out).
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl.get());
  ASSERT_NE(ciphers, nullptr);
  std::vector<std::string> below13;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    if (!std::string(SSL_CIPHER_get_name(cipher)).starts_with("TLS_"))
      below13.emplace_back(SSL_CIPHER_get_name(cipher));
  }
  EXPECT_EQ(below13,
            (std::vector<std::string>{"ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"}));
}

TEST(TlsPolicyTest, APolicyOpenSslCanServeNoneOfIsRefused) {
  // 3DES is not in Debian's OpenSSL 3: a policy of it alone cannot be served.
  EXPECT_FALSE(CompiledTlsPolicy::Compile({{"TLSv1.2"}, {"DES-CBC3-SHA"}}));
  EXPECT_FALSE(CompiledTlsPolicy::Compile({{}, {"AES128-SHA"}}));
  EXPECT_TRUE(CompiledTlsPolicy::Compile({{"TLSv1.3"}, {"TLS_AES_256_GCM_SHA384"}}));
}

}  // namespace
}  // namespace openalb
