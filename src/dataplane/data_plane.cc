#include "dataplane/data_plane.h"

#include <set>

namespace openalb {
namespace {

ApiError ConfigError(std::string message) {
  return ApiError{"OperationFailed.ListenerConfig", 500, std::move(message), {}};
}

}  // namespace

Result<SslCtxPtr> DataPlane::ContextFor(const CertificateMaterial& certificate) {
  auto it = contexts_.find(certificate.certificate_id);
  if (it != contexts_.end() && it->second.fingerprint == certificate.fingerprint_sha256) {
    return it->second.context;
  }
  auto key = open_key_(certificate);
  if (!key) return Fail(key.error());
  auto context = MakeServerContext(certificate.chain_pem, *key);
  if (!context) {
    return Fail(ConfigError("Certificate " + certificate.certificate_id +
                            " cannot be served: " + context.error().internal + "."));
  }
  contexts_[certificate.certificate_id] = {certificate.fingerprint_sha256, *context};
  return *context;
}

Result<void> DataPlane::Apply(const ListenerConfig& config) {
  if (config.certificates.empty()) {
    return Fail(ConfigError("Listener " + config.listener_id + " has no certificate to serve."));
  }
  const int port = config.port + options_.port_offset;
  if (port < 1 || port > 65535) {
    return Fail(ConfigError("Listener port " + std::to_string(config.port) + " plus offset " +
                            std::to_string(options_.port_offset) + " is not a valid port."));
  }
  std::lock_guard lock(mutex_);
  std::vector<ServedCertificate> served;
  served.reserve(config.certificates.size());
  for (const auto& certificate : config.certificates) {
    auto context = ContextFor(certificate);
    if (!context) return Fail(context.error());
    served.push_back({certificate.certificate_id, certificate.names, certificate.ecdsa, *context});
  }
  ServedCertificate default_certificate = std::move(served.front());
  served.erase(served.begin());
  auto snapshot = std::make_shared<const ListenerSnapshot>(
      next_version_++, std::move(default_certificate), std::move(served));

  auto it = served_.find(config.listener_id);
  if (it != served_.end() && it->second.configured_port == port) {
    it->second.listener->Publish(std::move(snapshot));
    return {};
  }
  auto listener = TlsListener::Create(io_, options_.bind_address, static_cast<std::uint16_t>(port),
                                      std::move(snapshot));
  if (!listener) return Fail(listener.error());
  if (it != served_.end()) it->second.listener->Stop();
  served_[config.listener_id] = {port, std::move(*listener)};
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
    if (auto r = Apply(config); !r) failures.emplace_back(config.listener_id, r.error());
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

void DataPlane::StopAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, served] : served_) served.listener->Stop();
  served_.clear();
}

}  // namespace openalb
