// ServerGroupPolicy: how the data plane chooses among a server group's servers and watches
// them — its scheduler, its active health check, its session stickiness and whether idle
// server connections are kept — as plain values. The domain (alb/server_group_attributes)
// reads them from ALB's HealthCheckConfig, StickySessionConfig, UchConfig and
// UpstreamKeepaliveEnabled; backend_pool and health_checker act on them.
#pragma once

#include <string>
#include <vector>

namespace openalb {

enum class Scheduler {
  kWrr,  // weighted round-robin
  kSch,  // source IP consistent hash
  kWlc,  // weighted least connections
  kUch,  // URL (query string parameter) consistent hash
};

struct HealthCheckPolicy {
  bool enabled = false;
  std::string protocol = "HTTP";  // HTTP, HTTPS, TCP, gRPC
  int connect_port = 0;           // 0: the server's own port
  std::string host;               // Host header; empty: the server's address
  std::string http_version = "HTTP1.1";
  std::string method = "HEAD";
  std::string path = "/";
  std::vector<std::string> codes = {"http_2xx", "http_3xx"};  // or gRPC status ranges
  int interval_s = 2;
  int timeout_s = 5;
  int healthy_threshold = 3;
  int unhealthy_threshold = 3;

  bool operator==(const HealthCheckPolicy&) const = default;
};

struct StickyPolicy {
  bool enabled = false;
  bool insert = true;           // Insert: openalb's cookie; false: Server (the server's own)
  int cookie_timeout_s = 1000;  // Insert: the cookie's Max-Age
  std::string cookie;           // Server: the name of the server's cookie

  bool operator==(const StickyPolicy&) const = default;
};

struct ServerGroupPolicy {
  Scheduler scheduler = Scheduler::kWrr;
  std::string uch_parameter;  // Uch: the query string parameter hashed
  HealthCheckPolicy health;
  StickyPolicy sticky;
  bool upstream_keepalive = true;  // idle server connections are kept for the next request
  bool tls = false;                // Protocol HTTPS: TLS to the servers
  bool grpc = false;  // Protocol gRPC: cleartext HTTP/2 (h2c) to the servers, trailers and all

  bool operator==(const ServerGroupPolicy&) const = default;
};

// The name of the cookie openalb inserts for Insert stickiness.
inline constexpr const char* kStickyInsertCookie = "openalb_server";

}  // namespace openalb
