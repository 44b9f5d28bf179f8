// Identifiers of the ALB resources, drawn from the CSPRNG so they cannot be guessed:
// "alb-" / "lsr-" / "sgp-" + 20 lower-case letters and digits, jobs as lower-case UUIDs, and CAS
// certificate numbers of 8 digits (the certificate's ALB id is "<number>-<region>").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/random.h"

namespace openalb {

std::string NewLoadBalancerId(Random& random);
std::string NewListenerId(Random& random);
std::string NewServerGroupId(Random& random);
std::string NewJobId(Random& random);
std::int64_t NewCertificateNumber(Random& random);
std::string CertificateIdFor(std::int64_t number, std::string_view region_id);

}  // namespace openalb
