#include "support/sdk_vectors.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

#include "api/parameters.h"
#include "core/time_format.h"

namespace openalb::testing {

std::vector<SdkVector> LoadSdkVectors() {
  std::ifstream in(std::string(OPENALB_TESTDATA_DIR) + "/sdk_signature_vectors.json");
  if (!in) throw std::runtime_error("cannot open sdk_signature_vectors.json");
  auto json = nlohmann::json::parse(in);
  std::vector<SdkVector> out;
  for (const auto& v : json) {
    SdkVector vector;
    vector.name = v["name"];
    vector.access_key_id = v["access_key_id"];
    vector.secret = v["secret"];
    vector.request.method = v["method"];
    vector.request.target = v["target"];
    vector.request.body = v["body"];
    vector.request.remote_ip = "127.0.0.1";
    for (const auto& h : v["headers"]) vector.request.headers.emplace_back(h[0], h[1]);
    std::string timestamp;
    if (auto date = vector.request.Header("x-acs-date")) {
      timestamp = std::string(*date);
    } else {
      ParameterMap params;
      std::string_view target = vector.request.target;
      auto q = target.find('?');
      if (q != std::string_view::npos) (void)ParseUrlEncoded(target.substr(q + 1), params);
      (void)ParseUrlEncoded(vector.request.body, params);
      timestamp = params.at("Timestamp");
    }
    vector.signed_at = *ParseIso8601(timestamp);
    out.push_back(std::move(vector));
  }
  return out;
}

}  // namespace openalb::testing
