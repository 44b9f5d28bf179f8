// openalb: a self-hosted application load balancer with the Alibaba Cloud ALB OpenAPI.
// This file only wires the command line to the subcommands in server/commands.h.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "server/commands.h"
#include "server/config.h"

namespace {
constexpr const char* kStoreHelp =
    "The store: a postgres:// URL, or sqlite (default: the data directory's file)";
}  // namespace

int main(int argc, char** argv) {
  using namespace openalb;
  CLI::App app{"openalb — a self-hosted load balancer speaking the Alibaba Cloud ALB OpenAPI"};
  app.set_version_flag("--version", std::string("openalb ") + OPENALB_VERSION +
                                        " (Alibaba Cloud ALB OpenAPI 2020-06-16)");
  app.require_subcommand(1);

  ServerConfig config;
  std::string config_path = FindConfigPath(argc, argv);
  if (!config_path.empty()) {
    if (auto r = ApplyTomlFile(config_path, config); !r) {
      std::fprintf(stderr, "openalb: %s\n", r.error().message.c_str());
      return 2;
    }
  }
  auto* serve = app.add_subcommand("serve", "Run the OpenAPI endpoint and the load balancer");
  serve->add_option("--config", config_path, "TOML config file")->envname("OPENALB_CONFIG");
  AddServeOptions(*serve, config);

  KeysOptions keys_options;
  keys_options.data_dir = config.data_dir;
  keys_options.store = config.store;
  auto* keys = app.add_subcommand("keys", "Manage AccessKeys");
  keys->require_subcommand(1);
  keys->add_option("--data-dir", keys_options.data_dir, "Data directory")
      ->envname("OPENALB_DATA_DIR")
      ->capture_default_str();
  keys->add_option("--store", keys_options.store, kStoreHelp)->envname("OPENALB_STORE");
  auto* create = keys->add_subcommand("create", "Create an AccessKey and print its secret once");
  create->add_option("--account", keys_options.account_id, "Account id (default: the first)");
  create->add_option("--user", keys_options.user_name, "RAM user (default: the account's root)");
  auto* list = keys->add_subcommand("list", "List AccessKeys (never their secrets)");
  auto* remove = keys->add_subcommand("delete", "Delete an AccessKey");
  remove->add_option("access_key_id", keys_options.access_key_id)->required();
  auto* disable = keys->add_subcommand("disable", "Disable an AccessKey");
  disable->add_option("access_key_id", keys_options.access_key_id)->required();
  auto* enable = keys->add_subcommand("enable", "Enable a disabled AccessKey");
  enable->add_option("access_key_id", keys_options.access_key_id)->required();

  // `openalb keys create --data-dir D` and `openalb keys --data-dir D create` both work.
  for (auto* sub : {create, list, remove, disable, enable}) sub->fallthrough();

  IdentityOptions identity;
  identity.data_dir = config.data_dir;
  identity.store = config.store;
  // A command group with a --data-dir (and, except for accounts, --account) of its own.
  auto group = [&](const char* name, const char* about, bool per_account) {
    auto* sub = app.add_subcommand(name, about);
    sub->require_subcommand(1);
    sub->add_option("--data-dir", identity.data_dir, "Data directory")
        ->envname("OPENALB_DATA_DIR")
        ->capture_default_str();
    sub->add_option("--store", identity.store, kStoreHelp)->envname("OPENALB_STORE");
    if (per_account) {
      sub->add_option("--account", identity.account_id, "Account id (default: the first)");
    }
    return sub;
  };
  auto leaf = [](CLI::App* parent, const char* name, const char* about) {
    auto* sub = parent->add_subcommand(name, about);
    sub->fallthrough();
    return sub;
  };
  auto* accounts = group("accounts", "Manage accounts (each with its own resources)", false);
  auto* accounts_create = leaf(accounts, "create", "Create an account and its root AccessKey");
  accounts_create->add_option("name", identity.name)->required();
  auto* accounts_list = leaf(accounts, "list", "List accounts");

  auto* users = group("users", "Manage RAM users of an account", true);
  auto* users_create = leaf(users, "create", "Create a RAM user (then: keys create --user)");
  users_create->add_option("name", identity.name)->required();
  auto* users_list = leaf(users, "list", "List RAM users and their policies");
  auto* users_delete = leaf(users, "delete", "Delete a RAM user, its keys and attachments");
  users_delete->add_option("name", identity.name)->required();

  auto* policies = group("policies", "Manage RAM policies of an account", true);
  auto* policies_create = leaf(policies, "create", "Create a policy from a JSON document");
  policies_create->add_option("name", identity.name)->required();
  policies_create->add_option("--document", identity.document_file, "Policy file, - for stdin")
      ->required();
  auto* policies_update = leaf(policies, "update", "Replace a policy's document");
  policies_update->add_option("name", identity.name)->required();
  policies_update->add_option("--document", identity.document_file, "Policy file, - for stdin")
      ->required();
  auto* policies_list = leaf(policies, "list", "List policies");
  auto* policies_show = leaf(policies, "show", "Print a policy's document");
  policies_show->add_option("name", identity.name)->required();
  auto* policies_delete = leaf(policies, "delete", "Delete a policy attached to nobody");
  policies_delete->add_option("name", identity.name)->required();
  auto* policies_attach = leaf(policies, "attach", "Attach a policy to a RAM user");
  auto* policies_detach = leaf(policies, "detach", "Detach a policy from a RAM user");
  for (auto* sub : {policies_attach, policies_detach}) {
    sub->add_option("--policy", identity.policy_name, "Policy name")->required();
    sub->add_option("--user", identity.user_name, "RAM user name")->required();
  }

  auto* audit = app.add_subcommand("audit", "Print the audit log of mutating requests");
  audit->add_option("--store", identity.store, kStoreHelp)->envname("OPENALB_STORE");
  audit->add_option("--data-dir", identity.data_dir, "Data directory")
      ->envname("OPENALB_DATA_DIR")
      ->capture_default_str();
  audit->add_option("--account", identity.account_id, "Only this account's entries");
  audit->add_option("--after", identity.after, "Only entries after this sequence number");
  audit->add_option("--limit", identity.limit, "At most this many entries")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  audit->add_flag("--json", identity.json, "One JSON object per line");

  CertsOptions certs_options;
  certs_options.data_dir = config.data_dir;
  certs_options.store = config.store;
  certs_options.region_id = config.region_id;
  auto* certs = app.add_subcommand("certs", "Manage certificates (private keys are never shown)");
  certs->require_subcommand(1);
  certs->add_option("--data-dir", certs_options.data_dir, "Data directory")
      ->envname("OPENALB_DATA_DIR")
      ->capture_default_str();
  certs->add_option("--store", certs_options.store, kStoreHelp)->envname("OPENALB_STORE");
  certs->add_option("--region", certs_options.region_id, "Region id of the server")
      ->envname("OPENALB_REGION")
      ->capture_default_str();
  certs->add_option("--account", certs_options.account_id, "Account id (default: the first)");
  auto* import = certs->add_subcommand("import", "Import a PEM certificate chain and its key");
  import->add_option("--name", certs_options.name, "Certificate name")->required();
  import->add_option("--cert", certs_options.cert_file, "PEM chain file, leaf first")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_option("--key", certs_options.key_file, "PEM private key file")
      ->required()
      ->check(CLI::ExistingFile);
  auto* certs_list = certs->add_subcommand("list", "List certificates");
  auto* certs_delete = certs->add_subcommand("delete", "Delete a certificate no listener serves");
  certs_delete->add_option("certificate", certs_options.certificate, "<number>-<region> or number")
      ->required();
  for (auto* sub : {import, certs_list, certs_delete}) sub->fallthrough();

  StoreCopyOptions copy_options;
  auto* store = app.add_subcommand("store", "Move an installation between stores");
  store->require_subcommand(1);
  auto* store_copy = store->add_subcommand(
      "copy", "Copy a data directory's SQLite store into an empty PostgreSQL database");
  store_copy->add_option("--from", copy_options.from, "Data directory to copy")->required();
  store_copy->add_option("--to", copy_options.to, "postgres:// URL of an empty database")
      ->required();

  NodesOptions nodes_options;
  nodes_options.data_dir = config.data_dir;
  nodes_options.store = config.store;
  nodes_options.lease_ms = config.node_lease_ms;
  auto* nodes = app.add_subcommand(
      "nodes", "List the nodes sharing the store: roles, applied version, lag, heartbeat");
  nodes->add_option("--store", nodes_options.store, kStoreHelp)->envname("OPENALB_STORE");
  nodes->add_option("--data-dir", nodes_options.data_dir, "Data directory")
      ->envname("OPENALB_DATA_DIR")
      ->capture_default_str();

  TopOptions top_options;
  auto* top = app.add_subcommand(
      "top", "Watch a running server: per-listener rates, latency, health (its /metrics)");
  top->add_option("--admin", top_options.admin, "The server's admin address (host:port)")
      ->envname("OPENALB_ADMIN_LISTEN")
      ->capture_default_str();
  top->add_option("--admin-token", top_options.token, "The server's admin token, if it has one")
      ->envname("OPENALB_ADMIN_TOKEN");
  top->add_option_function<std::string>(
         "--interval",
         [&top_options](const std::string& value) {
           auto ms = ParseDurationMs(value);
           if (!ms || *ms < 100) {
             throw CLI::ValidationError("--interval", "a duration of at least 100ms, e.g. 2s");
           }
           top_options.interval_ms = *ms;
         },
         "How often to refresh (default 2s)")
      ->envname("OPENALB_TOP_INTERVAL");
  top->add_flag("--once", top_options.once, "Print one frame and exit (for scripts)");

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return RunServe(config);
  if (create->parsed()) return RunKeysCreate(keys_options);
  if (list->parsed()) return RunKeysList(keys_options);
  if (remove->parsed()) return RunKeysDelete(keys_options);
  if (disable->parsed()) return RunKeysSetActive(keys_options, false);
  if (enable->parsed()) return RunKeysSetActive(keys_options, true);
  if (accounts_create->parsed()) return RunAccountsCreate(identity);
  if (accounts_list->parsed()) return RunAccountsList(identity);
  if (users_create->parsed()) return RunUsersCreate(identity);
  if (users_list->parsed()) return RunUsersList(identity);
  if (users_delete->parsed()) return RunUsersDelete(identity);
  if (policies_create->parsed()) return RunPoliciesCreate(identity);
  if (policies_update->parsed()) return RunPoliciesUpdate(identity);
  if (policies_list->parsed()) return RunPoliciesList(identity);
  if (policies_show->parsed()) return RunPoliciesShow(identity);
  if (policies_delete->parsed()) return RunPoliciesDelete(identity);
  if (policies_attach->parsed()) return RunPoliciesAttach(identity);
  if (policies_detach->parsed()) return RunPoliciesDetach(identity);
  if (audit->parsed()) return RunAuditList(identity);
  if (import->parsed()) return RunCertsImport(certs_options);
  if (certs_list->parsed()) return RunCertsList(certs_options);
  if (certs_delete->parsed()) return RunCertsDelete(certs_options);
  if (store_copy->parsed()) return RunStoreCopy(copy_options);
  if (nodes->parsed()) return RunNodesList(nodes_options);
  if (top->parsed()) return RunTop(top_options);
  return 0;
}
