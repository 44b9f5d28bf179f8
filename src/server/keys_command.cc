#include <cstdio>

#include "auth/credential_factory.h"
#include "server/commands.h"
#include "server/data_dir.h"
#include "store/sqlite/sqlite_store.h"

namespace openalb {
namespace {

int Report(const ApiError& e) {
  std::fprintf(stderr, "openalb: %s\n", (e.internal.empty() ? e.message : e.internal).c_str());
  return 1;
}

Result<std::unique_ptr<SqliteStore>> OpenStore(const std::string& data_dir) {
  DataDirPaths paths{data_dir};
  if (auto r = EnsureDataDir(paths); !r) return Fail(r.error());
  return SqliteStore::Create(paths.database());
}

}  // namespace

int RunKeysCreate(const KeysOptions& options) {
  auto store = OpenStore(options.data_dir);
  if (!store) return Report(store.error());
  std::string account_id = options.account_id;
  if (account_id.empty()) {
    auto accounts = (*store)->ListAccounts();
    if (!accounts) return Report(accounts.error());
    if (accounts->empty()) {
      std::fprintf(stderr, "openalb: no account yet; start `openalb serve` once first\n");
      return 1;
    }
    account_id = accounts->front().account_id;
  }
  SystemClock clock;
  SecureRandom random;
  CredentialFactory factory(**store, random, clock);
  auto key = factory.CreateAccessKey(account_id);
  if (!key) {
    std::fprintf(stderr, "openalb: cannot create a key for account %s (does it exist?)\n",
                 account_id.c_str());
    return 1;
  }
  std::printf("AccountId:       %s\nAccessKeyId:     %s\nAccessKeySecret: %s\n",
              key->account_id.c_str(), key->access_key_id.c_str(), key->secret.c_str());
  return 0;
}

int RunKeysList(const KeysOptions& options) {
  auto store = OpenStore(options.data_dir);
  if (!store) return Report(store.error());
  auto keys = (*store)->ListAccessKeys();
  if (!keys) return Report(keys.error());
  std::printf("%-24s  %-16s  %-8s  %s\n", "AccessKeyId", "AccountId", "Status", "CreateTime");
  for (const auto& key : *keys) {
    std::printf("%-24s  %-16s  %-8s  %s\n", key.access_key_id.c_str(), key.account_id.c_str(),
                key.active ? "Active" : "Inactive", key.created_at.c_str());
  }
  return 0;
}

int RunKeysDelete(const KeysOptions& options) {
  auto store = OpenStore(options.data_dir);
  if (!store) return Report(store.error());
  auto deleted = (*store)->DeleteAccessKey(options.access_key_id);
  if (!deleted) return Report(deleted.error());
  if (!*deleted) {
    std::fprintf(stderr, "openalb: no AccessKey %s\n", options.access_key_id.c_str());
    return 1;
  }
  std::printf("deleted %s\n", options.access_key_id.c_str());
  return 0;
}

int RunKeysSetActive(const KeysOptions& options, bool active) {
  auto store = OpenStore(options.data_dir);
  if (!store) return Report(store.error());
  auto changed = (*store)->SetAccessKeyActive(options.access_key_id, active);
  if (!changed) return Report(changed.error());
  if (!*changed) {
    std::fprintf(stderr, "openalb: no AccessKey %s\n", options.access_key_id.c_str());
    return 1;
  }
  std::printf("%s %s\n", active ? "enabled" : "disabled", options.access_key_id.c_str());
  return 0;
}

}  // namespace openalb
