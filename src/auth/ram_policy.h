// RAM policies: the JSON policy language of Alibaba Cloud RAM, parsed once (at attach
// time, so a malformed policy is refused with a clear error then, never at a request) and
// evaluated per request. A request is allowed when some statement allows it and none
// denies it: an explicit Deny beats any Allow, and no matching statement denies
// (implicitly). Statements match on Action (`alb:List*`, `*`; case-insensitive),
// Resource (ARNs, `*` and `?` wildcards) and Condition — `acs:SourceIp`
// (IpAddress / NotIpAddress, CIDR), `acs:SecureTransport` (Bool) and `acs:CurrentTime`
// (DateGreaterThan / DateLessThan and their ...Equals forms); several operators and keys
// must all hold, several values of one key any.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"

namespace openalb {

// What a request asks, as the policy language sees it.
struct RamRequest {
  std::string action;    // "alb:DissociateAdditionalCertificatesFromListener"
  std::string resource;  // "acs:alb:cn-hangzhou:1234…:loadbalancer/alb-…"
  std::string source_ip;
  bool secure_transport = false;
  std::chrono::system_clock::time_point now;
};

enum class RamDecision { kAllow, kImplicitDeny, kExplicitDeny };

class RamPolicy {
 public:
  // InvalidParameter (naming PolicyDocument and what is wrong) for anything malformed.
  static Result<RamPolicy> Parse(std::string_view document);

  // Deny if a statement denies; Allow if one allows; otherwise no opinion (ImplicitDeny).
  RamDecision Evaluate(const RamRequest& request) const;

  struct Condition {
    std::string op;                   // canonical operator, e.g. "IpAddress"
    std::string key;                  // lower-case key, e.g. "acs:sourceip"
    std::vector<std::string> values;  // as written
  };
  struct Statement {
    bool allow = false;
    std::vector<std::string> actions;    // lower-case patterns
    std::vector<std::string> resources;  // patterns
    std::vector<Condition> conditions;
  };

 private:
  std::vector<Statement> statements_;
};

// The decision of several policies together (a user's, its groups'): any explicit Deny
// wins, then any Allow.
RamDecision EvaluatePolicies(const std::vector<RamPolicy>& policies, const RamRequest& request);

// `*` matches any run of characters, `?` one; everything else itself.
bool WildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace openalb
