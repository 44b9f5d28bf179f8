// `openalb keys create|list|delete|enable|disable`: AccessKeys of an account's root or of
// its RAM users. A secret is printed once, when its key is created.
#include <cstdio>

#include "auth/credential_factory.h"
#include "server/cli_support.h"
#include "server/commands.h"

namespace openalb {

int RunKeysCreate(const KeysOptions& options) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto account_id = ResolveAccount(**store, options.account_id);
  if (!account_id) return ReportError(account_id.error());
  if (!options.user_name.empty()) {
    auto user = InTransaction<std::optional<RamUser>>(**store, TxMode::kRead, [&](StoreTx& tx) {
      return tx.FindUser(*account_id, options.user_name);
    });
    if (!user) return ReportError(user.error());
    if (!*user) {
      return ReportError("no RAM user " + options.user_name + " in account " + *account_id);
    }
  }
  auto sealing_key = OpenDataDirSecretKey(options.data_dir);
  if (!sealing_key) return ReportError(sealing_key.error());
  SystemClock clock;
  SecureRandom random;
  SecretBox box(*sealing_key, random);
  CredentialFactory factory(**store, box, random, clock);
  auto key = factory.CreateAccessKey(*account_id, options.user_name);
  if (!key) return ReportError(key.error());
  std::printf("AccountId:       %s\n", key->account_id.c_str());
  if (!key->user_name.empty()) std::printf("UserName:        %s\n", key->user_name.c_str());
  std::printf("AccessKeyId:     %s\nAccessKeySecret: %s\n", key->access_key_id.c_str(),
              key->secret.c_str());
  return 0;
}

int RunKeysList(const KeysOptions& options) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto keys = (*store)->ListAccessKeys();
  if (!keys) return ReportError(keys.error());
  std::printf("%-24s  %-16s  %-16s  %-8s  %s\n", "AccessKeyId", "AccountId", "UserName", "Status",
              "CreateTime");
  for (const auto& key : *keys) {
    std::printf("%-24s  %-16s  %-16s  %-8s  %s\n", key.access_key_id.c_str(),
                key.account_id.c_str(), key.user_name.empty() ? "(root)" : key.user_name.c_str(),
                key.active ? "Active" : "Inactive", key.created_at.c_str());
  }
  return 0;
}

int RunKeysDelete(const KeysOptions& options) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto deleted = (*store)->DeleteAccessKey(options.access_key_id);
  if (!deleted) return ReportError(deleted.error());
  if (!*deleted) {
    std::fprintf(stderr, "openalb: no AccessKey %s\n", options.access_key_id.c_str());
    return 1;
  }
  std::printf("deleted %s\n", options.access_key_id.c_str());
  return 0;
}

int RunKeysSetActive(const KeysOptions& options, bool active) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto changed = (*store)->SetAccessKeyActive(options.access_key_id, active);
  if (!changed) return ReportError(changed.error());
  if (!*changed) {
    std::fprintf(stderr, "openalb: no AccessKey %s\n", options.access_key_id.c_str());
    return 1;
  }
  std::printf("%s %s\n", active ? "enabled" : "disabled", options.access_key_id.c_str());
  return 0;
}

}  // namespace openalb
