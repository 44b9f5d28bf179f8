// Percent-encoding as the Alibaba Cloud signature specs define it (RFC 3986: only
// A-Z a-z 0-9 - _ . ~ stay literal) and decoding of query strings and form bodies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openalb {

// Encodes every byte outside the RFC 3986 unreserved set as %XX (upper-case hex).
std::string PercentEncode(std::string_view raw);

// Decodes %XX escapes, and '+' as a space (application/x-www-form-urlencoded).
// Returns nullopt on a malformed escape ("%4", "%zz").
std::optional<std::string> PercentDecode(std::string_view encoded);

}  // namespace openalb
