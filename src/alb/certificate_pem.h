// Validating an uploaded certificate: a PEM chain (leaf first, then the intermediates that
// issued it) and its PEM private key, checked with OpenSSL before anything is stored —
// both parse, the key matches the leaf, the leaf has not expired, it is a server
// certificate (or a CA), and an RSA key has at least 2048 bits. What a listener needs to
// serve it (names, expiry, key type) is extracted here, once.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"

namespace openalb {

enum class CertificateKeyType { kRsa, kEcdsa };

struct ValidatedCertificate {
  std::string common_name;             // may be empty
  std::string issuer;                  // the issuer's common name; may be empty
  std::vector<std::string> dns_names;  // subjectAltName DNS entries, lower-case
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  CertificateKeyType key_type = CertificateKeyType::kRsa;
  int key_bits = 0;
  bool is_ca = false;
  std::string fingerprint_sha256;  // hex, of the leaf's DER
  std::string chain_pem;           // leaf then intermediates, re-encoded
  std::string private_key_pem;     // PKCS#8, unencrypted: seal it before storing
};

// Largest PEM inputs accepted (a chain of ten certificates fits easily).
inline constexpr size_t kMaxCertificatePemBytes = 64 * 1024;
inline constexpr size_t kMaxPrivateKeyPemBytes = 16 * 1024;

// InvalidParameter naming "Cert" or "Key" (the CAS parameter names) with what is wrong.
// An encrypted private key is refused, never prompted for.
Result<ValidatedCertificate> ValidateCertificatePem(std::string_view chain_pem,
                                                    std::string_view key_pem,
                                                    std::chrono::system_clock::time_point now);

}  // namespace openalb
