#include "alb/certificate_pem.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "support/test_certificates.h"

namespace openalb {
namespace {

using testing::CertSpec;
using testing::GeneratedCert;
using testing::KeyKind;
using testing::KeyUsage;
using testing::MakeCertificate;

auto Now() { return std::chrono::system_clock::now(); }

GeneratedCert MakeCa(const std::string& name) {
  CertSpec spec;
  spec.common_name = name;
  spec.is_ca = true;
  spec.usage = KeyUsage::kUnrestricted;
  return MakeCertificate(spec);
}

void ExpectInvalid(const Result<ValidatedCertificate>& result, std::string_view parameter,
                   std::string_view why) {
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "InvalidParameter");
  EXPECT_EQ(result.error().http_status, 400);
  EXPECT_NE(result.error().message.find("parameter " + std::string(parameter)), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find(why), std::string::npos) << result.error().message;
}

TEST(CertificatePemTest, AcceptsAnEcdsaServerCertificateAndExtractsWhatAListenerNeeds) {
  CertSpec spec;
  spec.common_name = "www.Example.com";
  spec.dns_names = {"www.Example.com", "*.api.example.com"};
  auto cert = MakeCertificate(spec);
  auto result = ValidateCertificatePem(cert.cert_pem, cert.key_pem, Now());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->common_name, "www.Example.com");
  EXPECT_EQ(result->dns_names, (std::vector<std::string>{"www.example.com", "*.api.example.com"}));
  EXPECT_EQ(result->key_type, CertificateKeyType::kEcdsa);
  EXPECT_EQ(result->key_bits, 256);
  EXPECT_FALSE(result->is_ca);
  EXPECT_EQ(result->fingerprint_sha256.size(), 64u);
  auto days_left =
      std::chrono::duration_cast<std::chrono::hours>(result->not_after - Now()).count();
  EXPECT_NEAR(days_left, 30 * 24, 2);
  EXPECT_TRUE(result->chain_pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(result->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
}

// RFC 5280 lets a certificate say "no expiry" with 9999-12-31; a fuzzer found that year
// 2526 overflowed the conversion to a nanosecond clock. Far dates are clamped to 2199.
TEST(CertificatePemTest, AcceptsACertificateValidBeyondWhatAClockHolds) {
  CertSpec spec;
  spec.valid_until = std::chrono::hours(24 * 365 * 7000);
  GeneratedCert cert = MakeCertificate(spec);
  auto result = ValidateCertificatePem(cert.cert_pem, cert.key_pem, Now());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(FormatIso8601(result->not_after), "2199-12-31T23:59:59Z");
}

TEST(CertificatePemTest, AcceptsAnRsaLeafFollowedByItsIssuer) {
  auto ca = MakeCa("Test CA");
  CertSpec leaf_spec;
  leaf_spec.dns_names = {"a.example.com"};
  leaf_spec.key = KeyKind::kRsa2048;
  auto leaf = MakeCertificate(leaf_spec, &ca);
  auto result = ValidateCertificatePem(leaf.cert_pem + ca.cert_pem, leaf.key_pem, Now());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->key_type, CertificateKeyType::kRsa);
  EXPECT_EQ(result->key_bits, 2048);
  EXPECT_EQ(result->chain_pem, leaf.cert_pem + ca.cert_pem);
}

TEST(CertificatePemTest, RefusesAChainInTheWrongOrder) {
  auto ca = MakeCa("Test CA");
  auto leaf = MakeCertificate({}, &ca);
  ExpectInvalid(ValidateCertificatePem(ca.cert_pem + leaf.cert_pem, leaf.key_pem, Now()), "Cert",
                "did not issue");
}

TEST(CertificatePemTest, RefusesAnIssuerWhoseKeyDidNotSignTheLeaf) {
  // Same names on both certificates, so only the signature tells them apart.
  auto impostor = MakeCertificate({});
  auto leaf = MakeCertificate({});
  ExpectInvalid(ValidateCertificatePem(leaf.cert_pem + impostor.cert_pem, leaf.key_pem, Now()),
                "Cert", "did not issue");
}

TEST(CertificatePemTest, RefusesAKeyThatDoesNotMatch) {
  auto cert = MakeCertificate({});
  auto other = MakeCertificate({});
  ExpectInvalid(ValidateCertificatePem(cert.cert_pem, other.key_pem, Now()), "Key",
                "does not match");
}

TEST(CertificatePemTest, RefusesAnExpiredCertificate) {
  CertSpec spec;
  spec.valid_from = std::chrono::seconds(-3 * 86400);
  spec.valid_until = std::chrono::seconds(-86400);
  auto cert = MakeCertificate(spec);
  ExpectInvalid(ValidateCertificatePem(cert.cert_pem, cert.key_pem, Now()), "Cert", "expired");
}

TEST(CertificatePemTest, RefusesAClientOnlyCertificateButAcceptsACa) {
  CertSpec client;
  client.usage = KeyUsage::kClientOnly;
  auto cert = MakeCertificate(client);
  ExpectInvalid(ValidateCertificatePem(cert.cert_pem, cert.key_pem, Now()), "Cert",
                "neither a server certificate nor a CA");
  auto ca = MakeCa("Test CA");
  auto result = ValidateCertificatePem(ca.cert_pem, ca.key_pem, Now());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->is_ca);
}

TEST(CertificatePemTest, RefusesRsaKeysUnder2048Bits) {
  CertSpec spec;
  spec.key = KeyKind::kRsa1024;
  auto cert = MakeCertificate(spec);
  ExpectInvalid(ValidateCertificatePem(cert.cert_pem, cert.key_pem, Now()), "Key", "2048");
}

TEST(CertificatePemTest, RefusesAnEncryptedKeyWithoutPrompting) {
  auto cert = MakeCertificate({});
  auto encrypted = testing::EncryptKeyPem(cert.key_pem, "passphrase");
  ASSERT_NE(encrypted.find("ENCRYPTED"), std::string::npos);
  ExpectInvalid(ValidateCertificatePem(cert.cert_pem, encrypted, Now()), "Key",
                "no unencrypted PEM private key");
}

TEST(CertificatePemTest, RefusesGarbageMissingAndOversizedInput) {
  auto cert = MakeCertificate({});
  ExpectInvalid(ValidateCertificatePem("not a certificate", cert.key_pem, Now()), "Cert",
                "no PEM certificate");
  ExpectInvalid(ValidateCertificatePem(cert.cert_pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n", Now()),
                "Key", "no unencrypted PEM private key");
  EXPECT_EQ(ValidateCertificatePem("", cert.key_pem, Now()).error().code, "MissingCert");
  EXPECT_EQ(ValidateCertificatePem(cert.cert_pem, "", Now()).error().code, "MissingKey");
  ExpectInvalid(
      ValidateCertificatePem(std::string(kMaxCertificatePemBytes + 1, 'A'), cert.key_pem, Now()),
      "Cert", "64 KiB");
}

TEST(CertificatePemTest, RefusesChainsLongerThanTen) {
  auto cert = MakeCertificate({});
  std::string chain;
  for (int i = 0; i < 11; ++i) chain += cert.cert_pem;
  ExpectInvalid(ValidateCertificatePem(chain, cert.key_pem, Now()), "Cert", "more than 10");
}

}  // namespace
}  // namespace openalb
