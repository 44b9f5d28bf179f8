#include "core/common_errors.h"

#include <string>

namespace openalb::errors {

ApiError MissingParameter(std::string_view name) {
  return ApiError{
      "Missing" + std::string(name), 400, std::string(name) + " is mandatory for this action.", {}};
}

ApiError InvalidParameter(std::string_view name, std::string_view why) {
  std::string message = "The parameter " + std::string(name) + " is invalid";
  if (!why.empty()) message += ": " + std::string(why);
  message += ".";
  return ApiError{"InvalidParameter", 400, std::move(message), {}};
}

}  // namespace openalb::errors
