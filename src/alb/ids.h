// Identifiers of the ALB resources, drawn from the CSPRNG so they cannot be guessed:
// "alb-" / "lsr-" / "sgp-" / "rule-" + 20 lower-case letters and digits, jobs as lower-case UUIDs,
// and CAS certificate numbers of 8 digits (the certificate's ALB id is "<number>-<region>").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/random.h"

namespace openalb {

std::string NewLoadBalancerId(Random& random);
std::string NewListenerId(Random& random);
std::string NewServerGroupId(Random& random);
std::string NewRuleId(Random& random);
std::string NewHealthCheckTemplateId(Random& random);
std::string NewSecurityPolicyId(Random& random);
std::string NewAclId(Random& random);
std::string NewAScriptId(Random& random);
std::string NewJobId(Random& random);
std::int64_t NewCertificateNumber(Random& random);
std::string CertificateIdFor(std::int64_t number, std::string_view region_id);

// A certificate number as a client wrote it, accepted only in its one canonical spelling
// (1 to 10 decimal digits, no leading zero, sign or space): RAM authorises on the ARN
// built from this text and the handler acts on the number, so two spellings of one
// number would let a Deny on one be bypassed with the other.
std::optional<std::int64_t> ParseCanonicalCertificateNumber(std::string_view text);

}  // namespace openalb
