// The subcommands of the openalb binary. Each returns the process exit code.
#pragma once

#include <string>

#include "server/config.h"

namespace openalb {

// Runs the server until SIGINT or SIGTERM.
int RunServe(const ServerConfig& config);

struct KeysOptions {
  std::string data_dir;
  std::string account_id;     // for create; empty = the first account
  std::string access_key_id;  // for delete / enable / disable
};

int RunKeysCreate(const KeysOptions& options);
int RunKeysList(const KeysOptions& options);
int RunKeysDelete(const KeysOptions& options);
int RunKeysSetActive(const KeysOptions& options, bool active);

struct CertsOptions {
  std::string data_dir;
  std::string region_id;
  std::string account_id;   // empty = the first account
  std::string name;         // for import
  std::string cert_file;    // PEM chain, leaf first
  std::string key_file;     // PEM private key
  std::string certificate;  // for delete: "<number>-<region>" or the number
};

int RunCertsImport(const CertsOptions& options);
int RunCertsList(const CertsOptions& options);
int RunCertsDelete(const CertsOptions& options);

}  // namespace openalb
