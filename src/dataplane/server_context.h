// Server TLS contexts: one OpenSSL SSL_CTX per served certificate, built from its PEM chain
// and private key, with the settings every listener shares (TLS 1.2 and 1.3, TLS 1.2 limited
// to ECDHE with AEAD suites, server cipher preference, no renegotiation). Contexts are immutable
// once built and shared by pointer.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string_view>

#include "core/api_error.h"

namespace openalb {

using SslCtxPtr = std::shared_ptr<SSL_CTX>;

// InternalError naming what failed (never the key) when the chain or key does not load.
Result<SslCtxPtr> MakeServerContext(std::string_view chain_pem, std::string_view key_pem);

// A context with no certificate of its own, on which connections start; the client-hello
// callback moves each connection to the context its SNI selects.
Result<SslCtxPtr> MakeBaseContext(SSL_client_hello_cb_fn on_client_hello);

}  // namespace openalb
