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

}  // namespace openalb
