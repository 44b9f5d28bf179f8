// SecretBox: authenticated encryption (AES-256-GCM) of small secrets at rest — certificate
// private keys, and AccessKey secrets once they move under it. A sealed value is
// version(1) | nonce(12) | ciphertext | tag(16); `associated_data` (say, the certificate id)
// is authenticated but not stored, so a sealed value copied to another row will not open.
// The 32-byte key lives in the data directory (server/data_dir.h), never in the database.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/api_error.h"
#include "core/random.h"

namespace openalb {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  using Key = std::array<unsigned char, kKeySize>;

  SecretBox(const Key& key, Random& random) : key_(key), random_(random) {}

  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  // InternalError if the value was not sealed by this key with this associated data.
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

 private:
  Key key_;
  Random& random_;
};

}  // namespace openalb
