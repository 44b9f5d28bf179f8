// Hashes, MACs and encodings the request signatures are built from (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

namespace openalb {

std::string HmacSha1(std::string_view key, std::string_view data);    // raw 20 bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string Sha256(std::string_view data);                            // raw 32 bytes

std::string HexLower(std::string_view raw);
std::string Base64Encode(std::string_view raw);

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace openalb
