#include "alb/json_fields.h"

#include <cstdlib>

#include "core/common_errors.h"

namespace openalb {

Result<bool> JsonBool(const nlohmann::json& value, const std::string& name) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string() && (value == "true" || value == "false")) return value == "true";
  return Fail(errors::InvalidParameter(name, "it is true or false"));
}

Result<int> JsonInt(const nlohmann::json& value, const std::string& name, int min, int max) {
  long long n = static_cast<long long>(min) - 1;
  if (value.is_number_integer()) {
    n = value.get<long long>();
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    char* end = nullptr;
    n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') n = static_cast<long long>(min) - 1;
  }
  if (n < min || n > max) {
    return Fail(errors::InvalidParameter(
        name, "it is an integer from " + std::to_string(min) + " to " + std::to_string(max)));
  }
  return static_cast<int>(n);
}

}  // namespace openalb
