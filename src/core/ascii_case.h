// ASCII case folding, for the protocol names that are case-insensitive ASCII: DNS names, HTTP
// field names, RAM action names, hex digests. Bytes outside A–Z are left as they are (no
// locale, no UTF-8 folding).
#pragma once

#include <string>
#include <string_view>

namespace openalb {

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace openalb
