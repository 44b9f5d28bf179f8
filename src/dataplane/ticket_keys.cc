#include "dataplane/ticket_keys.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace openalb {
namespace {

int ExDataIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

TicketKeys::TicketKeys(std::chrono::milliseconds rotation, const Clock& clock)
    : rotation_(rotation), clock_(clock) {
  current_ = NewKey(clock_.Now());
}

TicketKeys::~TicketKeys() {
  Wipe(current_);
  Wipe(previous_);
}

TicketKeys::Key TicketKeys::NewKey(std::chrono::system_clock::time_point now) {
  Key key;
  if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
      RAND_bytes(key.aes.data(), static_cast<int>(key.aes.size())) != 1 ||
      RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed making a session ticket key");
  }
  key.created = now;
  key.valid = true;
  return key;
}

void TicketKeys::Wipe(Key& key) {
  OPENSSL_cleanse(key.aes.data(), key.aes.size());
  OPENSSL_cleanse(key.hmac.data(), key.hmac.size());
  key.valid = false;
}

void TicketKeys::AttachTo(SSL* ssl) { SSL_set_ex_data(ssl, ExDataIndex(), this); }

void TicketKeys::InstallOn(SSL_CTX* ctx, std::chrono::milliseconds rotation) {
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &TicketKeys::Callback);
  // OpenSSL's own lifetime check (and the hint sent to clients) matches what the keys allow.
  SSL_CTX_set_timeout(
      ctx, static_cast<long>(std::max<std::int64_t>(
               1, std::chrono::duration_cast<std::chrono::seconds>(2 * rotation).count())));
}

void TicketKeys::RotateIfDue() {
  const auto now = clock_.Now();
  if (now - current_.created < rotation_) return;
  Wipe(previous_);
  previous_ = current_;
  // Idle for two rotations or more: the old key has outlived any ticket it may open.
  if (now - current_.created >= 2 * rotation_) Wipe(previous_);
  current_ = NewKey(now);
}

int TicketKeys::Callback(SSL* ssl, unsigned char* key_name, unsigned char* iv,
                         EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int encrypt) {
  auto* keys = static_cast<TicketKeys*>(SSL_get_ex_data(ssl, ExDataIndex()));
  if (keys == nullptr) return encrypt ? -1 : 0;  // not attached: no ticket, full handshakes
  return keys->Handle(key_name, iv, cipher, mac, encrypt == 1);
}

int TicketKeys::Handle(unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                       EVP_MAC_CTX* mac, bool encrypt) {
  std::lock_guard lock(mutex_);
  RotateIfDue();
  const Key* key = nullptr;
  int found = 0;
  if (encrypt) {
    key = &current_;
    std::memcpy(key_name, key->name.data(), key->name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
    found = 1;
  } else if (std::memcmp(key_name, current_.name.data(), current_.name.size()) == 0) {
    key = &current_;
    found = 1;
  } else if (previous_.valid &&
             std::memcmp(key_name, previous_.name.data(), previous_.name.size()) == 0) {
    key = &previous_;
    found = 2;  // good, but renew it under the newest key
  } else {
    return 0;
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key->hmac.data()), key->hmac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  const int ok = encrypt
                     ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv)
                     : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv);
  return ok == 1 ? found : -1;
}

}  // namespace openalb
