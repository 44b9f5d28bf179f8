#include "api/api_metrics.h"

namespace openalb {

bool IsAuthenticationFailure(std::string_view code) {
  for (const std::string_view prefix :
       {"SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId", "InvalidTimeStamp",
        "SignatureNonceUsed", "MissingSignature"}) {
    if (code.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

void ApiMetrics::Record(std::string_view version, std::string_view action, std::string_view code,
                        std::chrono::microseconds latency) {
  latency_.Observe(latency);
  const std::string_view named = actions_.Find(version, action) != nullptr ? action : "unknown";
  const std::string_view coded = code.empty() ? "Success" : code;
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(std::string(named), std::string(coded));
  auto it = requests_.find(key);
  if (it == requests_.end() && requests_.size() >= kMaxSeries) {
    key.second = "other";
    it = requests_.find(key);
  }
  if (it == requests_.end()) it = requests_.emplace(std::move(key), 0).first;
  ++it->second;
  if (IsAuthenticationFailure(code) && (authentication_failures_.contains(std::string(code)) ||
                                        authentication_failures_.size() < 64)) {
    ++authentication_failures_[std::string(code)];
  }
}

void ApiMetrics::Write(PrometheusText& out) const {
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests;
  std::map<std::string, std::uint64_t> failures;
  {
    std::lock_guard lock(mutex_);
    requests = requests_;
    failures = authentication_failures_;
  }
  out.Family("openalb_api_requests_total", "counter",
             "OpenAPI requests answered, by action and error code (Success when none).");
  for (const auto& [key, count] : requests) {
    out.Sample("openalb_api_requests_total", {{"action", key.first}, {"code", key.second}},
               static_cast<double>(count));
  }
  out.Family("openalb_api_authentication_failures_total", "counter",
             "OpenAPI requests refused for their signature, access key or timestamp, by code.");
  for (const auto& [code, count] : failures) {
    out.Sample("openalb_api_authentication_failures_total", {{"code", code}},
               static_cast<double>(count));
  }
  out.Family("openalb_api_request_duration_seconds", "histogram",
             "Time from an OpenAPI request's arrival to its answer.");
  out.Histogram("openalb_api_request_duration_seconds", {}, latency_.Read());
}

}  // namespace openalb
