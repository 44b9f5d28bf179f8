// ISO 8601 UTC timestamps as the OpenAPI writes them ("2026-11-23T07:43:26Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace openalb {

// Formats as YYYY-MM-DDThh:mm:ssZ (seconds precision).
std::string FormatIso8601(std::chrono::system_clock::time_point t);

// The years a time point may hold here (nanosecond clocks end in 2262).
inline constexpr int kFirstYear = 1900;
inline constexpr int kLastYear = 2200;

// Parses YYYY-MM-DDThh:mm:ssZ, optionally with fractional seconds before the Z.
// Returns nullopt for anything else, including out-of-range fields and years outside
// kFirstYear–kLastYear.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);

}  // namespace openalb
