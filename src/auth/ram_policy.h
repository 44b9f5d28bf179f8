// RAM policies: the JSON policy language of Alibaba Cloud RAM, parsed once (at attach
// time, so a malformed policy is refused with a clear error then, never at a request) and
// evaluated per request. A request is allowed when some statement allows it and none
// denies it: an explicit Deny beats any Allow, and no matching statement denies
// (implicitly). Statements match on Action (`alb:List*`, `*`; case-insensitive),
// Resource (ARNs, `*` and `?` wildcards) and Condition — `acs:SourceIp`
// (IpAddress / NotIpAddress, CIDR), `acs:SecureTransport` (Bool) and `acs:CurrentTime`
// (DateGreaterThan / DateLessThan and their ...Equals forms); several operators and keys
// must all hold, several values of one key any. An IPv4 client seen through an IPv6 socket
// (::ffff:a.b.c.d) matches IPv4 networks.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api_error.h"

namespace openalb {

// What a request asks, as the policy language sees it. Views: the caller keeps the text.
struct RamRequest {
  std::string_view action;    // "alb:DissociateAdditionalCertificatesFromListener"
  std::string_view resource;  // "acs:alb:cn-hangzhou:1234…:loadbalancer/alb-…"
  std::string_view source_ip;
  bool secure_transport = false;
  std::chrono::system_clock::time_point now;
  // The action in lower case, if the caller has it at hand (saves lowering it per request).
  std::string_view lower_case_action = {};
};

// A wildcard pattern compiled once: `*` matches any run of characters, `?` one, everything
// else itself. Without `?` it is matched by its literal pieces — prefix, suffix, then each
// middle piece leftmost — so most texts are refused at their first or last character.
class WildcardPattern {
 public:
  explicit WildcardPattern(std::string pattern);
  bool Matches(std::string_view text) const;

 private:
  std::string pattern_;
  bool has_question_mark_ = false;
  std::vector<std::pair<size_t, size_t>> pieces_;  // offset and length of the runs between `*`s
};

enum class RamDecision { kAllow, kImplicitDeny, kExplicitDeny };

class RamPolicy {
 public:
  // InvalidParameter (naming PolicyDocument and what is wrong) for anything malformed.
  static Result<RamPolicy> Parse(std::string_view document);

  // Deny if a statement denies; Allow if one allows; otherwise no opinion (ImplicitDeny).
  RamDecision Evaluate(const RamRequest& request) const;
  // The same with the request's action already in lower case (to do that once for many).
  RamDecision Evaluate(const RamRequest& request, std::string_view lower_case_action) const;

  // An IPv4 or IPv6 network: address bytes and prefix length.
  struct Network {
    int family = 0;  // AF_INET or AF_INET6
    std::array<unsigned char, 16> bytes{};
    int prefix = 0;
  };
  // Values are parsed when the policy is, so a request only compares.
  struct Condition {
    std::string op;                                            // canonical, e.g. "IpAddress"
    std::string key;                                           // lower-case, e.g. "acs:sourceip"
    std::vector<Network> networks;                             // acs:SourceIp
    std::vector<bool> flags;                                   // acs:SecureTransport
    std::vector<std::chrono::system_clock::time_point> times;  // acs:CurrentTime
  };
  struct Statement {
    bool allow = false;
    std::vector<WildcardPattern> actions;  // lower-case
    std::vector<WildcardPattern> resources;
    std::vector<Condition> conditions;
  };

 private:
  std::vector<Statement> statements_;
};

// The decision of several policies together (a user's, its groups'): any explicit Deny
// wins, then any Allow.
RamDecision EvaluatePolicies(const std::vector<RamPolicy>& policies, const RamRequest& request);

// A policy with the name it was stored under.
struct NamedPolicy {
  std::string name;
  RamPolicy policy;
};

// The same over named policies; on an explicit Deny, `*denied_by` names the policy.
RamDecision EvaluatePolicies(const std::vector<NamedPolicy>& policies, const RamRequest& request,
                             std::string* denied_by);

// What a RAM user may do: its attached policies, in name order. A stored policy that no
// longer parses (it was valid when attached) makes the user `unusable`: denied everything
// rather than judged without it, which could drop a Deny.
struct UserPolicies {
  std::vector<NamedPolicy> policies;
  bool unusable = false;
};

// `*` matches any run of characters, `?` one; everything else itself.
bool WildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace openalb
