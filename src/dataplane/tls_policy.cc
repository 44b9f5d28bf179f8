#include "dataplane/tls_policy.h"

#include <openssl/err.h>

#include <algorithm>
#include <memory>

namespace openalb {
namespace {

struct VersionName {
  const char* name;
  int version;
  std::uint64_t disable;
};
constexpr VersionName kVersions[] = {
    {"TLSv1.0", TLS1_VERSION, SSL_OP_NO_TLSv1},
    {"TLSv1.1", TLS1_1_VERSION, SSL_OP_NO_TLSv1_1},
    {"TLSv1.2", TLS1_2_VERSION, SSL_OP_NO_TLSv1_2},
    {"TLSv1.3", TLS1_3_VERSION, SSL_OP_NO_TLSv1_3},
};

ApiError PolicyError(const std::string& what) {
  ERR_clear_error();
  return ApiError{"InternalError", 500, "The listener's security policy cannot be served.", what};
}

}  // namespace

bool ClientHelloListsTls13(SSL* ssl) {
  const unsigned char* data = nullptr;
  size_t length = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_supported_versions, &data, &length) != 1 ||
      length < 1) {
    return false;
  }
  // A one-byte list length, then two-byte versions.
  const size_t list = std::min<size_t>(data[0], length - 1);
  for (size_t i = 0; i + 1 < list; i += 2) {
    if (((data[1 + i] << 8) | data[2 + i]) == TLS1_3_VERSION) return true;
  }
  return false;
}

Result<CompiledTlsPolicy> CompiledTlsPolicy::Compile(const TlsPolicyConfig& config) {
  CompiledTlsPolicy out;
  out.min_version_ = 0;
  out.max_version_ = 0;
  for (const auto& [name, version, disable] : kVersions) {
    if (std::find(config.versions.begin(), config.versions.end(), name) == config.versions.end()) {
      continue;
    }
    if (out.min_version_ == 0) out.min_version_ = version;
    out.max_version_ = version;
  }
  if (out.min_version_ == 0) return Fail(PolicyError("the policy allows no TLS version"));
  for (const auto& [name, version, disable] : kVersions) {
    const bool listed =
        std::find(config.versions.begin(), config.versions.end(), name) != config.versions.end();
    if (!listed && version > out.min_version_ && version < out.max_version_) {
      out.disabled_ |= disable;
    }
  }
  out.legacy_ = out.min_version_ < TLS1_2_VERSION;
  for (const auto& cipher : config.ciphers) {
    std::string& list = cipher.starts_with("TLS_") ? out.ciphersuites_ : out.cipher_list_;
    if (!list.empty()) list += ':';
    list += cipher;
  }
  // What OpenSSL makes of the lists, checked once here rather than on a handshake.
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> probe(SSL_CTX_new(TLS_server_method()),
                                                          SSL_CTX_free);
  if (!probe) return Fail(PolicyError("SSL_CTX_new failed"));
  if (out.legacy_) SSL_CTX_set_security_level(probe.get(), 0);
  if (out.min_version_ < TLS1_3_VERSION &&
      (out.cipher_list_.empty() ||
       SSL_CTX_set_cipher_list(probe.get(), out.cipher_list_.c_str()) != 1)) {
    return Fail(PolicyError("OpenSSL offers none of the policy's TLS 1.2 (and earlier) ciphers"));
  }
  if (out.max_version_ == TLS1_3_VERSION &&
      (out.ciphersuites_.empty() ||
       SSL_CTX_set_ciphersuites(probe.get(), out.ciphersuites_.c_str()) != 1)) {
    return Fail(PolicyError("OpenSSL offers none of the policy's TLS 1.3 cipher suites"));
  }
  return out;
}

void CompiledTlsPolicy::ApplyTo(SSL* ssl) const {
  SSL_set_min_proto_version(ssl, min_version_);
  SSL_set_max_proto_version(ssl, max_version_);
  if (disabled_ != 0) SSL_set_options(ssl, disabled_);
  if (legacy_) SSL_set_security_level(ssl, 0);
  if (max_version_ == TLS1_3_VERSION) {
    SSL_set_ciphersuites(ssl, ciphersuites_.c_str());
    // A TLS 1.3 handshake chooses among those suites only: the list of the earlier versions
    // (11 µs to parse, a twentieth of an ECDSA handshake) is not needed.
    if (ClientHelloListsTls13(ssl)) return;
  }
  if (min_version_ < TLS1_3_VERSION) SSL_set_cipher_list(ssl, cipher_list_.c_str());
}

}  // namespace openalb
