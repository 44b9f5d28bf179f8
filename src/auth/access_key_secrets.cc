#include "auth/access_key_secrets.h"

#include "core/crypto.h"
#include "core/hex_digit.h"

namespace openalb {
namespace {

constexpr std::string_view kPrefix = "sealed:v1:";

std::string AssociatedData(std::string_view access_key_id) {
  return "access-key:" + std::string(access_key_id);
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Fail(ApiError{"InternalError", 500, "bad sealed secret", {}});
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int high = HexDigitValue(hex[2 * i]);
    int low = HexDigitValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return Fail(ApiError{"InternalError", 500, "bad sealed secret", {}});
    }
    out[i] = static_cast<char>(high * 16 + low);
  }
  return out;
}

}  // namespace

std::string SealAccessKeySecret(const SecretBox& box, std::string_view access_key_id,
                                std::string_view secret) {
  return std::string(kPrefix) + HexLower(box.Seal(secret, AssociatedData(access_key_id)));
}

bool IsSealedAccessKeySecret(std::string_view stored) { return stored.starts_with(kPrefix); }

Result<std::string> OpenAccessKeySecret(const SecretBox& box, std::string_view access_key_id,
                                        std::string_view stored) {
  if (!IsSealedAccessKeySecret(stored)) return std::string(stored);
  auto sealed = FromHex(stored.substr(kPrefix.size()));
  if (!sealed) return Fail(sealed.error());
  auto opened = box.Open(*sealed, AssociatedData(access_key_id));
  if (!opened) {
    return Fail(ApiError{"InternalError", 500, "an AccessKey secret does not open",
                         "the secret of " + std::string(access_key_id) +
                             " does not open with this data directory's key"});
  }
  return opened;
}

Result<int> SealPlainAccessKeySecrets(Store& store, const SecretBox& box) {
  auto keys = store.ListAccessKeys();
  if (!keys) return Fail(keys.error());
  int sealed = 0;
  for (const auto& key : *keys) {
    if (IsSealedAccessKeySecret(key.secret)) continue;
    auto replaced = store.ReplaceAccessKeySecret(
        key.access_key_id, SealAccessKeySecret(box, key.access_key_id, key.secret));
    if (!replaced) return Fail(replaced.error());
    ++sealed;
  }
  if (sealed > 0) {
    if (auto r = store.ScrubOverwritten(); !r) return Fail(r.error());
  }
  return sealed;
}

}  // namespace openalb
