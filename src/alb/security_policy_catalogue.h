// TLS security policies as ALB defines them: the system policies (tls_cipher_policy_1_0 …
// tls_cipher_policy_1_2_strict_with_1_3) with their TLS versions and cipher suites, and the
// rules a custom policy's TLSVersions and Ciphers must follow. ALB names ciphers as OpenSSL
// does, so a policy's names go to OpenSSL unchanged; a name ALB does not offer is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"

namespace openalb {

struct TlsPolicySpec {
  std::string id;                     // tls_cipher_policy_… or a custom policy's spy-… id
  std::vector<std::string> versions;  // TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3, in the order given
  std::vector<std::string> ciphers;   // in the order given (the server's preference)

  bool operator==(const TlsPolicySpec&) const = default;
};

inline constexpr std::string_view kDefaultSecurityPolicyId = "tls_cipher_policy_1_0";

const std::vector<TlsPolicySpec>& SystemSecurityPolicies();
// The system policy with this id, or null.
const TlsPolicySpec* SystemSecurityPolicy(std::string_view id);
// InvalidParameter naming TLSVersions or Ciphers: an unknown version or cipher, one given
// twice, none at all, or a cipher no listed version can use.
Result<void> ValidateTlsPolicy(const std::vector<std::string>& versions,
                               const std::vector<std::string>& ciphers);

}  // namespace openalb
