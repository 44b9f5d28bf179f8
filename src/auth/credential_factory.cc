#include "auth/credential_factory.h"

#include "auth/access_key_secrets.h"
#include "core/time_format.h"

namespace openalb {
namespace {

constexpr std::string_view kAlphanumeric =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

Result<NewAccount> CredentialFactory::CreateAccount(std::string_view name) {
  NewAccount created;
  created.account.account_id =
      random_.FromAlphabet("123456789", 1) + random_.FromAlphabet("0123456789", 15);
  created.account.name = std::string(name);
  created.account.created_at = FormatIso8601(clock_.Now());
  if (auto r = store_.CreateAccount(created.account); !r) return Fail(r.error());
  auto key = CreateAccessKey(created.account.account_id);
  if (!key) return Fail(key.error());
  created.root_key = std::move(*key);
  return created;
}

Result<AccessKey> CredentialFactory::CreateAccessKey(std::string_view account_id,
                                                     std::string_view user_name) {
  AccessKey key;
  key.access_key_id = "LTAI" + random_.FromAlphabet(kAlphanumeric, 20);
  key.account_id = std::string(account_id);
  key.secret = random_.FromAlphabet(kAlphanumeric, 30);
  key.active = true;
  key.created_at = FormatIso8601(clock_.Now());
  key.user_name = std::string(user_name);
  AccessKey stored = key;
  stored.secret = SealAccessKeySecret(box_, key.access_key_id, key.secret);
  if (auto r = store_.CreateAccessKey(stored); !r) return Fail(r.error());
  return key;
}

}  // namespace openalb
