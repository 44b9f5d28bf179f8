// Signature V3 (ACS3-HMAC-SHA256), as @alicloud/alb20200616 signs:
//   Authorization: ACS3-HMAC-SHA256 Credential=<key id>,SignedHeaders=<a;b;c>,Signature=<hex>
//   CanonicalRequest = METHOD \n path \n sorted enc(k)=enc(v) of the query string \n
//                      "name:value\n" per signed header \n signed header names ; \n payload hash
//   Signature = hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(CanonicalRequest))))
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "api/parameters.h"
#include "core/api_error.h"

namespace openalb {

inline constexpr std::string_view kV3Algorithm = "ACS3-HMAC-SHA256";

struct V3Authorization {
  std::string algorithm;
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // hex as sent
};

// IncompleteSignature when a part is missing or malformed.
Result<V3Authorization> ParseV3Authorization(std::string_view header);

std::string CanonicalRequestV3(std::string_view method, std::string_view path,
                               const ParameterMap& query, const HttpRequestView& request,
                               const std::vector<std::string>& signed_headers,
                               std::string_view payload_sha256_hex);
std::string StringToSignV3(std::string_view canonical_request);
std::string SignV3(std::string_view secret, std::string_view string_to_sign);

}  // namespace openalb
