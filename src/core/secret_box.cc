#include "core/secret_box.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace openalb {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) {
      std::fputs("fatal: OpenSSL has no AES-256-GCM\n", stderr);
      std::abort();
    }
    return fetched;
  }();
  return cipher;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

ApiError CannotOpen() {
  return ApiError{"InternalError", 500,
                  "The request processing has failed due to some unknown error.",
                  "secret box: sealed value is corrupt or belongs to another key or record"};
}

}  // namespace

std::string SecretBox::Seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string out(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kVersion;
  random_.Fill(bytes + 1, kNonceSize);
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok = ctx &&
            EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), key_.data(), bytes + 1, nullptr) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                              static_cast<int>(associated_data.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), bytes + 1 + kNonceSize, &len, Bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), bytes + 1 + kNonceSize + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                                bytes + 1 + kNonceSize + plaintext.size()) == 1;
  if (!ok) {
    std::fputs("fatal: AES-256-GCM encryption failed\n", stderr);
    std::abort();
  }
  return out;
}

Result<std::string> SecretBox::Open(std::string_view sealed,
                                    std::string_view associated_data) const {
  if (sealed.size() < 1 + kNonceSize + kTagSize || Bytes(sealed)[0] != kVersion) {
    return Fail(CannotOpen());
  }
  const size_t text_size = sealed.size() - 1 - kNonceSize - kTagSize;
  const unsigned char* nonce = Bytes(sealed) + 1;
  const unsigned char* ciphertext = nonce + kNonceSize;
  unsigned char tag[kTagSize];
  std::copy_n(ciphertext + text_size, kTagSize, tag);
  std::string out(text_size, '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  bool ok =
      ctx && EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), key_.data(), nonce, nullptr) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, ciphertext,
                        static_cast<int>(text_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) == 1;
  if (!ok) return Fail(CannotOpen());
  return out;
}

}  // namespace openalb
