// Signature vectors captured from the official Node SDKs (tests/sdk/make-vectors.js):
// real requests with their signing key, for replay through openalb's own verification.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace openalb::testing {

struct SdkVector {
  std::string name;
  std::string access_key_id;
  std::string secret;
  HttpRequestView request;
  std::chrono::system_clock::time_point signed_at;  // x-acs-date or Timestamp
};

std::vector<SdkVector> LoadSdkVectors();

}  // namespace openalb::testing
