// Served certificates in GnuTLS's form, for QUIC listeners: ngtcp2's TLS backend on Debian
// bookworm is GnuTLS (its OpenSSL 3.0 has no QUIC API). GnutlsCertificates imports each
// certificate's chain and unsealed key on first use and keeps them in a bounded cache (least
// recently used out), as CertificateContexts does for OpenSSL; a certificate GnuTLS cannot
// load fails its own handshakes with a clear reason, and nothing else. The choice among a
// listener snapshot's certificates is made per session by the HTTPS rules
// (ListenerSnapshot::Select: exact name, one-label wildcard, default; ECDSA for a client that
// lists an ECDSA signature scheme), in a client-hello hook that reads the raw hello (SNI and
// signature_algorithms) before GnuTLS processes it; the credentials' certificate callback
// then answers with that choice.
#pragma once

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <array>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/api_error.h"
#include "dataplane/certificate_contexts.h"
#include "dataplane/listener_config.h"

namespace openalb {

class ListenerSnapshot;

// One certificate, imported: its chain (leaf first) and private key.
class GnutlsCertificate {
 public:
  // OperationFailed.ListenerConfig naming the certificate when GnuTLS cannot load it.
  static Result<std::shared_ptr<const GnutlsCertificate>> Load(const CertificateMaterial& material,
                                                               const std::string& key_pem);
  ~GnutlsCertificate();
  GnutlsCertificate(const GnutlsCertificate&) = delete;
  GnutlsCertificate& operator=(const GnutlsCertificate&) = delete;

  const std::string& certificate_id() const { return certificate_id_; }
  gnutls_pcert_st* chain() const { return chain_.get(); }
  unsigned length() const { return length_; }
  gnutls_privkey_t key() const { return key_; }

 private:
  GnutlsCertificate() = default;

  std::string certificate_id_;
  std::unique_ptr<gnutls_pcert_st[]> chain_;
  unsigned length_ = 0;
  gnutls_privkey_t key_ = nullptr;
};

// The imported certificates, by id and fingerprint. Thread-safe.
class GnutlsCertificates {
 public:
  GnutlsCertificates(KeyOpener open_key, std::size_t capacity)
      : open_key_(std::move(open_key)), capacity_(capacity < 1 ? 1 : capacity) {}

  Result<std::shared_ptr<const GnutlsCertificate>> Get(const CertificateMaterial& material);
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const GnutlsCertificate> certificate;
    std::list<std::string>::iterator position;
  };

  const KeyOpener open_key_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  std::list<std::string> recency_;                  // most recent first; GUARDED_BY(mutex_)
};

// What the certificate callback of one server session reads. The session's pointer
// (gnutls_session_set_ptr) is this object; `conn_ref` comes first because ngtcp2's GnuTLS
// backend reads the same pointer as its ngtcp2_crypto_conn_ref.
struct GnutlsServerSession {
  ngtcp2_crypto_conn_ref conn_ref{};
  std::shared_ptr<const ListenerSnapshot> snapshot;
  GnutlsCertificates* certificates = nullptr;
  // When set, session tickets are issued and accepted under a key derived from this secret and
  // the chosen certificate (its id and fingerprint): a ticket made under another certificate —
  // one dissociated since, say — does not decrypt, and that client gets a full handshake.
  const std::array<unsigned char, 64>* ticket_secret = nullptr;
  std::shared_ptr<const GnutlsCertificate> chosen;  // the certificate served, kept for the session
  bool chosen_ecdsa = false;                        // its key type (the listener's counters)
  std::string chosen_certificate_id;                // its id (the access log)
  std::string failure;                              // why none could be served, if so
};

// Installs on a server session the client-hello hook that chooses its certificate (the session's
// pointer must be its GnutlsServerSession) and, with a ticket secret, its ticket key.
void ChooseCertificateOnClientHello(gnutls_session_t session);

// Server credentials that answer with the certificate the hook chose.
struct GnutlsCredentialsDeleter {
  void operator()(gnutls_certificate_credentials_t credentials) const {
    gnutls_certificate_free_credentials(credentials);
  }
};
using GnutlsCredentials = std::unique_ptr<std::remove_pointer_t<gnutls_certificate_credentials_t>,
                                          GnutlsCredentialsDeleter>;
Result<GnutlsCredentials> MakeSniCredentials();

}  // namespace openalb
