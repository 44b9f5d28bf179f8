#include "dataplane/listener_snapshot.h"

#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include <algorithm>
#include <cctype>

#include "core/ascii_case.h"

namespace openalb {
namespace {

std::uint16_t ReadU16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// signature_algorithms: list length(2), then 2-byte scheme ids; 0x0403/0x0503/0x0603 are
// ECDSA with SHA-256/384/512. A TLS 1.2 hello without the extension means the default
// (SHA-1 with the certificate's own algorithm), which does not rule ECDSA out.
bool ListsEcdsaSignatureScheme(SSL* ssl) {
  const unsigned char* data = nullptr;
  size_t length = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_signature_algorithms, &data, &length) != 1) {
    return true;
  }
  if (length < 2) return false;
  size_t list = std::min<size_t>(ReadU16(data), length - 2);
  for (size_t i = 0; i + 1 < list; i += 2) {
    std::uint16_t scheme = ReadU16(data + 2 + i);
    if (scheme == 0x0403 || scheme == 0x0503 || scheme == 0x0603) return true;
  }
  return false;
}

// supported_versions: list length(1), then 2-byte versions. The handshake will be TLS 1.3
// when the client lists 0x0304 and the server allows it.
bool NegotiatesTls13(SSL* ssl) {
  const long server_max = SSL_get_max_proto_version(ssl);
  if (server_max != 0 && server_max < TLS1_3_VERSION) return false;
  return ClientHelloListsTls13(ssl);
}

// A TLS 1.2 handshake with an ECDSA key needs an ECDHE-ECDSA cipher suite that both the
// client offers and the server enables.
bool OffersEnabledEcdsaCipherSuite(SSL* ssl) {
  const unsigned char* ids = nullptr;
  size_t length = SSL_client_hello_get0_ciphers(ssl, &ids);
  STACK_OF(SSL_CIPHER)* enabled = SSL_get_ciphers(ssl);
  for (size_t i = 0; i + 1 < length; i += 2) {
    const SSL_CIPHER* cipher = SSL_CIPHER_find(ssl, ids + i);
    if (cipher == nullptr || SSL_CIPHER_get_auth_nid(cipher) != NID_auth_ecdsa) continue;
    if (enabled == nullptr) return true;
    for (int j = 0; j < sk_SSL_CIPHER_num(enabled); ++j) {
      if (sk_SSL_CIPHER_value(enabled, j) == cipher) return true;
    }
  }
  return false;
}

}  // namespace

ListenerSnapshot::ListenerSnapshot(std::uint64_t version,
                                   std::shared_ptr<CertificateContexts> contexts,
                                   ServedCertificate default_certificate,
                                   std::vector<ServedCertificate> additional,
                                   std::shared_ptr<const BackendPool> forward,
                                   std::shared_ptr<const RouteTable> routes)
    : version_(version),
      contexts_(std::move(contexts)),
      default_(std::move(default_certificate)),
      additional_(std::move(additional)),
      forward_(std::move(forward)),
      routes_(std::move(routes)) {
  for (const auto& certificate : additional_) {
    for (const auto& name : certificate.names) by_name_[AsciiLower(name)].push_back(&certificate);
  }
  // The default certificate answers for its own names too, after any additional one.
  for (const auto& name : default_.names) by_name_[AsciiLower(name)].push_back(&default_);
}

ListenerSnapshot::ListenerSnapshot(std::uint64_t version,
                                   std::shared_ptr<const BackendPool> forward,
                                   std::shared_ptr<const RouteTable> routes)
    : version_(version), forward_(std::move(forward)), routes_(std::move(routes)) {}

std::vector<const ServedCertificate*> ListenerSnapshot::certificates() const {
  if (!contexts_) return {};
  std::vector<const ServedCertificate*> out{&default_};
  for (const auto& certificate : additional_) out.push_back(&certificate);
  return out;
}

void ListenerSnapshot::set_telemetry(std::shared_ptr<ListenerTelemetry> telemetry) {
  telemetry_ = std::move(telemetry);
  served_counters_.clear();
  if (!telemetry_) return;
  for (const ServedCertificate* certificate : certificates()) {
    served_counters_.push_back(telemetry_->CertificateCounter(certificate->certificate_id));
  }
}

void ListenerSnapshot::CountServed(const ServedCertificate& certificate) const {
  if (served_counters_.empty()) return;
  if (&certificate == &default_) return served_counters_[0]->Add();
  const auto index = static_cast<size_t>(&certificate - additional_.data());
  if (index < additional_.size()) served_counters_[1 + index]->Add();
}

const ServedCertificate* ListenerSnapshot::Best(
    const std::vector<const ServedCertificate*>& candidates, bool client_accepts_ecdsa) const {
  const ServedCertificate* rsa = nullptr;
  for (const ServedCertificate* candidate : candidates) {
    if (candidate->ecdsa && client_accepts_ecdsa) return candidate;
    if (!candidate->ecdsa && rsa == nullptr) rsa = candidate;
  }
  return rsa != nullptr ? rsa : candidates.front();
}

const ServedCertificate& ListenerSnapshot::Select(std::string_view server_name,
                                                  bool client_accepts_ecdsa) const {
  if (server_name.empty() || by_name_.empty()) return default_;
  std::string name = AsciiLower(server_name);
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    return *Best(it->second, client_accepts_ecdsa);
  }
  size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0 && dot + 1 < name.size()) {
    std::string wildcard(1, '*');
    wildcard.append(name, dot, std::string::npos);
    if (auto it = by_name_.find(wildcard); it != by_name_.end()) {
      return *Best(it->second, client_accepts_ecdsa);
    }
  }
  return default_;
}

ClientHelloInfo ReadClientHello(SSL* ssl) {
  ClientHelloInfo info;
  const unsigned char* data = nullptr;
  size_t length = 0;
  // server_name: list length(2), then entries of type(1) length(2) name.
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &data, &length) == 1 && length >= 2) {
    size_t list = ReadU16(data);
    const unsigned char* p = data + 2;
    const unsigned char* end = data + std::min(length, list + 2);
    while (p + 3 <= end) {
      unsigned type = p[0];
      size_t name_length = ReadU16(p + 1);
      p += 3;
      if (p + name_length > end) break;
      if (type == TLSEXT_NAMETYPE_host_name) {
        info.server_name =
            AsciiLower(std::string_view(reinterpret_cast<const char*>(p), name_length));
        break;
      }
      p += name_length;
    }
  }
  info.accepts_ecdsa = ListsEcdsaSignatureScheme(ssl) &&
                       (NegotiatesTls13(ssl) || OffersEnabledEcdsaCipherSuite(ssl));
  return info;
}

}  // namespace openalb
