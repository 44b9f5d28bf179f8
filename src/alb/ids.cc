#include "alb/ids.h"

#include <algorithm>
#include <cctype>

namespace openalb {
namespace {

constexpr std::string_view kIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

std::string NewLoadBalancerId(Random& random) {
  return "alb-" + random.FromAlphabet(kIdAlphabet, 20);
}

std::string NewListenerId(Random& random) { return "lsr-" + random.FromAlphabet(kIdAlphabet, 20); }

std::string NewServerGroupId(Random& random) {
  return "sgp-" + random.FromAlphabet(kIdAlphabet, 20);
}

std::string NewRuleId(Random& random) { return "rule-" + random.FromAlphabet(kIdAlphabet, 20); }

std::string NewHealthCheckTemplateId(Random& random) {
  return "hct-" + random.FromAlphabet(kIdAlphabet, 20);
}

std::string NewSecurityPolicyId(Random& random) {
  return "spy-" + random.FromAlphabet(kIdAlphabet, 20);
}

std::string NewAclId(Random& random) { return "acl-" + random.FromAlphabet(kIdAlphabet, 20); }

std::string NewAScriptId(Random& random) { return "as-" + random.FromAlphabet(kIdAlphabet, 20); }

std::string NewJobId(Random& random) {
  std::string id = random.UuidUpper();
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

std::int64_t NewCertificateNumber(Random& random) {
  std::string digits = random.FromAlphabet("123456789", 1) + random.FromAlphabet("0123456789", 7);
  return std::stoll(digits);
}

std::string CertificateIdFor(std::int64_t number, std::string_view region_id) {
  return std::to_string(number) + "-" + std::string(region_id);
}

std::optional<std::int64_t> ParseCanonicalCertificateNumber(std::string_view text) {
  if (text.empty() || text.size() > 10 || text.front() == '0') return std::nullopt;
  std::int64_t number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

}  // namespace openalb
