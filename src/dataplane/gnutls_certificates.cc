#include "dataplane/gnutls_certificates.h"

#include <gnutls/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "dataplane/listener_snapshot.h"

namespace openalb {
namespace {

constexpr unsigned kMaxChain = 16;

ApiError LoadError(const CertificateMaterial& material, std::string_view why) {
  std::string message = "Certificate ";
  message.append(material.certificate_id);
  message.append(" cannot be served on QUIC: GnuTLS cannot load ");
  message.append(why);
  message.append(".");
  return ApiError{"OperationFailed.ListenerConfig", 400, std::move(message), {}};
}

gnutls_datum_t Datum(const std::string& text) {
  return {reinterpret_cast<unsigned char*>(const_cast<char*>(text.data())),
          static_cast<unsigned>(text.size())};
}

constexpr unsigned kServerNameExtension = 0;
constexpr unsigned kSignatureAlgorithmsExtension = 13;

std::uint16_t Read16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// What the client hello's extensions say: the host name it asked for and whether it can
// verify an ECDSA signature (it lists an ecdsa_secp*r1_sha* scheme).
struct HelloFacts {
  std::string server_name;
  bool accepts_ecdsa = false;
};

int ReadExtension(void* context, unsigned type, const unsigned char* data, unsigned size) {
  auto* facts = static_cast<HelloFacts*>(context);
  if (type == kServerNameExtension && size >= 5) {
    // server_name_list: length, then (name_type, length, name)…; the first host_name counts.
    const unsigned list = Read16(data);
    if (list + 2 > size || data[2] != 0) return 0;
    const unsigned length = Read16(data + 3);
    if (length + 5 > size || length > 255) return 0;
    facts->server_name.assign(reinterpret_cast<const char*>(data + 5), length);
    std::transform(facts->server_name.begin(), facts->server_name.end(), facts->server_name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  } else if (type == kSignatureAlgorithmsExtension && size >= 2) {
    const unsigned length = std::min<unsigned>(Read16(data), size - 2);
    for (unsigned i = 0; i + 1 < length; i += 2) {
      const std::uint16_t scheme = Read16(data + 2 + i);
      if (scheme == 0x0403 || scheme == 0x0503 || scheme == 0x0603) facts->accepts_ecdsa = true;
    }
  }
  return 0;
}

// Runs before GnuTLS processes the client hello: reads its SNI and signature algorithms from
// the raw message and chooses (and if need be imports) the certificate it will be answered
// with. A certificate that cannot be loaded ends this handshake, and only it.
int OnClientHello(gnutls_session_t session, unsigned, unsigned, unsigned incoming,
                  const gnutls_datum_t* message) {
  if (incoming == 0) return 0;
  auto* state = static_cast<GnutlsServerSession*>(gnutls_session_get_ptr(session));
  if (state == nullptr || state->snapshot == nullptr || state->certificates == nullptr) {
    return GNUTLS_E_INTERNAL_ERROR;
  }
  HelloFacts facts;
  if (gnutls_ext_raw_parse(&facts, ReadExtension, message, GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO) <
      0) {
    return GNUTLS_E_UNEXPECTED_PACKET;
  }
  const ServedCertificate& chosen = state->snapshot->Select(facts.server_name, facts.accepts_ecdsa);
  auto certificate = state->certificates->Get(chosen);
  if (!certificate) {
    state->failure = certificate.error().message;
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  state->chosen = std::move(*certificate);
  state->chosen_ecdsa = chosen.ecdsa;
  state->chosen_certificate_id = chosen.certificate_id;
  state->snapshot->CountServed(chosen);
  if (state->ticket_secret != nullptr) {
    // The ticket key is the certificate's own: HMAC-SHA512(secret, id "\n" fingerprint).
    // GnuTLS rotates keys derived from it every expiration period (the session's cache
    // expiration), accepting the previous one. A second hello (after HelloRetryRequest) keeps
    // the first's key.
    const std::string binding = chosen.certificate_id + "\n" + chosen.fingerprint_sha256;
    std::array<unsigned char, 64> key{};
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA512, state->ticket_secret->data(),
                         state->ticket_secret->size(), binding.data(), binding.size(),
                         key.data()) == 0) {
      const gnutls_datum_t datum{key.data(), static_cast<unsigned>(key.size())};
      (void)gnutls_session_ticket_enable_server(session, &datum);
    }
    gnutls_memset(key.data(), 0, key.size());
  }
  return 0;
}

// GnuTLS's certificate callback: the choice the client-hello hook made.
int RetrieveCertificate(gnutls_session_t session, const gnutls_datum_t*, int,
                        const gnutls_pk_algorithm_t*, int, gnutls_pcert_st** pcert,
                        unsigned int* pcert_length, gnutls_privkey_t* pkey) {
  auto* state = static_cast<GnutlsServerSession*>(gnutls_session_get_ptr(session));
  if (state == nullptr || state->chosen == nullptr) return -1;
  *pcert = state->chosen->chain();
  *pcert_length = state->chosen->length();
  *pkey = state->chosen->key();
  return 0;
}

}  // namespace

Result<std::shared_ptr<const GnutlsCertificate>> GnutlsCertificate::Load(
    const CertificateMaterial& material, const std::string& key_pem) {
  std::shared_ptr<GnutlsCertificate> out(new GnutlsCertificate());
  out->certificate_id_ = material.certificate_id;
  out->chain_ = std::make_unique<gnutls_pcert_st[]>(kMaxChain);
  unsigned length = kMaxChain;
  const gnutls_datum_t chain = Datum(material.chain_pem);
  if (gnutls_pcert_list_import_x509_raw(out->chain_.get(), &length, &chain, GNUTLS_X509_FMT_PEM,
                                        0) < 0 ||
      length == 0) {
    return Fail(LoadError(material, "its chain"));
  }
  out->length_ = length;
  if (gnutls_privkey_init(&out->key_) < 0) return Fail(LoadError(material, "its key"));
  const gnutls_datum_t key = Datum(key_pem);
  if (gnutls_privkey_import_x509_raw(out->key_, &key, GNUTLS_X509_FMT_PEM, nullptr, 0) < 0) {
    return Fail(LoadError(material, "its key (a type GnuTLS does not support?)"));
  }
  return std::shared_ptr<const GnutlsCertificate>(std::move(out));
}

GnutlsCertificate::~GnutlsCertificate() {
  for (unsigned i = 0; i < length_; ++i) gnutls_pcert_deinit(&chain_[i]);
  if (key_ != nullptr) gnutls_privkey_deinit(key_);
}

Result<std::shared_ptr<const GnutlsCertificate>> GnutlsCertificates::Get(
    const CertificateMaterial& material) {
  const std::string key = material.certificate_id + "\n" + material.fingerprint_sha256;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      recency_.splice(recency_.begin(), recency_, it->second.position);
      return it->second.certificate;
    }
  }
  // Built outside the lock: an import takes a fraction of a millisecond, and handshakes for
  // other certificates need not wait for it. Two handshakes racing for one new certificate
  // may both import it; the second keeps the first's.
  auto key_pem = open_key_(material);
  if (!key_pem) return Fail(LoadError(material, "its sealed key"));
  auto loaded = GnutlsCertificate::Load(material, *key_pem);
  if (!loaded) return loaded;
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) return it->second.certificate;
  recency_.push_front(key);
  entries_[key] = {*loaded, recency_.begin()};
  while (entries_.size() > capacity_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  return *loaded;
}

std::size_t GnutlsCertificates::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void ChooseCertificateOnClientHello(gnutls_session_t session) {
  gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_PRE,
                                     OnClientHello);
}

Result<GnutlsCredentials> MakeSniCredentials() {
  gnutls_certificate_credentials_t raw = nullptr;
  if (gnutls_certificate_allocate_credentials(&raw) < 0) {
    return Fail(ApiError{"InternalError", 500, "GnuTLS cannot allocate credentials.", {}});
  }
  gnutls_certificate_set_retrieve_function2(raw, RetrieveCertificate);
  return GnutlsCredentials(raw);
}

}  // namespace openalb
