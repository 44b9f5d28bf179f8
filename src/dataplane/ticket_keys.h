// TicketKeys: the keys that encrypt TLS session tickets on every listener port, rotated on a
// schedule. A new key is made every `rotation`; tickets are issued under the newest only, and
// the one before it still decrypts until the next rotation (the ticket is then renewed under
// the newest), so a ticket is accepted for one to two rotations and a key stolen from memory
// opens at most two rotations' worth of sessions. Keys come from OpenSSL's CSPRNG, live only in
// memory (never written anywhere) and are wiped when replaced. Rotation happens lazily, on
// the first ticket operation after it is due, by the injected clock. Thread-safe: one mutex.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <mutex>

#include "core/clock.h"

namespace openalb {

class TicketKeys {
 public:
  // `clock` must outlive this.
  TicketKeys(std::chrono::milliseconds rotation, const Clock& clock);
  ~TicketKeys();
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  // Makes `ctx` (a base context connections start on: OpenSSL takes the ticket callback from
  // it even after the client hello moves a connection to a certificate's context) encrypt
  // tickets with the keys of the TicketKeys each connection is attached to.
  static void InstallOn(SSL_CTX* ctx, std::chrono::milliseconds rotation);
  // Makes these the keys of `ssl`'s tickets; `ssl` must not outlive this.
  void AttachTo(SSL* ssl);
  std::chrono::milliseconds rotation() const { return rotation_; }

 private:
  struct Key {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes{};
    std::array<unsigned char, 32> hmac{};
    std::chrono::system_clock::time_point created{};
    bool valid = false;
  };
  static int Callback(SSL* ssl, unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                      EVP_MAC_CTX* mac, int encrypt);
  // Encrypt: 1 with the newest key. Decrypt: 1 by the newest, 2 (renew) by the one before,
  // 0 (full handshake) for any other.
  int Handle(unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
             bool encrypt);
  void RotateIfDue();  // REQUIRES: mutex_ held
  static Key NewKey(std::chrono::system_clock::time_point now);
  static void Wipe(Key& key);

  const std::chrono::milliseconds rotation_;
  const Clock& clock_;
  std::mutex mutex_;
  Key current_;   // GUARDED_BY(mutex_)
  Key previous_;  // GUARDED_BY(mutex_); decrypts only
};

}  // namespace openalb
