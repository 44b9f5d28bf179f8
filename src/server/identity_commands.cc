// `openalb accounts|users|policies|audit`: several accounts on one server, RAM users with
// their own AccessKeys, custom policies (validated before they are stored, so a malformed
// one is refused here with the element at fault named) attached to users, and the audit
// log of mutating requests. A running server picks changes up within a second.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "auth/credential_factory.h"
#include "auth/ram_policy.h"
#include "core/time_format.h"
#include "server/cli_support.h"
#include "server/commands.h"

namespace openalb {
namespace {

// RAM's own rules: user names 1–64 of letters, digits and . _ - @; policy names 1–128 of
// letters, digits and -.
bool ValidName(const std::string& name, size_t max, std::string_view extra) {
  if (name.empty() || name.size() > max) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && extra.find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool ValidUserName(const std::string& name) { return ValidName(name, 64, "._-@"); }
bool ValidPolicyName(const std::string& name) { return ValidName(name, 128, "-"); }

Result<std::string> ReadDocument(const std::string& file) {
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail(ApiError{"NoFile", 1, "cannot read " + file, {}});
    text << in.rdbuf();
  }
  return text.str();
}

// The document, validated: InvalidParameter naming what is wrong.
Result<std::string> ValidDocument(const std::string& file) {
  auto document = ReadDocument(file);
  if (!document) return Fail(document.error());
  auto policy = RamPolicy::Parse(*document);
  if (!policy) {
    return Fail(ApiError{
        "InvalidPolicy", 1, "the policy document is not valid: " + policy.error().message, {}});
  }
  return document;
}

// Opens the store, resolves the account and runs `body` in one write transaction.
int InAccount(const IdentityOptions& options, TxMode mode,
              const std::function<Result<void>(StoreTx&, const std::string&)>& body) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto account_id = ResolveAccount(**store, options.account_id);
  if (!account_id) return ReportError(account_id.error());
  auto done = (*store)->Transact(mode, [&](StoreTx& tx) { return body(tx, *account_id); });
  return done ? 0 : ReportError(done.error());
}

ApiError Refused(std::string message) { return ApiError{"Refused", 1, std::move(message), {}}; }

Result<void> RequireUser(StoreTx& tx, const std::string& account_id, const std::string& name) {
  auto user = tx.FindUser(account_id, name);
  if (!user) return Fail(user.error());
  if (!*user) return Fail(Refused("no RAM user " + name + " in account " + account_id));
  return {};
}

Result<StoredPolicy> RequirePolicy(StoreTx& tx, const std::string& account_id,
                                   const std::string& name) {
  auto policy = tx.FindPolicy(account_id, name);
  if (!policy) return Fail(policy.error());
  if (!*policy) return Fail(Refused("no policy " + name + " in account " + account_id));
  return **policy;
}

std::string Now() { return FormatIso8601(SystemClock().Now()); }

}  // namespace

int RunAccountsCreate(const IdentityOptions& options) {
  if (options.name.empty() || options.name.size() > 64) {
    return ReportError("an account name has 1 to 64 characters");
  }
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto key = OpenDataDirSecretKey(options.data_dir);
  if (!key) return ReportError(key.error());
  SystemClock clock;
  SecureRandom random;
  SecretBox box(*key, random);
  CredentialFactory factory(**store, box, random, clock);
  auto created = factory.CreateAccount(options.name);
  if (!created) return ReportError(created.error());
  std::printf("AccountId:       %s\nAccessKeyId:     %s\nAccessKeySecret: %s\n",
              created->account.account_id.c_str(), created->root_key.access_key_id.c_str(),
              created->root_key.secret.c_str());
  return 0;
}

int RunAccountsList(const IdentityOptions& options) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto accounts = (*store)->ListAccounts();
  if (!accounts) return ReportError(accounts.error());
  std::printf("%-16s  %-24s  %s\n", "AccountId", "Name", "CreateTime");
  for (const auto& a : *accounts) {
    std::printf("%-16s  %-24s  %s\n", a.account_id.c_str(), a.name.c_str(), a.created_at.c_str());
  }
  return 0;
}

int RunUsersCreate(const IdentityOptions& options) {
  if (!ValidUserName(options.name)) {
    return ReportError("a user name has 1 to 64 letters, digits, '.', '_', '-' or '@'");
  }
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    auto existing = tx.FindUser(account_id, options.name);
    if (!existing) return Result<void>(Fail(existing.error()));
    if (*existing) return Result<void>(Fail(Refused("RAM user " + options.name + " exists")));
    if (auto r = tx.InsertUser({account_id, options.name, Now()}); !r) return r;
    std::printf("created RAM user %s in account %s\n", options.name.c_str(), account_id.c_str());
    return Result<void>{};
  });
}

int RunUsersList(const IdentityOptions& options) {
  return InAccount(options, TxMode::kRead, [&](StoreTx& tx, const std::string& account_id) {
    auto users = tx.ListUsers(account_id);
    if (!users) return Result<void>(Fail(users.error()));
    auto attachments = tx.ListPolicyAttachments(account_id);
    if (!attachments) return Result<void>(Fail(attachments.error()));
    std::printf("%-24s  %-22s  %s\n", "UserName", "CreateTime", "Policies");
    for (const auto& u : *users) {
      std::string policies;
      for (const auto& a : *attachments) {
        if (a.user_name != u.user_name) continue;
        policies += (policies.empty() ? "" : ",") + a.policy_name;
      }
      std::printf("%-24s  %-22s  %s\n", u.user_name.c_str(), u.created_at.c_str(),
                  policies.c_str());
    }
    return Result<void>{};
  });
}

int RunUsersDelete(const IdentityOptions& options) {
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    if (auto r = RequireUser(tx, account_id, options.name); !r) return r;
    if (auto r = tx.DeleteUser(account_id, options.name); !r) return r;
    std::printf("deleted RAM user %s, its AccessKeys and its policy attachments\n",
                options.name.c_str());
    return Result<void>{};
  });
}

int RunPoliciesCreate(const IdentityOptions& options) {
  if (!ValidPolicyName(options.name)) {
    return ReportError("a policy name has 1 to 128 letters, digits or '-'");
  }
  auto document = ValidDocument(options.document_file);
  if (!document) return ReportError(document.error());
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    auto existing = tx.FindPolicy(account_id, options.name);
    if (!existing) return Result<void>(Fail(existing.error()));
    if (*existing) return Result<void>(Fail(Refused("policy " + options.name + " exists")));
    if (auto r = tx.InsertPolicy({account_id, options.name, *document, Now()}); !r) return r;
    std::printf("created policy %s in account %s\n", options.name.c_str(), account_id.c_str());
    return Result<void>{};
  });
}

int RunPoliciesUpdate(const IdentityOptions& options) {
  auto document = ValidDocument(options.document_file);
  if (!document) return ReportError(document.error());
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    auto policy = RequirePolicy(tx, account_id, options.name);
    if (!policy) return Result<void>(Fail(policy.error()));
    // Replaced in place: attachments keep pointing at it by name.
    auto attachments = tx.ListPolicyAttachments(account_id);
    if (!attachments) return Result<void>(Fail(attachments.error()));
    std::vector<PolicyAttachment> kept;
    for (const auto& a : *attachments) {
      if (a.policy_name == options.name) kept.push_back(a);
    }
    for (const auto& a : kept) {
      if (auto r = tx.DeletePolicyAttachment(a); !r) return Result<void>(Fail(r.error()));
    }
    if (auto r = tx.DeletePolicy(account_id, options.name); !r) return r;
    if (auto r = tx.InsertPolicy({account_id, options.name, *document, policy->created_at}); !r) {
      return r;
    }
    for (const auto& a : kept) {
      if (auto r = tx.InsertPolicyAttachment(a); !r) return r;
    }
    std::printf("updated policy %s\n", options.name.c_str());
    return Result<void>{};
  });
}

int RunPoliciesList(const IdentityOptions& options) {
  return InAccount(options, TxMode::kRead, [&](StoreTx& tx, const std::string& account_id) {
    auto policies = tx.ListPolicies(account_id);
    if (!policies) return Result<void>(Fail(policies.error()));
    std::printf("%-32s  %s\n", "PolicyName", "CreateTime");
    for (const auto& p : *policies) {
      std::printf("%-32s  %s\n", p.policy_name.c_str(), p.created_at.c_str());
    }
    return Result<void>{};
  });
}

int RunPoliciesShow(const IdentityOptions& options) {
  return InAccount(options, TxMode::kRead, [&](StoreTx& tx, const std::string& account_id) {
    auto policy = RequirePolicy(tx, account_id, options.name);
    if (!policy) return Result<void>(Fail(policy.error()));
    std::printf("%s\n", policy->document.c_str());
    return Result<void>{};
  });
}

int RunPoliciesDelete(const IdentityOptions& options) {
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    if (auto p = RequirePolicy(tx, account_id, options.name); !p) {
      return Result<void>(Fail(p.error()));
    }
    auto attachments = tx.ListPolicyAttachments(account_id);
    if (!attachments) return Result<void>(Fail(attachments.error()));
    for (const auto& a : *attachments) {
      if (a.policy_name == options.name) {
        return Result<void>(Fail(Refused("policy " + options.name + " is attached to user " +
                                         a.user_name + "; detach it first")));
      }
    }
    if (auto r = tx.DeletePolicy(account_id, options.name); !r) return r;
    std::printf("deleted policy %s\n", options.name.c_str());
    return Result<void>{};
  });
}

int RunPoliciesAttach(const IdentityOptions& options) {
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    if (auto r = RequireUser(tx, account_id, options.user_name); !r) return r;
    if (auto p = RequirePolicy(tx, account_id, options.policy_name); !p) {
      return Result<void>(Fail(p.error()));
    }
    PolicyAttachment attachment{account_id, options.policy_name, options.user_name};
    auto attachments = tx.ListPolicyAttachments(account_id);
    if (!attachments) return Result<void>(Fail(attachments.error()));
    for (const auto& a : *attachments) {
      if (a.policy_name == attachment.policy_name && a.user_name == attachment.user_name) {
        return Result<void>(Fail(Refused("policy " + options.policy_name +
                                         " is already attached to " + options.user_name)));
      }
    }
    if (auto r = tx.InsertPolicyAttachment(attachment); !r) return r;
    std::printf("attached policy %s to RAM user %s\n", options.policy_name.c_str(),
                options.user_name.c_str());
    return Result<void>{};
  });
}

int RunPoliciesDetach(const IdentityOptions& options) {
  return InAccount(options, TxMode::kWrite, [&](StoreTx& tx, const std::string& account_id) {
    auto removed = tx.DeletePolicyAttachment({account_id, options.policy_name, options.user_name});
    if (!removed) return Result<void>(Fail(removed.error()));
    if (!*removed) {
      return Result<void>(Fail(
          Refused("policy " + options.policy_name + " is not attached to " + options.user_name)));
    }
    std::printf("detached policy %s from RAM user %s\n", options.policy_name.c_str(),
                options.user_name.c_str());
    return Result<void>{};
  });
}

int RunAuditList(const IdentityOptions& options) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  std::string account_id;
  if (!options.account_id.empty()) {
    auto resolved = ResolveAccount(**store, options.account_id);
    if (!resolved) return ReportError(resolved.error());
    account_id = *resolved;
  }
  auto entries = InTransaction<std::vector<AuditEntry>>(**store, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListAuditEntries(account_id, options.after, options.limit);
  });
  if (!entries) return ReportError(entries.error());
  for (const auto& e : *entries) {
    if (options.json) {
      nlohmann::json line = {{"Seq", e.seq},
                             {"Time", e.time},
                             {"RequestId", e.request_id},
                             {"AccountId", e.account_id},
                             {"UserName", e.user_name},
                             {"AccessKeyId", e.access_key_id},
                             {"Action", e.action},
                             {"Resource", e.resource},
                             {"SourceIp", e.source_ip},
                             {"Result", e.result},
                             {"Code", e.code}};
      std::printf("%s\n", line.dump().c_str());
    } else {
      std::printf("%lld %s %s %s %s %s %s %s %s\n", static_cast<long long>(e.seq), e.time.c_str(),
                  e.request_id.c_str(), e.account_id.c_str(),
                  e.user_name.empty() ? "(root)" : e.user_name.c_str(), e.action.c_str(),
                  e.resource.c_str(), e.result.c_str(), e.code.empty() ? "-" : e.code.c_str());
    }
  }
  return 0;
}

}  // namespace openalb
