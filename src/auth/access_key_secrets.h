// AccessKey secrets at rest. A secret must be known to verify a signature (HMAC), so it is
// stored sealed — AES-256-GCM under the data directory's key (core/secret_box), bound to its
// AccessKeyId, so a sealed secret copied to another key's row does not open — and opened
// only into the in-memory key directory. Stored form: "sealed:v1:" then the sealed bytes in
// hex. Secrets written before sealing existed are plain text; SealPlainAccessKeySecrets
// converts them at start-up and scrubs the plain text from the store's files.
#pragma once

#include <string>
#include <string_view>

#include "core/api_error.h"
#include "core/secret_box.h"
#include "store/store.h"

namespace openalb {

std::string SealAccessKeySecret(const SecretBox& box, std::string_view access_key_id,
                                std::string_view secret);
// The plain secret of a stored one (sealed or, from before sealing, plain). InternalError
// when a sealed one does not open (another data directory's key, or a tampered row).
Result<std::string> OpenAccessKeySecret(const SecretBox& box, std::string_view access_key_id,
                                        std::string_view stored);
bool IsSealedAccessKeySecret(std::string_view stored);

// Seals every secret still stored in plain text; returns how many it sealed.
Result<int> SealPlainAccessKeySecrets(Store& store, const SecretBox& box);

}  // namespace openalb
