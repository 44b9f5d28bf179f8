// CompiledTlsPolicy: a listener's security policy (TlsPolicyConfig: ALB's version and cipher
// names) as OpenSSL takes it — protocol bounds, the versions between them switched off, the
// TLS 1.2-and-earlier cipher list and the TLS 1.3 suites — applied to each connection in the
// client-hello callback, before the certificate is chosen (so an ECDSA certificate is only
// picked when the policy lets the client use it) and before versions and ciphers are
// negotiated. A policy that lets TLS 1.0 or 1.1 in lowers OpenSSL's security level for that
// connection, since those versions sign with SHA-1 (Debian's default level refuses them).
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "core/api_error.h"
#include "dataplane/listener_config.h"

namespace openalb {

// Whether the client hello being processed lists TLS 1.3 in supported_versions (false outside
// the client-hello callback).
bool ClientHelloListsTls13(SSL* ssl);

class CompiledTlsPolicy {
 public:
  // InternalError naming the problem when OpenSSL can use none of a version's ciphers.
  static Result<CompiledTlsPolicy> Compile(const TlsPolicyConfig& config);

  void ApplyTo(SSL* ssl) const;
  // After the connection moved to its certificate's context (which resets the security
  // level, kept with the certificate in OpenSSL): the level TLS 1.0 and 1.1 need, again.
  void AfterContextSwitch(SSL* ssl) const {
    if (legacy_) SSL_set_security_level(ssl, 0);
  }

  int min_version() const { return min_version_; }
  int max_version() const { return max_version_; }

 private:
  int min_version_ = TLS1_2_VERSION;
  int max_version_ = TLS1_3_VERSION;
  std::uint64_t disabled_ = 0;  // SSL_OP_NO_… for versions inside the bounds not listed
  bool legacy_ = false;         // TLS 1.0 or 1.1 allowed
  std::string cipher_list_;     // TLS 1.2 and earlier; empty when the policy has none
  std::string ciphersuites_;    // TLS 1.3
};

}  // namespace openalb
