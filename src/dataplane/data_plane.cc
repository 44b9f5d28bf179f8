#include "dataplane/data_plane.h"

#include "dataplane/quic_listener.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace openalb {
namespace {

ApiError ConfigError(std::string message) {
  return ApiError{"OperationFailed.ListenerConfig", 500, std::move(message), {}};
}

}  // namespace

Result<std::shared_ptr<const BackendPool>> DataPlane::PoolFor(const ForwardConfig& forward) {
  std::vector<BackendPool::Server> servers;
  for (const auto& target : forward.servers) {
    if (target.weight <= 0) continue;
    if (auto why = backend_policy_ ? backend_policy_->Refuses(target.address, target.port)
                                   : std::nullopt) {
      // Stored before the operator changed the policy: the others still serve.
      spdlog::warn("event=backend_refused server_group_id={} address={} port={} reason=\"{}\"",
                   forward.server_group_id, target.address, target.port, *why);
      continue;
    }
    auto state = backends_.StateFor(target);
    if (!state) {
      return Fail(ConfigError("Server " + target.address + ":" + std::to_string(target.port) +
                              " of server group " + forward.server_group_id +
                              " is not an IP address and port."));
    }
    std::shared_ptr<const ServerHealth> health;
    if (forward.policy.health.enabled) {
      health = health_.Watch(forward.server_group_id, state->endpoint(), forward.policy.health);
    }
    servers.push_back({std::move(state), target.weight, std::move(health)});
  }
  return std::shared_ptr<const BackendPool>(std::make_shared<const BackendPool>(
      forward.server_group_id, std::move(servers), forward.policy));
}

Result<std::shared_ptr<const RouteTable>> DataPlane::RoutesFor(const ListenerConfig& config) {
  if (config.rules.empty()) return std::shared_ptr<const RouteTable>{};
  std::map<std::string, std::shared_ptr<const BackendPool>> pools;
  for (const auto& group : config.rule_groups) {
    auto pool = PoolFor(group);
    if (!pool) return Fail(pool.error());
    pools[group.server_group_id] = std::move(*pool);
  }
  return std::shared_ptr<const RouteTable>(std::make_shared<const RouteTable>(
      config.rules, pools, config.load_balancer_id, config.port));
}

Result<void> DataPlane::Apply(const ListenerConfig& config) {
  return Apply(config, Contexts::kBuildNew);
}

Result<void> DataPlane::Apply(const ListenerConfig& config, Contexts contexts) {
  if (config.tls && config.certificates.empty()) {
    return Fail(ConfigError("Listener " + config.listener_id + " has no certificate to serve."));
  }
  const int port = config.port + options_.port_offset;
  if (port < 1 || port > 65535) {
    return Fail(ConfigError("Listener port " + std::to_string(config.port) + " plus offset " +
                            std::to_string(options_.port_offset) + " is not a valid port."));
  }
  auto pool = config.forward ? PoolFor(*config.forward)
                             : Result<std::shared_ptr<const BackendPool>>(nullptr);
  if (!pool) return Fail(pool.error());
  auto routes = RoutesFor(config);
  if (!routes) return Fail(routes.error());
  std::optional<CompiledTlsPolicy> tls_policy;
  if (config.tls && !config.quic && !config.tls_policy.versions.empty()) {
    auto compiled = CompiledTlsPolicy::Compile(config.tls_policy);
    if (!compiled) return Fail(compiled.error());
    tls_policy = std::move(*compiled);
  }
  std::optional<AddressAcl> acl;
  if (!config.acl.entries.empty()) {
    auto compiled = AddressAcl::Compile(config.acl);
    if (!compiled) return Fail(compiled.error());
    acl = std::move(*compiled);
  }
  if (contexts == Contexts::kBuildNew) {
    // Only the certificates this change adds: those served already were checked when they
    // were added, or (since start-up) are built by their first handshake. Outside mutex_:
    // a build takes a millisecond or so, and other listeners' changes need not wait.
    std::set<std::pair<std::string, std::string>> before;
    if (auto previous = SnapshotOf(config.listener_id)) {
      for (const auto* certificate : previous->certificates()) {
        before.emplace(certificate->certificate_id, certificate->fingerprint_sha256);
      }
    }
    for (const auto& certificate : config.certificates) {
      if (before.contains({certificate.certificate_id, certificate.fingerprint_sha256})) continue;
      if (config.quic) {  // a key GnuTLS cannot load fails the change, naming the certificate
        if (auto loaded = gnutls_certificates_->Get(certificate); !loaded) {
          return Fail(loaded.error());
        }
      } else if (auto context = contexts_->Get(certificate); !context) {
        return Fail(context.error());
      }
    }
  }
  std::lock_guard lock(mutex_);
  std::shared_ptr<ListenerSnapshot> snapshot;
  if (config.tls) {
    std::vector<ServedCertificate> additional(config.certificates.begin() + 1,
                                              config.certificates.end());
    snapshot = std::make_shared<ListenerSnapshot>(
        next_version_++, contexts_, config.certificates.front(), std::move(additional),
        std::move(*pool), std::move(*routes));
  } else {
    snapshot =
        std::make_shared<ListenerSnapshot>(next_version_++, std::move(*pool), std::move(*routes));
  }
  snapshot->set_options(config.options, config.load_balancer_id, config.port);
  snapshot->set_tls_policy(std::move(tls_policy));
  snapshot->set_acl(std::move(acl));
  if (config.alt_svc_port > 0) {
    snapshot->set_alt_svc("h3=\":" + std::to_string(config.alt_svc_port + options_.port_offset) +
                          "\"; ma=86400");
  }

  auto it = served_.find(config.listener_id);
  // One set of counters for the listener's life here, whatever its changes.
  std::shared_ptr<ListenerTelemetry> telemetry =
      it != served_.end()
          ? it->second.telemetry
          : std::make_shared<ListenerTelemetry>(config.listener_id, config.load_balancer_id,
                                                config.quic  ? "QUIC"
                                                : config.tls ? "HTTPS"
                                                             : "HTTP");
  if (options_.metrics) snapshot->set_telemetry(telemetry);
  if (config.options.access_log) snapshot->set_access_log(access_log_);
  if (it != served_.end() && it->second.configured_port == port && it->second.tls == config.tls &&
      it->second.quic == config.quic) {
    it->second.listener->Publish(std::move(snapshot));
    return {};
  }
  auto listener =
      config.quic
          ? CreateQuicListener(workers_, options_.bind_address, static_cast<std::uint16_t>(port),
                               std::move(snapshot), gnutls_certificates_, sessions_)
          : PortListener::Create(workers_, options_.bind_address, static_cast<std::uint16_t>(port),
                                 config.tls, std::move(snapshot), sessions_);
  if (!listener) return Fail(listener.error());
  if (it != served_.end()) it->second.listener->Stop();
  served_[config.listener_id] = {port, config.tls, config.quic, std::move(*listener),
                                 std::move(telemetry)};
  return {};
}

void DataPlane::Remove(std::string_view listener_id) {
  std::lock_guard lock(mutex_);
  auto it = served_.find(listener_id);
  if (it == served_.end()) return;
  it->second.listener->Stop();
  served_.erase(it);
}

std::vector<std::pair<std::string, ApiError>> DataPlane::Reconcile(
    const std::vector<ListenerConfig>& configs) {
  std::vector<std::pair<std::string, ApiError>> failures;
  std::set<std::string, std::less<>> wanted;
  for (const auto& config : configs) {
    wanted.insert(config.listener_id);
    if (auto r = Apply(config, Contexts::kOnFirstHandshake); !r) {
      failures.emplace_back(config.listener_id, r.error());
    }
  }
  std::vector<std::string> unwanted;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, served] : served_) {
      if (!wanted.contains(id)) unwanted.push_back(id);
    }
  }
  for (const auto& id : unwanted) Remove(id);
  return failures;
}

std::optional<std::uint16_t> DataPlane::PortOf(std::string_view listener_id) const {
  std::lock_guard lock(mutex_);
  auto it = served_.find(listener_id);
  if (it == served_.end()) return std::nullopt;
  return it->second.listener->port();
}

std::shared_ptr<const ListenerSnapshot> DataPlane::SnapshotOf(std::string_view listener_id) const {
  std::lock_guard lock(mutex_);
  auto it = served_.find(listener_id);
  if (it == served_.end()) return nullptr;
  return it->second.listener->Current();
}

std::vector<std::pair<std::string, std::int64_t>> DataPlane::ExpiringWithin(
    std::int64_t now_ms, std::int64_t within_ms) const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::int64_t, std::less<>> served;
  for (const auto& [id, listener] : served_) {
    auto snapshot = listener.listener->Current();
    for (const auto* certificate : snapshot->certificates()) {
      served.emplace(certificate->certificate_id, certificate->not_after_ms);
    }
  }
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& [id, not_after_ms] : served) {
    if (not_after_ms < now_ms + within_ms) out.emplace_back(id, not_after_ms);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
}

void DataPlane::WarnExpiring(std::int64_t now_ms) const {
  constexpr std::int64_t kThirtyDaysMs = 30LL * 24 * 3600 * 1000;
  for (const auto& [id, not_after_ms] : ExpiringWithin(now_ms, kThirtyDaysMs)) {
    spdlog::warn("event=certificate_expiring certificate_id={} days_left={}", id,
                 (not_after_ms - now_ms) / (24 * 3600 * 1000));
  }
}

void DataPlane::StopAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, served] : served_) served.listener->Stop();
  served_.clear();
}

}  // namespace openalb
