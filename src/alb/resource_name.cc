#include "alb/resource_name.h"

#include <string>

#include "core/common_errors.h"

namespace openalb {

Result<void> ValidateResourceName(std::string_view name, std::string_view field) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  bool ok = name.size() >= 2 && name.size() <= 128 &&
            (letter(name.front()) || static_cast<unsigned char>(name.front()) >= 0x80);
  for (char c : name) {
    ok = ok && (letter(c) || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
                static_cast<unsigned char>(c) >= 0x80);
  }
  if (ok) return {};
  return Fail(errors::InvalidParameter(
      std::string(field),
      "it must be 2 to 128 characters, start with a letter and contain only letters, digits, "
      "'.', '_' and '-'"));
}

}  // namespace openalb
