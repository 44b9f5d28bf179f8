// ISO 8601 UTC timestamps as the OpenAPI writes them ("2026-11-23T07:43:26Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace openalb {

// Formats as YYYY-MM-DDThh:mm:ssZ (seconds precision).
std::string FormatIso8601(std::chrono::system_clock::time_point t);

// Parses YYYY-MM-DDThh:mm:ssZ, optionally with fractional seconds before the Z.
// Returns nullopt for anything else, including out-of-range fields.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);

}  // namespace openalb
