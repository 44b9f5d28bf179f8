// The naming rule ALB applies to rules, server groups and health check templates: 2 to 128
// characters, starting with a letter; letters, digits, '.', '_' and '-' (and any non-ASCII
// character, as ALB accepts Chinese names).
#pragma once

#include <string_view>

#include "core/api_error.h"

namespace openalb {

// InvalidParameter naming `field` unless `name` follows the rule.
Result<void> ValidateResourceName(std::string_view name, std::string_view field);

}  // namespace openalb
