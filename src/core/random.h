// Random: cryptographically secure bytes and the identifiers built from them
// (request ids, access keys, account ids). Behind an interface so tests can pin ids.
#pragma once

#include <cstddef>
#include <string>

namespace openalb {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with `size` bytes. Aborts the process if the system CSPRNG fails,
  // because every caller depends on unpredictability for security.
  virtual void Fill(unsigned char* out, size_t size) = 0;

  // An upper-case RFC 4122 version 4 UUID, e.g. "365F4154-92F6-4AE4-92F8-7FF34B540710".
  std::string UuidUpper();
  // `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
  std::string FromAlphabet(std::string_view alphabet, size_t length);
};

// Backed by OpenSSL's RAND_bytes. Thread-safe.
class SecureRandom final : public Random {
 public:
  void Fill(unsigned char* out, size_t size) override;
};

}  // namespace openalb
