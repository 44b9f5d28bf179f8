#include "fleet/served_snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "alb/listener_options.h"
#include "alb/rule_spec.h"
#include "core/crypto.h"

namespace openalb {
namespace {

using nlohmann::json;

ApiError SnapshotError(const std::string& what) {
  return ApiError{"InternalError", 500, "served snapshot file", "snapshot: " + what};
}

// Sealed keys are bytes, kept as hex; a malformed one throws, refusing the whole file.
std::string FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw json::other_error::create(501, "odd hex", nullptr);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto digit = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      throw json::other_error::create(501, "not hex", nullptr);
    };
    out += static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1]));
  }
  return out;
}

json PolicyJson(const ServerGroupPolicy& p) {
  const auto& h = p.health;
  return {{"scheduler", static_cast<int>(p.scheduler)},
          {"uch_parameter", p.uch_parameter},
          {"upstream_keepalive", p.upstream_keepalive},
          {"tls", p.tls},
          {"grpc", p.grpc},
          {"health",
           {{"enabled", h.enabled},
            {"protocol", h.protocol},
            {"connect_port", h.connect_port},
            {"host", h.host},
            {"http_version", h.http_version},
            {"method", h.method},
            {"path", h.path},
            {"codes", h.codes},
            {"interval_s", h.interval_s},
            {"timeout_s", h.timeout_s},
            {"healthy_threshold", h.healthy_threshold},
            {"unhealthy_threshold", h.unhealthy_threshold}}},
          {"sticky",
           {{"enabled", p.sticky.enabled},
            {"insert", p.sticky.insert},
            {"cookie_timeout_s", p.sticky.cookie_timeout_s},
            {"cookie", p.sticky.cookie}}}};
}

ServerGroupPolicy PolicyFromJson(const json& j) {
  ServerGroupPolicy p;
  p.scheduler = static_cast<Scheduler>(j.at("scheduler").get<int>());
  p.uch_parameter = j.at("uch_parameter").get<std::string>();
  p.upstream_keepalive = j.at("upstream_keepalive").get<bool>();
  p.tls = j.value("tls", false);
  p.grpc = j.value("grpc", false);
  const auto& h = j.at("health");
  p.health = {h.at("enabled").get<bool>(),
              h.at("protocol").get<std::string>(),
              h.at("connect_port").get<int>(),
              h.at("host").get<std::string>(),
              h.at("http_version").get<std::string>(),
              h.at("method").get<std::string>(),
              h.at("path").get<std::string>(),
              h.at("codes").get<std::vector<std::string>>(),
              h.at("interval_s").get<int>(),
              h.at("timeout_s").get<int>(),
              h.at("healthy_threshold").get<int>(),
              h.at("unhealthy_threshold").get<int>()};
  const auto& s = j.at("sticky");
  p.sticky = {s.at("enabled").get<bool>(), s.at("insert").get<bool>(),
              s.at("cookie_timeout_s").get<int>(), s.at("cookie").get<std::string>()};
  return p;
}

json ForwardJson(const ForwardConfig& f) {
  json servers = json::array();
  for (const auto& s : f.servers) {
    servers.push_back({{"address", s.address},
                       {"port", s.port},
                       {"weight", s.weight},
                       {"server_id", s.server_id}});
  }
  return {{"group", f.server_group_id}, {"policy", PolicyJson(f.policy)}, {"servers", servers}};
}

ForwardConfig ForwardFromJson(const json& f) {
  ForwardConfig forward{f.at("group").get<std::string>(), {}, {}};
  if (f.contains("policy")) forward.policy = PolicyFromJson(f.at("policy"));
  for (const auto& s : f.at("servers")) {
    forward.servers.push_back({s.at("address").get<std::string>(), s.at("port").get<int>(),
                               s.at("weight").get<int>(), s.value("server_id", "")});
  }
  return forward;
}

json ToJson(const ListenerConfig& c) {
  json certificates = json::array();
  for (const auto& m : c.certificates) {
    certificates.push_back({{"id", m.certificate_id},
                            {"fingerprint", m.fingerprint_sha256},
                            {"names", m.names},
                            {"ecdsa", m.ecdsa},
                            {"chain", m.chain_pem},
                            {"sealed_key", HexLower(m.sealed_private_key)},
                            {"not_after_ms", m.not_after_ms}});
  }
  json out = {
      {"id", c.listener_id}, {"port", c.port}, {"tls", c.tls}, {"certificates", certificates}};
  if (c.forward) out["forward"] = ForwardJson(*c.forward);
  // Rules, the groups they forward to and the listener's attributes: a node starting while the
  // store is unreachable serves what it last applied, rules included.
  json rules = json::array();
  for (const auto& r : c.rules) {
    rules.push_back({{"id", r.rule_id},
                     {"priority", r.priority},
                     {"response", r.response},
                     {"conditions", ConditionsJson(r.conditions)},
                     {"actions", ActionsJson(r.actions)}});
  }
  out["rules"] = std::move(rules);
  json groups = json::array();
  for (const auto& g : c.rule_groups) groups.push_back(ForwardJson(g));
  out["rule_groups"] = std::move(groups);
  out["load_balancer_id"] = c.load_balancer_id;
  out["options"] = ListenerOptionsJson(c.options);
  out["tls_versions"] = c.tls_policy.versions;
  out["tls_ciphers"] = c.tls_policy.ciphers;
  out["quic"] = c.quic;
  out["alt_svc_port"] = c.alt_svc_port;
  out["acl_type"] = c.acl.type;
  out["acl_entries"] = c.acl.entries;
  return out;
}

ListenerConfig FromJson(const json& j) {
  ListenerConfig c;
  c.listener_id = j.at("id").get<std::string>();
  c.port = j.at("port").get<int>();
  c.tls = j.at("tls").get<bool>();
  for (const auto& m : j.at("certificates")) {
    c.certificates.push_back({m.at("id").get<std::string>(), m.at("fingerprint").get<std::string>(),
                              m.at("names").get<std::vector<std::string>>(),
                              m.at("ecdsa").get<bool>(), m.at("chain").get<std::string>(),
                              FromHex(m.at("sealed_key").get<std::string>()),
                              m.at("not_after_ms").get<std::int64_t>()});
  }
  if (j.contains("forward")) c.forward = ForwardFromJson(j.at("forward"));
  if (j.contains("rules")) {
    for (const auto& r : j.at("rules")) {
      c.rules.push_back(
          {r.at("id").get<std::string>(), r.at("priority").get<int>(), r.at("response").get<bool>(),
           ConditionsFromJson(r.at("conditions").dump()), ActionsFromJson(r.at("actions").dump())});
    }
    for (const auto& g : j.at("rule_groups")) c.rule_groups.push_back(ForwardFromJson(g));
    c.load_balancer_id = j.at("load_balancer_id").get<std::string>();
    c.options = ListenerOptionsFromJson(j.at("options").dump());
  }
  if (j.contains("tls_versions")) {
    c.tls_policy = {j.at("tls_versions").get<std::vector<std::string>>(),
                    j.at("tls_ciphers").get<std::vector<std::string>>()};
  }
  if (j.contains("quic")) c.quic = j.at("quic").get<bool>();
  if (j.contains("alt_svc_port")) c.alt_svc_port = j.at("alt_svc_port").get<int>();
  if (j.contains("acl_type")) {
    c.acl = {j.at("acl_type").get<std::string>(),
             j.at("acl_entries").get<std::vector<std::string>>()};
  }
  return c;
}

}  // namespace

Result<void> WriteServedSnapshot(const std::string& path, const ServedSnapshot& snapshot) {
  json listeners = json::array();
  for (const auto& c : snapshot.listeners) listeners.push_back(ToJson(c));
  const std::string text = json{{"version", snapshot.version}, {"listeners", listeners}}.dump(
      -1, ' ', false, json::error_handler_t::strict);
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(SnapshotError("open " + temporary + ": " + std::strerror(errno)));
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Fail(SnapshotError("write " + temporary + ": " + std::strerror(errno)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Fail(SnapshotError("sync " + temporary + ": " + std::strerror(errno)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return Fail(SnapshotError("rename to " + path + ": " + std::strerror(errno)));
  }
  return {};
}

Result<ServedSnapshot> ReadServedSnapshot(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(SnapshotError("no file at " + path));
  std::stringstream text;
  text << in.rdbuf();
  try {
    json j = json::parse(text.str());
    ServedSnapshot out{.version = j.at("version").get<std::int64_t>(), .listeners = {}};
    for (const auto& c : j.at("listeners")) out.listeners.push_back(FromJson(c));
    return out;
  } catch (const json::exception& e) {
    return Fail(SnapshotError(path + " does not parse: " + e.what()));
  }
}

}  // namespace openalb
