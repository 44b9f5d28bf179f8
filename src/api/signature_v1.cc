#include "api/signature_v1.h"

#include "core/crypto.h"
#include "core/percent_encoding.h"

namespace openalb {

std::string StringToSignV1(std::string_view method, const ParameterMap& params) {
  std::string canonical;
  for (const auto& [name, value] : params) {
    if (name == "Signature") continue;
    if (!canonical.empty()) canonical.push_back('&');
    canonical += PercentEncode(name);
    canonical.push_back('=');
    canonical += PercentEncode(value);
  }
  std::string out(method);
  out += "&%2F&";
  out += PercentEncode(canonical);
  return out;
}

std::string SignV1(std::string_view secret, std::string_view string_to_sign) {
  std::string key(secret);
  key.push_back('&');
  return Base64Encode(HmacSha1(key, string_to_sign));
}

}  // namespace openalb
