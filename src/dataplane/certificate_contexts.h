// CertificateContexts: the TLS contexts of served certificates, built on first use and kept
// in a bounded least-recently-used cache. A listener with 100,000 names opens its port once
// their index is loaded; each name's context (unsealed key, parsed chain, SSL_CTX) is built by
// the first handshake that selects it. A build holds only its own certificate's entry, so a
// handshake for another name never waits for it. A certificate that cannot be built fails its
// own handshakes (logged once per certificate version) and nothing else. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/api_error.h"
#include "dataplane/listener_config.h"
#include "dataplane/server_context.h"

namespace openalb {

// Turns a certificate's sealed private key into PEM.
using KeyOpener = std::function<Result<std::string>(const CertificateMaterial&)>;

class CertificateContexts {
 public:
  static constexpr std::size_t kDefaultCapacity = 16384;

  CertificateContexts(KeyOpener open_key, std::size_t capacity)
      : open_key_(std::move(open_key)), capacity_(capacity < 1 ? 1 : capacity) {}

  // The certificate's context, built now if it is not cached (the calling thread does the
  // build). OperationFailed.ListenerConfig naming the certificate when it cannot be served.
  Result<SslCtxPtr> Get(const CertificateMaterial& certificate);
  // True if `certificate` (this id and fingerprint) has a built context in the cache.
  bool Contains(const CertificateMaterial& certificate) const;
  std::size_t size() const;
  std::uint64_t builds() const;  // contexts built since start (failed builds included)

 private:
  struct Entry {
    std::string fingerprint;
    std::mutex build_mutex;  // held while this certificate's context is built
    bool built = false;      // GUARDED_BY(build_mutex)
    SslCtxPtr context;       // GUARDED_BY(build_mutex); null when the build failed
    ApiError error;          // GUARDED_BY(build_mutex)
    std::list<std::string>::iterator position;  // GUARDED_BY(mutex_)
  };

  std::shared_ptr<Entry> Lookup(const CertificateMaterial& certificate);
  Result<SslCtxPtr> Build(const CertificateMaterial& certificate);

  const KeyOpener open_key_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;  // GUARDED_BY(mutex_)
  std::list<std::string> recency_;  // most recently used first; GUARDED_BY(mutex_)
  std::uint64_t builds_ = 0;        // GUARDED_BY(mutex_)
};

}  // namespace openalb
