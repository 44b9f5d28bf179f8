// Reading one field of an attribute patch (listener attributes, server group attributes): a
// boolean or a bounded integer, given as a JSON value or — from a form-encoded request — as
// its text. InvalidParameter names the field otherwise.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/api_error.h"

namespace openalb {

Result<bool> JsonBool(const nlohmann::json& value, const std::string& name);
Result<int> JsonInt(const nlohmann::json& value, const std::string& name, int min, int max);

}  // namespace openalb
