#include "alb/security_policy_catalogue.h"

#include <algorithm>
#include <set>

#include "core/common_errors.h"

namespace openalb {
namespace {

// Cipher suites TLS 1.0 and 1.1 can use (CBC with SHA-1 MACs).
const std::vector<std::string> kLegacyCiphers = {"ECDHE-ECDSA-AES128-SHA",
                                                 "ECDHE-ECDSA-AES256-SHA",
                                                 "ECDHE-RSA-AES128-SHA",
                                                 "ECDHE-RSA-AES256-SHA",
                                                 "AES128-SHA",
                                                 "AES256-SHA",
                                                 "DES-CBC3-SHA"};
// What TLS 1.2 adds.
const std::vector<std::string> kTls12OnlyCiphers = {"ECDHE-ECDSA-AES128-GCM-SHA256",
                                                    "ECDHE-ECDSA-AES256-GCM-SHA384",
                                                    "ECDHE-ECDSA-AES128-SHA256",
                                                    "ECDHE-ECDSA-AES256-SHA384",
                                                    "ECDHE-RSA-AES128-GCM-SHA256",
                                                    "ECDHE-RSA-AES256-GCM-SHA384",
                                                    "ECDHE-RSA-AES128-SHA256",
                                                    "ECDHE-RSA-AES256-SHA384",
                                                    "AES128-GCM-SHA256",
                                                    "AES256-GCM-SHA384",
                                                    "AES128-SHA256",
                                                    "AES256-SHA256"};
const std::vector<std::string> kTls13Ciphers = {
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"};

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The ciphers of the 1.0, 1.1 and 1.2 policies, in ALB's order: TLS 1.2's own, then those
// TLS 1.0 and 1.1 can use too.
std::vector<std::string> AllTls12Ciphers() {
  std::vector<std::string> out = kTls12OnlyCiphers;
  out.insert(out.end(), kLegacyCiphers.begin(), kLegacyCiphers.end());
  return out;
}

// The strict policies: the same list less the suites without forward secrecy (static RSA key
// exchange and 3DES), which is to say its ECDHE ones, in the same order.
std::vector<std::string> StrictCiphers() {
  std::vector<std::string> out = AllTls12Ciphers();
  std::erase_if(out, [](const std::string& cipher) { return !cipher.starts_with("ECDHE-"); });
  return out;
}

std::vector<std::string> StrictWith13Ciphers() {
  auto out = StrictCiphers();
  out.insert(out.end(), kTls13Ciphers.begin(), kTls13Ciphers.end());
  return out;
}

}  // namespace

const std::vector<TlsPolicySpec>& SystemSecurityPolicies() {
  static const std::vector<TlsPolicySpec> kPolicies = {
      {"tls_cipher_policy_1_0", {"TLSv1.0", "TLSv1.1", "TLSv1.2"}, AllTls12Ciphers()},
      {"tls_cipher_policy_1_1", {"TLSv1.1", "TLSv1.2"}, AllTls12Ciphers()},
      {"tls_cipher_policy_1_2", {"TLSv1.2"}, AllTls12Ciphers()},
      {"tls_cipher_policy_1_2_strict", {"TLSv1.2"}, StrictCiphers()},
      {"tls_cipher_policy_1_2_strict_with_1_3", {"TLSv1.2", "TLSv1.3"}, StrictWith13Ciphers()},
  };
  return kPolicies;
}

const TlsPolicySpec* SystemSecurityPolicy(std::string_view id) {
  for (const auto& policy : SystemSecurityPolicies()) {
    if (policy.id == id) return &policy;
  }
  return nullptr;
}

Result<void> ValidateTlsPolicy(const std::vector<std::string>& versions,
                               const std::vector<std::string>& ciphers) {
  if (versions.empty()) return Fail(errors::MissingParameter("TLSVersions"));
  if (ciphers.empty()) return Fail(errors::MissingParameter("Ciphers"));
  std::set<std::string_view> seen;
  for (const auto& version : versions) {
    if (version != "TLSv1.0" && version != "TLSv1.1" && version != "TLSv1.2" &&
        version != "TLSv1.3") {
      return Fail(errors::InvalidParameter(
          "TLSVersions", "unknown version " + version + ": TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3"));
    }
    if (!seen.insert(version).second) {
      return Fail(errors::InvalidParameter("TLSVersions", version + " is given twice"));
    }
  }
  const bool legacy = Contains(versions, "TLSv1.0") || Contains(versions, "TLSv1.1");
  const bool tls12 = Contains(versions, "TLSv1.2");
  const bool tls13 = Contains(versions, "TLSv1.3");
  seen.clear();
  bool below13_usable = false;
  bool tls13_usable = false;
  for (const auto& cipher : ciphers) {
    if (!seen.insert(cipher).second) {
      return Fail(errors::InvalidParameter("Ciphers", cipher + " is given twice"));
    }
    const bool is13 = Contains(kTls13Ciphers, cipher);
    const bool is_legacy = Contains(kLegacyCiphers, cipher);
    const bool is12 = Contains(kTls12OnlyCiphers, cipher);
    if (!is13 && !is_legacy && !is12) {
      return Fail(errors::InvalidParameter("Ciphers", "ALB offers no cipher suite " + cipher));
    }
    const bool usable = (is13 && tls13) || (is_legacy && (legacy || tls12)) || (is12 && tls12);
    if (!usable) {
      return Fail(errors::InvalidParameter(
          "Ciphers", cipher + " is used by none of the policy's TLS versions"));
    }
    if (is13) tls13_usable = true;
    if (!is13) below13_usable = true;
  }
  if (tls13 && !tls13_usable) {
    return Fail(errors::InvalidParameter("Ciphers", "TLSv1.3 needs one of its cipher suites"));
  }
  if ((legacy || tls12) && !below13_usable) {
    return Fail(errors::InvalidParameter("Ciphers",
                                         "TLSv1.2 and earlier need a cipher suite of their own"));
  }
  return {};
}

}  // namespace openalb
