// The subcommands of the openalb binary. Each returns the process exit code.
#pragma once

#include <cstdint>
#include <string>

#include "server/config.h"

namespace openalb {

// Runs the server until SIGINT or SIGTERM.
int RunServe(const ServerConfig& config);

struct KeysOptions {
  std::string data_dir;
  std::string store;          // a postgres:// URL, or empty for the data directory's SQLite file
  std::string account_id;     // for create; empty = the first account
  std::string user_name;      // for create: a RAM user's key; empty = the root's
  std::string access_key_id;  // for delete / enable / disable
};

int RunKeysCreate(const KeysOptions& options);
int RunKeysList(const KeysOptions& options);
int RunKeysDelete(const KeysOptions& options);
int RunKeysSetActive(const KeysOptions& options, bool active);

// `openalb accounts|users|policies|audit`: accounts, their RAM users, custom policies and
// their attachments, and the audit log (server/identity_commands.cc).
struct IdentityOptions {
  std::string data_dir;
  std::string store;
  std::string account_id;     // empty = the first account (accounts create: unused)
  std::string name;           // the account, user or policy named by the command
  std::string user_name;      // policies attach / detach
  std::string policy_name;    // policies attach / detach
  std::string document_file;  // policies create / update; "-" reads stdin
  std::int64_t after = 0;     // audit: entries after this sequence number
  int limit = 100;            // audit: at most this many
  bool json = false;          // audit: one JSON object per line
};

int RunAccountsCreate(const IdentityOptions& options);
int RunAccountsList(const IdentityOptions& options);
int RunUsersCreate(const IdentityOptions& options);
int RunUsersList(const IdentityOptions& options);
int RunUsersDelete(const IdentityOptions& options);
int RunPoliciesCreate(const IdentityOptions& options);
int RunPoliciesUpdate(const IdentityOptions& options);
int RunPoliciesList(const IdentityOptions& options);
int RunPoliciesShow(const IdentityOptions& options);
int RunPoliciesDelete(const IdentityOptions& options);
int RunPoliciesAttach(const IdentityOptions& options);
int RunPoliciesDetach(const IdentityOptions& options);
int RunAuditList(const IdentityOptions& options);

struct CertsOptions {
  std::string data_dir;
  std::string store;
  std::string region_id;
  std::string account_id;   // empty = the first account
  std::string name;         // for import
  std::string cert_file;    // PEM chain, leaf first
  std::string key_file;     // PEM private key
  std::string certificate;  // for delete: "<number>-<region>" or the number
};

int RunCertsImport(const CertsOptions& options);

// `openalb store copy --from DATA_DIR --to postgres://…` (server/store_command.cc).
struct StoreCopyOptions {
  std::string from;  // a data directory whose SQLite file is copied
  std::string to;    // an empty PostgreSQL database
};

int RunStoreCopy(const StoreCopyOptions& options);

// `openalb nodes` (server/nodes_command.cc).
struct NodesOptions {
  std::string data_dir;
  std::string store;
  std::int64_t lease_ms = 5000;  // as the servers' --node-lease
};

int RunNodesList(const NodesOptions& options);

// `openalb top`: the admin address's /metrics as a live terminal view (server/top_command.cc).
struct TopOptions {
  std::string admin = "127.0.0.1:9901";  // the server's --admin-listen
  std::string token;                     // its --admin-token, if it has one
  std::int64_t interval_ms = 2000;
  bool once = false;  // print one frame (rates over one interval) and exit
};

int RunTop(const TopOptions& options);
int RunCertsList(const CertsOptions& options);
int RunCertsDelete(const CertsOptions& options);

}  // namespace openalb
