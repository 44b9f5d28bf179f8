#include "alb/served_listeners.h"

#include "alb/listeners.h"

namespace openalb {
namespace {

bool Bound(const Listener& listener) {
  if (listener.protocol != "HTTPS") return false;  // QUIC needs UDP; not served yet
  return listener.status == status::kRunning ||
         (listener.status == status::kConfiguring && listener.resting_status == status::kRunning);
}

}  // namespace

Result<std::optional<ListenerConfig>> ServedListener(StoreTx& tx, const Listener& listener) {
  if (!Bound(listener)) return std::optional<ListenerConfig>{};
  auto rows = AllListenerCertificates(tx, listener.listener_id);
  if (!rows) return Fail(rows.error());
  ListenerConfig config{listener.listener_id, listener.port, {}};
  for (const auto& row : *rows) {
    if (row.status == status::kAssociating) continue;
    auto certificate = tx.FindCertificate(listener.account_id, row.certificate_id);
    if (!certificate) return Fail(certificate.error());
    if (!*certificate) continue;
    const Certificate& c = **certificate;
    CertificateMaterial material{c.certificate_id,    c.fingerprint_sha256, c.dns_names,
                                 c.key_type == "ECC", c.chain_pem,          c.sealed_private_key};
    if (!c.common_name.empty()) material.names.push_back(c.common_name);
    config.certificates.push_back(std::move(material));
  }
  if (config.certificates.empty()) return std::optional<ListenerConfig>{};
  return std::optional<ListenerConfig>{std::move(config)};
}

Result<std::vector<ListenerConfig>> AllServedListeners(StoreTx& tx) {
  std::vector<ListenerConfig> out;
  PageRequest page{.after = 0, .limit = 500};
  while (true) {
    auto listeners = tx.ListListeners({.protocol = "HTTPS"}, page);
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
