#include "alb/served_listeners.h"

#include "alb/listeners.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

bool Bound(const Listener& listener) {
  if (listener.protocol != "HTTPS" && listener.protocol != "HTTP") {
    return false;  // QUIC needs UDP; not served yet
  }
  return listener.status == status::kRunning ||
         (listener.status == status::kConfiguring && listener.resting_status == status::kRunning);
}

// The servers of the listener's forward action: every server from the moment its Add job
// applies until its Remove job applies. A group that is gone forwards nowhere (503).
Result<ForwardConfig> ForwardOf(StoreTx& tx, const Listener& listener) {
  ForwardConfig forward{listener.forward_server_group_id, false, {}};
  auto group = tx.FindServerGroup(listener.account_id, listener.forward_server_group_id);
  if (!group) return Fail(group.error());
  if (!*group) return forward;
  forward.source_hash = (*group)->scheduler == "Sch";
  auto servers = AllBackendServers(tx, listener.forward_server_group_id);
  if (!servers) return Fail(servers.error());
  for (const auto& server : *servers) {
    if (server.status == status::kAdding || server.weight == 0) continue;
    forward.servers.push_back({server.server_ip, server.port, server.weight});
  }
  return forward;
}

}  // namespace

Result<std::optional<ListenerConfig>> ServedListener(StoreTx& tx, const Listener& listener) {
  if (!Bound(listener)) return std::optional<ListenerConfig>{};
  auto rows = AllListenerCertificates(tx, listener.listener_id);
  if (!rows) return Fail(rows.error());
  ListenerConfig config{listener.listener_id, listener.port, {}};
  config.tls = listener.protocol == "HTTPS";
  for (const auto& row : *rows) {
    if (row.status == status::kAssociating) continue;
    auto certificate = tx.FindCertificate(listener.account_id, row.certificate_id);
    if (!certificate) return Fail(certificate.error());
    if (!*certificate) continue;
    const Certificate& c = **certificate;
    CertificateMaterial material{.certificate_id = c.certificate_id,
                                 .fingerprint_sha256 = c.fingerprint_sha256,
                                 .names = c.dns_names,
                                 .ecdsa = c.key_type == "ECC",
                                 .chain_pem = c.chain_pem,
                                 .sealed_private_key = c.sealed_private_key,
                                 .not_after_ms = c.not_after_ms};
    if (!c.common_name.empty()) material.names.push_back(c.common_name);
    config.certificates.push_back(std::move(material));
  }
  if (config.tls && config.certificates.empty()) return std::optional<ListenerConfig>{};
  if (!listener.forward_server_group_id.empty()) {
    auto forward = ForwardOf(tx, listener);
    if (!forward) return Fail(forward.error());
    config.forward = std::move(*forward);
  }
  return std::optional<ListenerConfig>{std::move(config)};
}

Result<std::optional<ListenerConfig>> ServedListenerById(StoreTx& tx, std::string_view account_id,
                                                         std::string_view listener_id) {
  auto listener = tx.FindListener(account_id, listener_id);
  if (!listener) return Fail(listener.error());
  if (!*listener) return std::optional<ListenerConfig>{};
  return ServedListener(tx, **listener);
}

Result<std::vector<ListenerConfig>> AllServedListeners(StoreTx& tx) {
  std::vector<ListenerConfig> out;
  PageRequest page{.after = 0, .limit = 500};
  while (true) {
    auto listeners = tx.ListListeners({}, page);
    if (!listeners) return Fail(listeners.error());
    for (const auto& listener : listeners->items) {
      auto config = ServedListener(tx, listener);
      if (!config) return Fail(config.error());
      if (*config) out.push_back(std::move(**config));
    }
    if (!listeners->next) return out;
    page.after = *listeners->next;
  }
}

}  // namespace openalb
