// CredentialFactory: makes new accounts and AccessKey pairs in the formats real
// Alibaba Cloud uses (16-digit account ids, "LTAI…" key ids, 30-character secrets)
// and stores them, each secret sealed (auth/access_key_secrets.h). Used by first start and
// by `openalb keys`.
#pragma once

#include <string>
#include <string_view>

#include "core/api_error.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/secret_box.h"
#include "store/store.h"

namespace openalb {

struct NewAccount {
  Account account;
  AccessKey root_key;
};

class CredentialFactory {
 public:
  CredentialFactory(Store& store, const SecretBox& box, Random& random, const Clock& clock)
      : store_(store), box_(box), random_(random), clock_(clock) {}

  // Creates an account and its first (root) AccessKey.
  Result<NewAccount> CreateAccount(std::string_view name);
  // Creates another AccessKey for an existing account: its root's, or (when `user_name` is
  // given) one of its RAM users'. The caller checks the user exists. The key returned holds
  // the plain secret (to show once); the store holds it sealed.
  Result<AccessKey> CreateAccessKey(std::string_view account_id, std::string_view user_name = "");

 private:
  Store& store_;
  const SecretBox& box_;
  Random& random_;
  const Clock& clock_;
};

}  // namespace openalb
