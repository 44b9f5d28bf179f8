// CredentialFactory: makes new accounts and AccessKey pairs in the formats real
// Alibaba Cloud uses (16-digit account ids, "LTAI…" key ids, 30-character secrets)
// and stores them. Used by first start and by `openalb keys`.
#pragma once

#include <string>
#include <string_view>

#include "core/api_error.h"
#include "core/clock.h"
#include "core/random.h"
#include "store/store.h"

namespace openalb {

struct NewAccount {
  Account account;
  AccessKey root_key;
};

class CredentialFactory {
 public:
  CredentialFactory(Store& store, Random& random, const Clock& clock)
      : store_(store), random_(random), clock_(clock) {}

  // Creates an account and its first (root) AccessKey.
  Result<NewAccount> CreateAccount(std::string_view name);
  // Creates another AccessKey for an existing account: its root's, or (when `user_name` is
  // given) one of its RAM users'. The caller checks the user exists.
  Result<AccessKey> CreateAccessKey(std::string_view account_id, std::string_view user_name = "");

 private:
  Store& store_;
  Random& random_;
  const Clock& clock_;
};

}  // namespace openalb
