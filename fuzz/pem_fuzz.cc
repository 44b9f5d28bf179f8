// libFuzzer target: certificate import — a PEM chain and a private key as a client uploads
// them (UploadUserCertificate, `openalb certs import`), validated by OpenSSL and our checks.
// The input is "<chain>\0<key>"; without a NUL the key is empty.
#include <cstdint>
#include <string>
#include <string_view>

#include "alb/certificate_pem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string_view chain = input.substr(0, nul);
  std::string_view key = nul == std::string_view::npos ? std::string_view{} : input.substr(nul + 1);
  (void)openalb::ValidateCertificatePem(
      chain, key, std::chrono::system_clock::time_point(std::chrono::seconds(1795000000)));
  return 0;
}
