#include "core/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace openalb {
namespace {

// OpenSSL 3's one-shot HMAC() and SHA256() look the algorithm up under a global lock on
// every call. The algorithms are fetched once here and reused: a prepared HMAC context per
// digest is duplicated per call, which keeps the digest and costs no lookup.

[[noreturn]] void CryptoFailure(const char* what) {
  std::fprintf(stderr, "fatal: OpenSSL %s failed\n", what);
  std::abort();
}

const EVP_MD* FetchedDigest(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) CryptoFailure("digest fetch");
  return md;  // kept for the life of the process
}

const EVP_MD* Sha256Digest() {
  static const EVP_MD* md = FetchedDigest("SHA256");
  return md;
}

// An HMAC context with the digest set and no key yet; never used directly, only duplicated.
EVP_MAC_CTX* HmacTemplate(const char* digest) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) CryptoFailure("HMAC fetch");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context holds its own reference
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_CTX_set_params(ctx, params) != 1) CryptoFailure("HMAC setup");
  return ctx;
}

std::string Hmac(EVP_MAC_CTX* prepared, std::string_view key, std::string_view data) {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(prepared),
                                                                &EVP_MAC_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  // A zero-length key is legal for HMAC but OpenSSL wants a non-null pointer.
  static const unsigned char kEmpty = 0;
  const auto* key_bytes =
      key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (!ctx || EVP_MAC_init(ctx.get(), key_bytes, key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out, &len, sizeof out) != 1) {
    CryptoFailure("HMAC");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string HmacSha1(std::string_view key, std::string_view data) {
  static EVP_MAC_CTX* prepared = HmacTemplate("SHA1");
  return Hmac(prepared, key, data);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  static EVP_MAC_CTX* prepared = HmacTemplate("SHA256");
  return Hmac(prepared, key, data);
}

std::string Sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, Sha256Digest(), nullptr) != 1) {
    CryptoFailure("SHA256");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HexLower(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  return out;
}

std::string Base64Encode(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace openalb
