// GzipEnabled: which answers openalb compresses for a client (a complete body of at least
// kMinGzipBytes, of a compressible media type, not already encoded, to a client whose
// Accept-Encoding takes gzip), and the compression itself (zlib, gzip wrapper).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace openalb {

inline constexpr std::size_t kMinGzipBytes = 1024;

// text/*, JSON, JavaScript, XML and the like; the parameters after ';' ignored.
bool CompressibleType(std::string_view content_type);
// Accept-Encoding lists gzip (or *) with a q-value above 0.
bool AcceptsGzip(std::string_view accept_encoding);
// The gzip member holding `body`; nullopt if zlib fails.
std::optional<std::string> GzipCompress(std::string_view body);

}  // namespace openalb
