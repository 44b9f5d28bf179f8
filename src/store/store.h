// Store: the durable state of openalb, behind one interface so that the SQLite
// implementation (store/sqlite/) and a later PostgreSQL one pass the same contract tests.
// Every method is a single transaction. Failures come back as ApiError "InternalError"
// with the database's own message in `internal` only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"

namespace openalb {

struct Account {
  std::string account_id;  // 16 decimal digits
  std::string name;
  std::string created_at;  // ISO 8601 UTC
};

struct AccessKey {
  std::string access_key_id;
  std::string account_id;
  std::string secret;
  bool active = true;
  std::string created_at;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<void> CreateAccount(const Account& account) = 0;
  virtual Result<std::vector<Account>> ListAccounts() = 0;

  // Fails with InternalError if the account does not exist.
  virtual Result<void> CreateAccessKey(const AccessKey& key) = 0;
  // All keys of every account, ordered by account then creation.
  virtual Result<std::vector<AccessKey>> ListAccessKeys() = 0;
  // Returns false when no such key existed.
  virtual Result<bool> DeleteAccessKey(std::string_view access_key_id) = 0;
  // Returns false when no such key existed.
  virtual Result<bool> SetAccessKeyActive(std::string_view access_key_id, bool active) = 0;

  // A number that changes whenever another process or connection commits a change, so
  // in-memory snapshots know when to reload. Not a count of anything.
  virtual Result<std::uint64_t> ExternalChangeCounter() = 0;
};

}  // namespace openalb
