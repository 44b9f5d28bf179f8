// Request parameters: parsing application/x-www-form-urlencoded text (query strings and
// POST bodies) into a sorted map — the order both signature algorithms canonicalise in.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/api_error.h"

namespace openalb {

using ParameterMap = std::map<std::string, std::string, std::less<>>;

// Most parameters one request may carry, query and body together.
inline constexpr size_t kMaxParameters = 1024;

// Adds each name=value pair of `encoded` to `out`. A name given twice (here or already in
// `out`), an empty name, a malformed %-escape or too many parameters is InvalidParameter.
Result<void> ParseUrlEncoded(std::string_view encoded, ParameterMap& out);

}  // namespace openalb
