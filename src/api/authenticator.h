// Authenticator: decides who sent a request, from either signature family real clients
// use (V1 HMAC-SHA1 parameters, V3 ACS3-HMAC-SHA256 Authorization header). It checks, in
// order: the signature parts are all there, the method is supported, the timestamp is
// well formed, at most 15 minutes old and 5 minutes ahead, the key exists and is active, the
// signature matches (constant-time), and the nonce is fresh. A nonce is recorded only for a request
// whose signature matched, so nobody can burn another caller's nonces.
#pragma once

#include <chrono>
#include <string_view>

#include "api/http_types.h"
#include "api/nonce_cache.h"
#include "api/parameters.h"
#include "api/rpc_request.h"
#include "auth/access_key_directory.h"
#include "core/api_error.h"
#include "core/clock.h"

namespace openalb {

struct SignedParts {
  const HttpRequestView& http;
  std::string_view path;
  const ParameterMap& query;  // the query string's parameters alone (what V3 signs)
  const ParameterMap& all;    // query and form body together (what V1 signs)
};

class Authenticator {
 public:
  // A timestamp may be this far in the past (ALB's window) ...
  static constexpr std::chrono::minutes kMaxClockSkew{15};
  // ... but only this far in the future: a request is remembered until its timestamp plus
  // kMaxClockSkew, and a caller should not be able to make that much longer.
  static constexpr std::chrono::minutes kMaxFutureSkew{5};
  static constexpr size_t kMaxNonceLength = 256;

  Authenticator(AccessKeyDirectory& keys, NonceCache& nonces, const Clock& clock)
      : keys_(keys), nonces_(nonces), clock_(clock) {}

  Result<Caller> Authenticate(const SignedParts& parts);

 private:
  Result<Caller> AuthenticateV1(const SignedParts& parts);
  Result<Caller> AuthenticateV3(const SignedParts& parts, std::string_view authorization);
  Result<void> CheckTimestamp(std::string_view timestamp);
  Result<KeyRecord> FindKey(std::string_view access_key_id);
  Result<void> RecordNonce(std::string_view access_key_id, std::string_view nonce,
                           std::string_view timestamp);

  AccessKeyDirectory& keys_;
  NonceCache& nonces_;
  const Clock& clock_;
};

}  // namespace openalb
