#include "core/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace openalb {

std::string Random::UuidUpper() {
  unsigned char b[16];
  Fill(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

std::string Random::FromAlphabet(std::string_view alphabet, size_t length) {
  std::string out;
  out.reserve(length);
  const unsigned limit = 256 - (256 % alphabet.size());
  unsigned char buf[64];
  while (out.size() < length) {
    Fill(buf, sizeof buf);
    for (unsigned char c : buf) {
      if (c >= limit) continue;
      out.push_back(alphabet[c % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

namespace {

void RandBytesOrDie(unsigned char* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    std::fputs("fatal: RAND_bytes failed\n", stderr);
    std::abort();
  }
}

// Each RAND_bytes call costs a lock and a getpid() (OpenSSL's fork check), once per request
// when every request needs an id. Small draws are served from a per-thread pool of CSPRNG
// output instead. The process never forks after start-up, so the pool cannot be shared
// with a child.
struct RandomPool {
  static constexpr size_t kSize = 4096;
  unsigned char bytes[kSize];
  size_t used = kSize;
};

thread_local RandomPool pool;

}  // namespace

void SecureRandom::Fill(unsigned char* out, size_t size) {
  if (size > RandomPool::kSize / 4) return RandBytesOrDie(out, size);
  if (RandomPool::kSize - pool.used < size) {
    RandBytesOrDie(pool.bytes, RandomPool::kSize);
    pool.used = 0;
  }
  std::memcpy(out, pool.bytes + pool.used, size);
  // Served bytes are wiped so they cannot be read back from memory later.
  OPENSSL_cleanse(pool.bytes + pool.used, size);
  pool.used += size;
}

}  // namespace openalb
