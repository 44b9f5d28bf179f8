// Signature V1 (RPC style, HMAC-SHA1), as @alicloud/pop-core and the Terraform provider
// sign: StringToSign = METHOD "&" enc("/") "&" enc(sorted enc(k)=enc(v) pairs joined by &),
// signature = Base64(HMAC-SHA1(secret + "&", StringToSign)).
#pragma once

#include <string>
#include <string_view>

#include "api/parameters.h"

namespace openalb {

// Canonicalises every parameter except "Signature" itself.
std::string StringToSignV1(std::string_view method, const ParameterMap& params);
std::string SignV1(std::string_view secret, std::string_view string_to_sign);

}  // namespace openalb
