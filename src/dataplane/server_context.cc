#include "dataplane/server_context.h"

#include <algorithm>

#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>

#include "dataplane/client_session.h"
#include "dataplane/listener_snapshot.h"

namespace openalb {
namespace {

// ALPN: h2 for a client that offers it on a listener with Http2Enabled (read from the snapshot
// the connection began with), else http/1.1; a client offering neither gets no ALPN answer.
int SelectAlpn(SSL* ssl, const unsigned char** out, unsigned char* out_size,
               const unsigned char* offered, unsigned int offered_size, void*) {
  static const unsigned char kH2First[] = "\x02h2\x08http/1.1";
  static const unsigned char kH1Only[] = "\x08http/1.1";
  const auto* snapshot =
      static_cast<const ListenerSnapshot*>(SSL_get_ex_data(ssl, SnapshotExDataIndex()));
  const bool h2 = snapshot != nullptr && snapshot->options().http2;
  unsigned char* chosen = nullptr;
  const int found =
      SSL_select_next_proto(&chosen, out_size, h2 ? kH2First : kH1Only,
                            h2 ? sizeof kH2First - 1 : sizeof kH1Only - 1, offered, offered_size);
  if (found != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

ApiError TlsError(std::string what) {
  unsigned long code = ERR_get_error();
  char reason[256] = "";
  if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  return ApiError{"InternalError", 500, "cannot build a TLS context", what + ": " + reason};
}

SslCtxPtr NewContext() {
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return nullptr;
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  // TLS 1.2: forward-secret AEAD suites only — no CBC, no SHA-1 MACs, no static RSA (what
  // Mozilla's "intermediate" profile allows, less DHE). TLS 1.3's suites are all AEAD.
  SSL_CTX_set_cipher_list(raw,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_options(
      raw, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_alpn_select_cb(raw, SelectAlpn, nullptr);
  // OpenSSL's record buffers (about 34 KB) stay with a connection while it is open:
  // releasing them between records (SSL_MODE_RELEASE_BUFFERS) cost 2-3% of a handshake's
  // CPU in malloc/free (bench/run-tls, A/B) — memory traded for CPU, on purpose.
  return SslCtxPtr(raw, SSL_CTX_free);
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr MemoryBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
}

}  // namespace

Result<SslCtxPtr> MakeServerContext(std::string_view chain_pem, std::string_view key_pem) {
  SslCtxPtr ctx = NewContext();
  if (!ctx) return Fail(TlsError("SSL_CTX_new"));
  auto chain = MemoryBio(chain_pem);
  X509* leaf = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return Fail(TlsError("certificate chain does not parse"));
  int used = SSL_CTX_use_certificate(ctx.get(), leaf);
  // Sessions are bound to the certificate they were made under: a client resuming one
  // after its certificate stopped being served for that name gets a full handshake and
  // the certificate served now, not the old one by way of its ticket.
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (used == 1 && X509_digest(leaf, EVP_sha256(), digest, &digest_size) == 1) {
    used = SSL_CTX_set_session_id_context(ctx.get(), digest,
                                          std::min(digest_size, unsigned{SSL_MAX_SID_CTX_LENGTH}));
  }
  X509_free(leaf);
  if (used != 1) return Fail(TlsError("certificate not usable"));
  while (X509* intermediate = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx.get(), intermediate) != 1) {
      X509_free(intermediate);
      return Fail(TlsError("intermediate certificate not usable"));
    }
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  auto key_bio = MemoryBio(key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return Fail(TlsError("private key does not parse"));
  used = SSL_CTX_use_PrivateKey(ctx.get(), key);
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    return Fail(TlsError("private key does not match the certificate"));
  }
  return ctx;
}

Result<SslCtxPtr> MakeBaseContext(SSL_client_hello_cb_fn on_client_hello) {
  SslCtxPtr ctx = NewContext();
  if (!ctx) return Fail(TlsError("SSL_CTX_new"));
  SSL_CTX_set_client_hello_cb(ctx.get(), on_client_hello, nullptr);
  // Resumption is by stateless tickets (TLS 1.2 and 1.3), which need no server-side cache:
  // keeping one would cost every handshake a locked insert and periodic sweeps.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  return ctx;
}

}  // namespace openalb
