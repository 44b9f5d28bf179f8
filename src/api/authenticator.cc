#include "api/authenticator.h"

#include <algorithm>
#include <cctype>

#include "api/error_catalogue.h"
#include "api/parameter_reader.h"
#include "api/signature_v1.h"
#include "api/signature_v3.h"
#include "core/ascii_case.h"
#include "core/crypto.h"
#include "core/time_format.h"

namespace openalb {
namespace {}  // namespace

Result<Caller> Authenticator::Authenticate(const SignedParts& parts) {
  if (auto authorization = parts.http.Header("authorization");
      authorization && authorization->starts_with("ACS3-")) {
    return AuthenticateV3(parts, *authorization);
  }
  return AuthenticateV1(parts);
}

Result<void> Authenticator::CheckTimestamp(std::string_view timestamp) {
  auto parsed = ParseIso8601(timestamp);
  if (!parsed) return Fail(errors::InvalidTimestampFormat());
  auto now = clock_.Now();
  if (*parsed > now + kMaxFutureSkew || *parsed < now - kMaxClockSkew) {
    return Fail(errors::InvalidTimestampExpired(timestamp, FormatIso8601(now)));
  }
  return {};
}

Result<KeyRecord> Authenticator::FindKey(std::string_view access_key_id) {
  auto key = keys_.Find(access_key_id);
  if (!key) return Fail(errors::AccessKeyNotFound());
  if (!key->active) return Fail(errors::AccessKeyInactive());
  return std::move(*key);
}

Result<void> Authenticator::RecordNonce(std::string_view access_key_id, std::string_view nonce,
                                        std::string_view timestamp) {
  // CheckTimestamp ran first, so the timestamp parses.
  auto expires_at = *ParseIso8601(timestamp) + kMaxClockSkew + std::chrono::seconds(1);
  switch (nonces_.Record(access_key_id, nonce, clock_.Now(), expires_at)) {
    case NonceCache::Outcome::kFresh:
      return {};
    case NonceCache::Outcome::kReused:
      return Fail(errors::SignatureNonceUsed());
    case NonceCache::Outcome::kTooOld:
      break;
  }
  return Fail(errors::InvalidTimestampBeyondNonceWindow(timestamp));
}

Result<Caller> Authenticator::AuthenticateV1(const SignedParts& parts) {
  ParameterReader params(parts.all);
  auto access_key_id = params.Required("AccessKeyId");
  if (!access_key_id) return Fail(access_key_id.error());
  for (std::string_view name :
       {"Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"}) {
    if (auto v = params.Required(name); !v) return Fail(v.error());
  }
  if (params.Get("SecurityToken")) return Fail(errors::UnsupportedSecurityToken());
  auto method = *params.Get("SignatureMethod");
  if (method != "HMAC-SHA1") return Fail(errors::InvalidSignatureMethod(method));
  if (*params.Get("SignatureVersion") != "1.0") {
    return Fail(errors::IncompleteSignature("SignatureVersion must be 1.0"));
  }
  auto nonce = *params.Get("SignatureNonce");
  if (nonce.size() > kMaxNonceLength) {
    return Fail(errors::InvalidParameter("SignatureNonce", "longer than 256 characters"));
  }
  auto timestamp = *params.Get("Timestamp");
  if (auto r = CheckTimestamp(timestamp); !r) return Fail(r.error());
  auto key = FindKey(*access_key_id);
  if (!key) return Fail(key.error());

  std::string string_to_sign = StringToSignV1(parts.http.method, parts.all);
  std::string expected = SignV1(key->secret, string_to_sign);
  if (!ConstantTimeEquals(expected, *params.Get("Signature"))) {
    return Fail(errors::SignatureDoesNotMatch(string_to_sign));
  }
  if (auto r = RecordNonce(*access_key_id, nonce, timestamp); !r) return Fail(r.error());
  return Caller{key->account_id, *access_key_id, SignatureVersion::kV1, key->user_name,
                key->policies};
}

Result<Caller> Authenticator::AuthenticateV3(const SignedParts& parts,
                                             std::string_view authorization) {
  auto auth = ParseV3Authorization(authorization);
  if (!auth) return Fail(auth.error());
  if (auth->algorithm != kV3Algorithm) return Fail(errors::InvalidSignatureMethod(auth->algorithm));

  const auto& http = parts.http;
  for (std::string_view name : {"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}) {
    if (!http.Header(name)) {
      return Fail(errors::IncompleteSignature("header " + std::string(name) + " is missing"));
    }
  }
  auto is_signed = [&](std::string_view name) {
    return std::find(auth->signed_headers.begin(), auth->signed_headers.end(), name) !=
           auth->signed_headers.end();
  };
  if (!is_signed("host")) return Fail(errors::IncompleteSignature("header host is not signed"));
  for (const auto& [name, value] : http.headers) {
    if (name.starts_with("x-acs-") && !is_signed(name)) {
      return Fail(errors::IncompleteSignature("header " + name + " is present but not signed"));
    }
  }
  if (http.Header("x-acs-security-token")) return Fail(errors::UnsupportedSecurityToken());
  auto nonce = *http.Header("x-acs-signature-nonce");
  if (nonce.empty()) return Fail(errors::IncompleteSignature("x-acs-signature-nonce is empty"));
  if (nonce.size() > kMaxNonceLength) {
    return Fail(errors::InvalidParameter("x-acs-signature-nonce", "longer than 256 characters"));
  }
  auto timestamp = *http.Header("x-acs-date");
  if (auto r = CheckTimestamp(timestamp); !r) return Fail(r.error());
  auto key = FindKey(auth->access_key_id);
  if (!key) return Fail(key.error());

  std::string payload_hash = HexLower(Sha256(http.body));
  std::string canonical = CanonicalRequestV3(http.method, parts.path, parts.query, http,
                                             auth->signed_headers, payload_hash);
  std::string string_to_sign = StringToSignV3(canonical);
  if (AsciiLower(*http.Header("x-acs-content-sha256")) != payload_hash) {
    return Fail(errors::SignatureDoesNotMatch(string_to_sign +
                                              " (x-acs-content-sha256 is not the body's hash)"));
  }
  std::string expected = SignV3(key->secret, string_to_sign);
  if (!ConstantTimeEquals(expected, AsciiLower(auth->signature))) {
    return Fail(errors::SignatureDoesNotMatch(string_to_sign));
  }
  if (auto r = RecordNonce(auth->access_key_id, nonce, timestamp); !r) return Fail(r.error());
  return Caller{key->account_id, auth->access_key_id, SignatureVersion::kV3, key->user_name,
                key->policies};
}

}  // namespace openalb
