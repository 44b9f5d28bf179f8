#include "server/config.h"

#include <set>

#include <toml++/toml.h>

#include "core/backend_address_policy.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string_view>

namespace openalb {
namespace {

ApiError ConfigError(std::string message) {
  return ApiError{"InvalidParameter", 400, message, std::move(message)};
}

}  // namespace

Result<std::int64_t> ParseDurationMs(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  if (ec == std::errc() && unit.empty() && value != 0) {
    // "2" could mean 2 ms or 2 s; guessing wrong is a silent thousandfold error.
    return Fail(ConfigError("duration " + std::string(text) + " has no unit: write " +
                            std::string(text) + "s or " + std::string(text) + "ms"));
  }
  std::int64_t scale = unit.empty() || unit == "ms" ? 1
                       : unit == "s"                ? 1000
                       : unit == "m"                ? 60'000
                                                    : 0;
  constexpr std::int64_t kMaxMs = 24LL * 3600 * 1000;
  if (ec != std::errc() || value < 0 || scale == 0 || value > kMaxMs / scale) {
    return Fail(ConfigError("duration " + std::string(text) +
                            " is not a number with ms, s or m, up to one day"));
  }
  return value * scale;
}

namespace {

// The TOML key a mistyped or flag-shaped one most likely meant, if any.
std::string_view SuggestSetting(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"region", "region_id"},
      {"region-id", "region_id"},
      {"address", "listen"},
      {"port", "listen"},
      {"bind", "listen"},
      {"listen_address", "listen"},
      {"data-dir", "data_dir"},
      {"datadir", "data_dir"},
      {"tls-cert", "tls_cert"},
      {"tls-key", "tls_key"},
      {"cert", "tls_cert"},
      {"key", "tls_key"},
      {"log-level", "log_level"},
      {"loglevel", "log_level"},
      {"access-log", "access_log"},
      {"dataplane-access-log", "dataplane_access_log"},
      {"job-delay", "job_delay"},
      {"listener-address", "listener_address"},
      {"listener-port-offset", "listener_port_offset"},
      {"port_offset", "listener_port_offset"},
      {"dataplane-threads", "dataplane_threads"},
      {"dataplane-metrics", "dataplane_metrics"},
      {"tls-context-cache", "tls_context_cache"},
      {"backend-allow", "backend_allow"},
      {"backend-deny", "backend_deny"},
      {"node-id", "node_id"},
      {"node-lease", "node_lease"},
      {"admin-listen", "admin_listen"},
      {"admin-token", "admin_token"},
  };
  for (const auto& [alias, key] : kAliases) {
    if (alias == name) return key;
  }
  return {};
}

}  // namespace

Result<void> ValidateServeConfig(const ServerConfig& config) {
  static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                 "error", "critical", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), config.log_level) == std::end(kLevels)) {
    return Fail(ConfigError("--log-level " + config.log_level +
                            " is not one of trace, debug, info, warn, error, critical, off"));
  }
  if (config.dataplane_metrics != "on" && config.dataplane_metrics != "off") {
    return Fail(
        ConfigError("--dataplane-metrics " + config.dataplane_metrics + " is neither on nor off"));
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Fail(ConfigError(config.tls_cert.empty()
                                ? "--tls-key is set without --tls-cert: give both (PEM files) "
                                  "for HTTPS on --listen, or neither"
                                : "--tls-cert is set without --tls-key: give both (PEM files) "
                                  "for HTTPS on --listen, or neither"));
  }
  {
    std::set<std::string> roles;
    for (size_t start = 0; start <= config.roles.size();) {
      size_t comma = std::min(config.roles.find(',', start), config.roles.size());
      std::string role = config.roles.substr(start, comma - start);
      if (role != "api" && role != "worker" && role != "dataplane") {
        return Fail(ConfigError("--roles takes api, worker and dataplane, comma-separated; '" +
                                role + "' is none of them"));
      }
      roles.insert(role);
      start = comma + 1;
    }
    const bool shared =
        config.store.starts_with("postgres://") || config.store.starts_with("postgresql://");
    if (roles.size() < 3 && !shared) {
      return Fail(ConfigError(
          "--roles " + config.roles +
          " leaves work to other nodes, which need a store they share: add --store postgres://…"));
    }
  }
  if (config.node_lease_ms <= 0) return Fail(ConfigError("--node-lease must be positive"));
  if (config.header_timeout_ms <= 0 || config.body_timeout_ms <= 0 || config.idle_timeout_ms <= 0) {
    return Fail(
        ConfigError("--header-timeout, --body-timeout and --idle-timeout must be positive"));
  }
  for (auto [flag, ms] : {std::pair{"handshake", config.dataplane_handshake_timeout_ms},
                          {"header", config.dataplane_header_timeout_ms},
                          {"body", config.dataplane_body_timeout_ms},
                          {"idle", config.dataplane_idle_timeout_ms},
                          {"connect", config.dataplane_connect_timeout_ms},
                          {"response", config.dataplane_response_timeout_ms}}) {
    if (ms <= 0) {
      return Fail(ConfigError("--dataplane-" + std::string(flag) + "-timeout must be positive"));
    }
  }
  if (config.tls_ticket_key_rotation_ms < 1000) {
    return Fail(ConfigError("--tls-ticket-key-rotation must be at least 1s"));
  }
  if (config.tls_context_cache < 1) {
    return Fail(ConfigError("--tls-context-cache must be at least 1"));
  }
  if (auto listen = SplitHostPort(config.listen); !listen) return Fail(listen.error());
  if (auto policy = BackendAddressPolicy::Create(config.backend_allow, config.backend_deny, {});
      !policy) {
    return Fail(ConfigError(policy.error().message));
  }
  return {};
}

Result<void> ApplyTomlFile(const std::string& path, ServerConfig& config) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Fail(ConfigError("config file " + path + ": " + std::string(e.description())));
  }
  for (const auto& [key, node] : table) {
    std::string_view name = key.str();
    auto text = [&](std::string& out) -> Result<void> {
      if (auto v = node.value<std::string>()) {
        out = *v;
        return {};
      }
      return Fail(
          ConfigError("config file " + path + ": " + std::string(name) + " must be a string"));
    };
    auto integer = [&](auto& out) -> Result<void> {
      if (auto v = node.value<int64_t>(); v && *v >= 0) {
        out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
        return {};
      }
      return Fail(ConfigError("config file " + path + ": " + std::string(name) +
                              " must be a non-negative integer"));
    };
    auto duration = [&](std::int64_t& out_ms) -> Result<void> {
      std::string value;
      if (auto r = text(value); !r) return r;
      auto ms = ParseDurationMs(value);
      if (!ms) {
        return Fail(ConfigError("config file " + path + ": " + std::string(name) + ": " +
                                ms.error().message));
      }
      out_ms = *ms;
      return {};
    };
    // An array of strings, or one string of comma-separated values (as the flag takes).
    auto string_list = [&](std::vector<std::string>& out) -> Result<void> {
      out.clear();
      if (const auto* array = node.as_array()) {
        for (const auto& item : *array) {
          auto v = item.value<std::string>();
          if (!v) {
            return Fail(ConfigError("config file " + path + ": " + std::string(name) +
                                    " must be an array of strings"));
          }
          out.push_back(*v);
        }
        return {};
      }
      std::string joined;
      if (auto r = text(joined); !r) return r;
      for (size_t start = 0; start <= joined.size();) {
        size_t comma = std::min(joined.find(',', start), joined.size());
        if (comma > start) out.push_back(joined.substr(start, comma - start));
        start = comma + 1;
      }
      return {};
    };
    Result<void> r;
    if (name == "listen")
      r = text(config.listen);
    else if (name == "data_dir")
      r = text(config.data_dir);
    else if (name == "store")
      r = text(config.store);
    else if (name == "roles")
      r = text(config.roles);
    else if (name == "node_id")
      r = text(config.node_id);
    else if (name == "node_lease")
      r = duration(config.node_lease_ms);
    else if (name == "admin_listen")
      r = text(config.admin_listen);
    else if (name == "admin_token")
      r = text(config.admin_token);
    else if (name == "region_id")
      r = text(config.region_id);
    else if (name == "region_name")
      r = text(config.region_name);
    else if (name == "tls_cert")
      r = text(config.tls_cert);
    else if (name == "tls_key")
      r = text(config.tls_key);
    else if (name == "access_log")
      r = text(config.access_log);
    else if (name == "dataplane_access_log")
      r = text(config.dataplane_access_log);
    else if (name == "dataplane_metrics")
      r = text(config.dataplane_metrics);
    else if (name == "log_level")
      r = text(config.log_level);
    else if (name == "threads")
      r = integer(config.threads);
    else if (name == "nonce_cache_entries")
      r = integer(config.nonce_cache_entries);
    else if (name == "job_delay")
      r = duration(config.job_delay_ms);
    else if (name == "header_timeout")
      r = duration(config.header_timeout_ms);
    else if (name == "body_timeout")
      r = duration(config.body_timeout_ms);
    else if (name == "idle_timeout")
      r = duration(config.idle_timeout_ms);
    else if (name == "max_connections")
      r = integer(config.max_connections);
    else if (name == "max_connections_per_client")
      r = integer(config.max_connections_per_client);
    else if (name == "quota_certificates_basic")
      r = integer(config.quota_certificates_basic);
    else if (name == "quota_certificates_standard")
      r = integer(config.quota_certificates_standard);
    else if (name == "listener_address")
      r = text(config.listener_address);
    else if (name == "listener_port_offset")
      r = integer(config.listener_port_offset);
    else if (name == "dataplane_threads")
      r = integer(config.dataplane_threads);
    else if (name == "rate_limit")
      r = integer(config.rate_limit);
    else if (name == "rate_limit_burst")
      r = integer(config.rate_limit_burst);
    else if (name == "dataplane_handshake_timeout")
      r = duration(config.dataplane_handshake_timeout_ms);
    else if (name == "dataplane_header_timeout")
      r = duration(config.dataplane_header_timeout_ms);
    else if (name == "dataplane_body_timeout")
      r = duration(config.dataplane_body_timeout_ms);
    else if (name == "dataplane_idle_timeout")
      r = duration(config.dataplane_idle_timeout_ms);
    else if (name == "dataplane_connect_timeout")
      r = duration(config.dataplane_connect_timeout_ms);
    else if (name == "dataplane_response_timeout")
      r = duration(config.dataplane_response_timeout_ms);
    else if (name == "dataplane_max_connections")
      r = integer(config.dataplane_max_connections);
    else if (name == "dataplane_max_connections_per_client")
      r = integer(config.dataplane_max_connections_per_client);
    else if (name == "dataplane_max_buffered_mib")
      r = integer(config.dataplane_max_buffered_mib);
    else if (name == "dataplane_quic_retry_above")
      r = integer(config.dataplane_quic_retry_above);
    else if (name == "tls_ticket_key_rotation")
      r = duration(config.tls_ticket_key_rotation_ms);
    else if (name == "backend_allow")
      r = string_list(config.backend_allow);
    else if (name == "zones")
      r = string_list(config.zones);
    else if (name == "backend_deny")
      r = string_list(config.backend_deny);
    else if (name == "tls_context_cache")
      r = integer(config.tls_context_cache);
    else if (auto meant = SuggestSetting(name); !meant.empty())
      r = Fail(ConfigError("config file " + path + ": unknown setting " + std::string(name) +
                           " (did you mean " + std::string(meant) + "?)"));
    else
      r = Fail(ConfigError("config file " + path + ": unknown setting " + std::string(name) +
                           " (the settings are the serve flags' names with _ for -, such as "
                           "region_id, data_dir, listen)"));
    if (!r) return r;
  }
  return {};
}

namespace {

void AddDurationOption(CLI::App& command, const std::string& flag, const std::string& env,
                       std::int64_t& out_ms, const std::string& help) {
  command
      .add_option_function<std::string>(
          flag,
          [&out_ms, flag](const std::string& value) {
            auto ms = ParseDurationMs(value);
            if (!ms) throw CLI::ValidationError(flag, ms.error().message);
            out_ms = *ms;
          },
          help)
      ->envname(env)
      ->default_str(std::to_string(out_ms) + "ms");
}

// A count that may be 0 (which each option's help says the meaning of).
void AddCountOption(CLI::App& command, const std::string& flag, const std::string& env, int& out,
                    const std::string& help) {
  command.add_option(flag, out, help)
      ->envname(env)
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

}  // namespace

void AddServeOptions(CLI::App& command, ServerConfig& config) {
  command.add_option("--listen", config.listen, "Address of the OpenAPI endpoint (host:port)")
      ->envname("OPENALB_LISTEN")
      ->capture_default_str();
  command.add_option("--data-dir", config.data_dir, "Directory holding the database and keys")
      ->envname("OPENALB_DATA_DIR")
      ->capture_default_str();
  command
      .add_option("--store", config.store,
                  "Where state lives: sqlite (the data directory's file) or a postgres:// URL "
                  "that every node of a fleet shares")
      ->envname("OPENALB_STORE");
  command
      .add_option("--roles", config.roles,
                  "What this node does: api, worker, dataplane, comma-separated (a subset needs "
                  "a postgres:// store)")
      ->envname("OPENALB_ROLES")
      ->capture_default_str();
  command
      .add_option("--node-id", config.node_id,
                  "This node's id on a shared store (default: kept in the data directory)")
      ->envname("OPENALB_NODE_ID");
  AddDurationOption(command, "--node-lease", "OPENALB_NODE_LEASE", config.node_lease_ms,
                    "A node silent this long no longer holds jobs back, and must catch up "
                    "before it serves again");
  command
      .add_option("--admin-listen", config.admin_listen,
                  "host:port for /healthz, /readyz and /metrics, off the OpenAPI port, or off "
                  "(default: 127.0.0.1:9901; if taken, the server runs without it)")
      ->envname("OPENALB_ADMIN_LISTEN");
  command
      .add_option("--admin-token", config.admin_token,
                  "Bearer token GET /metrics must present (default: none, /metrics open); "
                  "prefer the environment variable, which ps does not show")
      ->envname("OPENALB_ADMIN_TOKEN");
  command.add_option("--region", config.region_id, "Region id this server answers for")
      ->envname("OPENALB_REGION")
      ->capture_default_str();
  command.add_option("--region-name", config.region_name, "LocalName shown by DescribeRegions")
      ->envname("OPENALB_REGION_NAME")
      ->capture_default_str();
  command.add_option("--tls-cert", config.tls_cert, "PEM certificate chain for HTTPS on --listen")
      ->envname("OPENALB_TLS_CERT");
  command.add_option("--tls-key", config.tls_key, "PEM private key for HTTPS on --listen")
      ->envname("OPENALB_TLS_KEY");
  command
      .add_option(
          "--threads", config.threads,
          "I/O threads (0: four per core, so writes waiting on a commit do not idle the CPU)")
      ->envname("OPENALB_THREADS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command.add_option("--access-log", config.access_log, "Access log: stderr, off or a file path")
      ->envname("OPENALB_ACCESS_LOG")
      ->capture_default_str();
  command
      .add_option("--dataplane-access-log", config.dataplane_access_log,
                  "Where listeners of load balancers with their access log enabled write one "
                  "JSON line per request: stderr, off or a file path (reopened on SIGHUP)")
      ->envname("OPENALB_DATAPLANE_ACCESS_LOG")
      ->capture_default_str();
  command.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->envname("OPENALB_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  AddCountOption(command, "--rate-limit", "OPENALB_RATE_LIMIT", config.rate_limit,
                 "API requests per second per AccessKey, then Throttling.User (0: unlimited)");
  AddCountOption(command, "--rate-limit-burst", "OPENALB_RATE_LIMIT_BURST", config.rate_limit_burst,
                 "Requests an AccessKey may save up (0: one second's worth)");
  command
      .add_option("--nonce-cache-entries", config.nonce_cache_entries,
                  "Most signature nonces remembered at once")
      ->envname("OPENALB_NONCE_CACHE_ENTRIES")
      ->capture_default_str();
  AddDurationOption(command, "--job-delay", "OPENALB_JOB_DELAY", config.job_delay_ms,
                    "Hold each asynchronous job this long before finishing it (e.g. 2s, 500ms), "
                    "so clients can watch Configuring/Associating/Dissociating");
  AddDurationOption(command, "--header-timeout", "OPENALB_HEADER_TIMEOUT", config.header_timeout_ms,
                    "Time a client has for its TLS handshake, request line and headers");
  AddDurationOption(command, "--body-timeout", "OPENALB_BODY_TIMEOUT", config.body_timeout_ms,
                    "Time a client has for a request body once its headers are in");
  AddDurationOption(command, "--idle-timeout", "OPENALB_IDLE_TIMEOUT", config.idle_timeout_ms,
                    "How long a kept-alive connection may wait for its next request");
  AddCountOption(command, "--max-connections", "OPENALB_MAX_CONNECTIONS", config.max_connections,
                 "OpenAPI connections held at once; past it 503 and close (0: no limit)");
  AddCountOption(command, "--max-connections-per-client", "OPENALB_MAX_CONNECTIONS_PER_CLIENT",
                 config.max_connections_per_client,
                 "OpenAPI connections from one client address; past it 429 Throttling and "
                 "close (0: no limit)");
  command
      .add_option("--quota-certificates-basic", config.quota_certificates_basic,
                  "Additional certificates per Basic-edition load balancer")
      ->envname("OPENALB_QUOTA_CERTIFICATES_BASIC")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      .add_option("--quota-certificates-standard", config.quota_certificates_standard,
                  "Additional certificates per Standard or StandardWithWaf load balancer")
      ->envname("OPENALB_QUOTA_CERTIFICATES_STANDARD")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      .add_option("--listener-address", config.listener_address,
                  "Address the HTTPS listeners bind (the data plane)")
      ->envname("OPENALB_LISTENER_ADDRESS")
      ->capture_default_str();
  command
      .add_option("--listener-port-offset", config.listener_port_offset,
                  "Bind listener port N as N + offset (e.g. 8000, to run without privileges)")
      ->envname("OPENALB_LISTENER_PORT_OFFSET")
      ->check(CLI::Range(0, 65534))
      ->capture_default_str();
  command
      .add_option("--tls-context-cache", config.tls_context_cache,
                  "TLS contexts kept built at once (least recently used go first; a name "
                  "whose context is not kept gets it built by its next handshake)")
      ->envname("OPENALB_TLS_CONTEXT_CACHE")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  AddDurationOption(command, "--dataplane-handshake-timeout", "OPENALB_DATAPLANE_HANDSHAKE_TIMEOUT",
                    config.dataplane_handshake_timeout_ms,
                    "Time a listener's client has for its TLS handshake");
  AddDurationOption(command, "--dataplane-header-timeout", "OPENALB_DATAPLANE_HEADER_TIMEOUT",
                    config.dataplane_header_timeout_ms,
                    "Time a listener's client has for a request line and headers");
  AddDurationOption(command, "--dataplane-body-timeout", "OPENALB_DATAPLANE_BODY_TIMEOUT",
                    config.dataplane_body_timeout_ms,
                    "Time a listener's client has for a request body once its headers are in");
  AddDurationOption(command, "--dataplane-idle-timeout", "OPENALB_DATAPLANE_IDLE_TIMEOUT",
                    config.dataplane_idle_timeout_ms,
                    "How long a listener keeps a connection open waiting for its next request");
  AddDurationOption(command, "--dataplane-connect-timeout", "OPENALB_DATAPLANE_CONNECT_TIMEOUT",
                    config.dataplane_connect_timeout_ms,
                    "Time to connect to a server before trying another");
  AddDurationOption(command, "--dataplane-response-timeout", "OPENALB_DATAPLANE_RESPONSE_TIMEOUT",
                    config.dataplane_response_timeout_ms,
                    "Time a server has to answer a forwarded request (then 504)");
  AddCountOption(command, "--dataplane-max-connections", "OPENALB_DATAPLANE_MAX_CONNECTIONS",
                 config.dataplane_max_connections,
                 "Client connections all listeners hold at once; past it 503 and close (0: no "
                 "limit)");
  AddCountOption(command, "--dataplane-max-connections-per-client",
                 "OPENALB_DATAPLANE_MAX_CONNECTIONS_PER_CLIENT",
                 config.dataplane_max_connections_per_client,
                 "Listener connections from one client address; past it 429 and close (0: no "
                 "limit)");
  AddCountOption(command, "--dataplane-max-buffered-mib", "OPENALB_DATAPLANE_MAX_BUFFERED_MIB",
                 config.dataplane_max_buffered_mib,
                 "MiB of request bodies all listeners buffer at once; a body past it is "
                 "answered 503 (0: no cap)");
  AddCountOption(command, "--dataplane-quic-retry-above", "OPENALB_DATAPLANE_QUIC_RETRY_ABOVE",
                 config.dataplane_quic_retry_above,
                 "QUIC handshakes in flight on a listener past which new clients' addresses are "
                 "validated by a Retry round trip first (0: always)");
  AddDurationOption(command, "--tls-ticket-key-rotation", "OPENALB_TLS_TICKET_KEY_ROTATION",
                    config.tls_ticket_key_rotation_ms,
                    "How often listeners make a new session ticket key (a ticket is then "
                    "accepted for one to two of these)");
  command
      .add_option("--zones", config.zones,
                  "Zone ids DescribeZones lists (comma-separated or repeated); default "
                  "<region>-a,<region>-b")
      ->envname("OPENALB_ZONES")
      ->delimiter(',');
  command
      .add_option("--backend-allow", config.backend_allow,
                  "CIDRs servers may be in (comma-separated or repeated); once given, only these")
      ->envname("OPENALB_BACKEND_ALLOW")
      ->delimiter(',');
  command
      .add_option("--backend-deny", config.backend_deny,
                  "CIDRs servers may not be in, e.g. 127.0.0.0/8,::1/128 (the OpenAPI port and "
                  "link-local addresses are always refused)")
      ->envname("OPENALB_BACKEND_DENY")
      ->delimiter(',');
  command
      .add_option("--dataplane-threads", config.dataplane_threads,
                  "Threads serving the listeners' connections (0: one per core)")
      ->envname("OPENALB_DATAPLANE_THREADS")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  command
      .add_option("--dataplane-metrics", config.dataplane_metrics,
                  "on: listeners count connections, handshakes, requests and latencies for "
                  "/metrics; off: they count nothing (their series stay 0)")
      ->envname("OPENALB_DATAPLANE_METRICS")
      ->capture_default_str();
}

std::string FindConfigPath(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.starts_with("--config=")) return std::string(arg.substr(9));
  }
  if (const char* env = std::getenv("OPENALB_CONFIG")) return env;
  return {};
}

Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(ConfigError("listen address " + listen + " is not host:port"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_text = std::string_view(listen).substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return Fail(ConfigError("listen address " + listen + " has an invalid port"));
  }
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

}  // namespace openalb
