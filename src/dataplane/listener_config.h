// ListenerConfig: what the data plane must serve for one listener — its port and its
// certificates (the default first), as plain values. The domain (alb/served_listeners)
// derives it from the store; the data plane turns it into a bound port and a snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace openalb {

struct CertificateMaterial {
  std::string certificate_id;
  std::string fingerprint_sha256;  // a re-imported certificate under the same id rebuilds
  std::vector<std::string> names;  // lower-case DNS names (SANs, CN)
  bool ecdsa = false;
  std::string chain_pem;
  std::string sealed_private_key;  // opened by the data plane's key opener
  std::int64_t not_after_ms = 0;   // expiry, ms since the epoch
};

struct ListenerConfig {
  std::string listener_id;
  int port = 0;
  std::vector<CertificateMaterial> certificates;  // [0] is the default; never empty
};

}  // namespace openalb
