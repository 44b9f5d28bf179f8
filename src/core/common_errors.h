// Errors every layer that validates input returns the same way: a missing or a malformed
// parameter. Gateway errors (signatures, actions) are in api/error_catalogue.h.
#pragma once

#include <string_view>

#include "core/api_error.h"

namespace openalb::errors {

// Missing<Name>, HTTP 400, "<Name> is mandatory for this action."
ApiError MissingParameter(std::string_view name);
// InvalidParameter, HTTP 400, naming the parameter and what is wrong with it.
ApiError InvalidParameter(std::string_view name, std::string_view why);

}  // namespace openalb::errors
