// Real X.509 certificates and keys made with OpenSSL for tests: self-signed or issued by
// another generated certificate, with the names, validity, key type and usage a test asks for.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace openalb::testing {

enum class KeyKind { kEcP256, kRsa2048, kRsa1024 };
enum class KeyUsage { kServer, kClientOnly, kUnrestricted };

struct CertSpec {
  std::string common_name = "example.com";
  std::vector<std::string> dns_names;
  std::chrono::seconds valid_from{-3600};            // relative to now
  std::chrono::seconds valid_until{30 * 24 * 3600};  // relative to now
  bool is_ca = false;
  KeyUsage usage = KeyUsage::kServer;
  KeyKind key = KeyKind::kEcP256;
};

struct GeneratedCert {
  std::string cert_pem;
  std::string key_pem;
};

// Self-signed when `issuer` is null.
GeneratedCert MakeCertificate(const CertSpec& spec, const GeneratedCert* issuer = nullptr);

// The same key, PEM-encrypted with a passphrase (AES-256-CBC).
std::string EncryptKeyPem(const std::string& key_pem, const std::string& passphrase);

}  // namespace openalb::testing
