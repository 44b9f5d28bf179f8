// ServerConfig: every setting of `openalb serve`, and how it is loaded. Each setting can
// come from a flag, an OPENALB_* environment variable or an optional TOML file, in that
// order of precedence, over the built-in default.
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "core/api_error.h"

namespace openalb {

inline constexpr std::string_view kDefaultAdminListen = "127.0.0.1:9901";

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port of the OpenAPI endpoint; port 0 = any
  std::string data_dir = "openalb-data";
  std::string store;  // "sqlite" or empty: data_dir's file; "postgres://…": a shared database
  std::string roles = "api,worker,dataplane";  // what this node does (a subset on PostgreSQL)
  std::string node_id;                         // empty: the data directory's node.id
  std::int64_t node_lease_ms = 5'000;          // a node silent this long holds no job back
  // host:port of /healthz, /readyz, /metrics and the console; "" = kDefaultAdminListen (where
  // a busy port is not fatal); "off" = none.
  std::string admin_listen;
  std::string admin_token;  // Bearer token /metrics asks for; "" = open
  std::string region_id = "cn-hangzhou";
  std::string region_name = "openalb";
  std::vector<std::string> zones;  // what DescribeZones lists; empty: <region>-a, <region>-b
  std::string tls_cert;            // PEM chain; with tls_key, the endpoint speaks HTTPS
  std::string tls_key;
  int threads = 0;                    // io threads; 0 = four per core
  std::string access_log = "stderr";  // "stderr", "off" or a file path
  // Where listeners whose load balancer logs (EnableLoadBalancerAccessLog) write their JSON
  // lines: "stderr", "off" or a file path.
  std::string dataplane_access_log = "stderr";
  std::string dataplane_metrics = "on";  // "off": listeners bump no counters
  std::string log_level = "info";
  std::size_t nonce_cache_entries = 2'000'000;
  std::int64_t job_delay_ms = 0;         // how long jobs stay in flight before the worker runs them
  int quota_certificates_basic = 10;     // additional certificates per Basic load balancer
  int quota_certificates_standard = 25;  // per Standard / StandardWithWaf load balancer
  std::string listener_address = "127.0.0.1";  // where HTTPS listeners bind
  int listener_port_offset = 0;                // listener port N binds N + offset
  int dataplane_threads = 0;                   // threads serving listeners; 0 = one per core
  int tls_context_cache = 16384;               // TLS contexts kept built (LRU)
  int rate_limit = 0;                       // API requests per second per AccessKey; 0 = unlimited
  int rate_limit_burst = 0;                 // requests a key may save up; 0 = one second's worth
  int max_connections = 4096;               // OpenAPI connections held at once; 0 = no limit
  int max_connections_per_client = 256;     // from one client address; 0 = no limit
  std::int64_t header_timeout_ms = 10'000;  // handshake, request line and headers
  std::int64_t body_timeout_ms = 30'000;    // a request body once its headers are in
  std::int64_t idle_timeout_ms = 60'000;    // a kept-alive connection between requests
  // The data plane's client connections (dataplane/session_limits.h).
  std::int64_t dataplane_handshake_timeout_ms = 10'000;
  std::int64_t dataplane_header_timeout_ms = 30'000;
  std::int64_t dataplane_body_timeout_ms = 60'000;
  std::int64_t dataplane_idle_timeout_ms = 60'000;
  std::int64_t dataplane_connect_timeout_ms = 5'000;
  std::int64_t dataplane_response_timeout_ms = 60'000;
  int dataplane_max_connections = 10'000;          // 0 = no limit
  int dataplane_max_connections_per_client = 512;  // 0 = no limit
  int dataplane_max_buffered_mib = 128;            // request bodies held at once; 0 = no cap
  int dataplane_quic_retry_above = 64;  // QUIC handshakes in flight before Retry; 0 = always
  std::int64_t tls_ticket_key_rotation_ms = 3'600'000;  // a new session ticket key this often
  // Server addresses tenants may use (core/backend_address_policy.h), as CIDRs.
  std::vector<std::string> backend_allow;
  std::vector<std::string> backend_deny;
};

// "1500ms", "2s", "1m", or "0". A bare non-zero number is refused (ms or s is not guessed).
Result<std::int64_t> ParseDurationMs(std::string_view text);

// Settings that are each valid but do not make sense (a cert without its key), or that CLI
// validators do not see (TOML values): InvalidParameter naming the setting and the fix.
Result<void> ValidateServeConfig(const ServerConfig& config);

// Applies the TOML file at `path` over `config`. Unknown keys are an error, so a typo
// does not silently fall back to a default.
Result<void> ApplyTomlFile(const std::string& path, ServerConfig& config);

// Registers the serve options on `command`, bound to `config`, each with its OPENALB_*
// environment variable. Values already in `config` (defaults or TOML) stay unless a flag
// or variable is given.
void AddServeOptions(CLI::App& command, ServerConfig& config);

// The config file named by --config=PATH / --config PATH in argv, else $OPENALB_CONFIG.
std::string FindConfigPath(int argc, const char* const* argv);

// Splits "host:port" (IPv6 as "[::1]:8080"). InvalidParameter on a malformed value.
Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& listen);

}  // namespace openalb
