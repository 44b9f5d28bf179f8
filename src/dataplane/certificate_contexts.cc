#include "dataplane/certificate_contexts.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace openalb {

std::shared_ptr<CertificateContexts::Entry> CertificateContexts::Lookup(
    const CertificateMaterial& certificate) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(certificate.certificate_id);
  if (it != entries_.end() && it->second->fingerprint == certificate.fingerprint_sha256) {
    recency_.splice(recency_.begin(), recency_, it->second->position);
    return it->second;
  }
  if (it != entries_.end()) {  // re-imported under the same id: the old context is stale
    recency_.erase(it->second->position);
    entries_.erase(it);
  }
  auto entry = std::make_shared<Entry>();
  entry->fingerprint = certificate.fingerprint_sha256;
  recency_.push_front(certificate.certificate_id);
  entry->position = recency_.begin();
  entries_.emplace(certificate.certificate_id, entry);
  ++builds_;
  while (entries_.size() > capacity_) {
    // Connections and snapshots hold their contexts by reference count: evicting only
    // means the next handshake for that name builds it again.
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  return entry;
}

Result<SslCtxPtr> CertificateContexts::Build(const CertificateMaterial& certificate) {
  auto key = open_key_(certificate);
  if (!key) {
    return Fail(ApiError{"OperationFailed.ListenerConfig", 500,
                         "Certificate " + certificate.certificate_id +
                             " cannot be served: its private key cannot be opened.",
                         key.error().internal});
  }
  auto context = MakeServerContext(certificate.chain_pem, *key);
  OPENSSL_cleanse(key->data(), key->size());  // the plain key lives only inside OpenSSL
  if (!context) {
    return Fail(ApiError{"OperationFailed.ListenerConfig",
                         500,
                         "Certificate " + certificate.certificate_id +
                             " cannot be served: " + context.error().internal + ".",
                         {}});
  }
  return *context;
}

Result<SslCtxPtr> CertificateContexts::Get(const CertificateMaterial& certificate) {
  std::shared_ptr<Entry> entry = Lookup(certificate);
  std::lock_guard build(entry->build_mutex);
  if (!entry->built) {
    entry->built = true;
    auto context = Build(certificate);
    if (context) {
      entry->context = std::move(*context);
    } else {
      entry->error = context.error();
      // Once per certificate version: its every handshake fails the same way.
      spdlog::error("event=certificate_unusable certificate_id={} detail=\"{}{}{}\"",
                    certificate.certificate_id, entry->error.message,
                    entry->error.internal.empty() ? "" : " ", entry->error.internal);
    }
  }
  if (!entry->context) return Fail(entry->error);
  return entry->context;
}

bool CertificateContexts::Contains(const CertificateMaterial& certificate) const {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(certificate.certificate_id);
    if (it == entries_.end() || it->second->fingerprint != certificate.fingerprint_sha256) {
      return false;
    }
    entry = it->second;
  }
  std::lock_guard build(entry->build_mutex);
  return entry->context != nullptr;
}

std::size_t CertificateContexts::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t CertificateContexts::builds() const {
  std::lock_guard lock(mutex_);
  return builds_;
}

}  // namespace openalb
