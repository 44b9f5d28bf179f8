// What /metrics says of the OpenAPI port: requests by action and code, authentication
// failures, latency — and that a client cannot grow the series without bound.
#include "api/api_metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "api/actions/all_actions.h"

namespace openalb {
namespace {

std::string Text(const ApiMetrics& metrics) {
  PrometheusText text;
  metrics.Write(text);
  return text.Take();
}

TEST(ApiMetricsTest, RequestsCountByActionAndCodeAndUnknownActionsShareOneName) {
  const ActionTable actions = BuildActionTable();
  ApiMetrics metrics(actions);
  metrics.Record("2020-06-16", "ListListeners", "", std::chrono::microseconds(800));
  metrics.Record("2020-06-16", "ListListeners", "", std::chrono::microseconds(900));
  metrics.Record("2020-06-16", "GetListenerAttribute", "ResourceNotFound.Listener",
                 std::chrono::microseconds(500));
  metrics.Record("2020-06-16", "MadeUp<script>", "InvalidAction.NotFound",
                 std::chrono::microseconds(100));
  metrics.Record("2020-06-16", "AlsoMadeUp", "InvalidAction.NotFound",
                 std::chrono::microseconds(100));
  const std::string text = Text(metrics);
  EXPECT_NE(text.find("openalb_api_requests_total{action=\"ListListeners\",code=\"Success\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("openalb_api_requests_total{action=\"GetListenerAttribute\",code="
                      "\"ResourceNotFound.Listener\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "openalb_api_requests_total{action=\"unknown\",code=\"InvalidAction.NotFound\"} 2\n"),
      std::string::npos);
  EXPECT_EQ(text.find("MadeUp"), std::string::npos);
  EXPECT_NE(text.find("openalb_api_request_duration_seconds_count 5\n"), std::string::npos);
}

TEST(ApiMetricsTest, AuthenticationFailuresAreCountedByCode) {
  const ActionTable actions = BuildActionTable();
  ApiMetrics metrics(actions);
  metrics.Record("2020-06-16", "ListListeners", "SignatureDoesNotMatch",
                 std::chrono::microseconds(10));
  metrics.Record("2020-06-16", "ListListeners", "InvalidAccessKeyId.NotFound",
                 std::chrono::microseconds(10));
  metrics.Record("2020-06-16", "ListListeners", "Forbidden.RAM", std::chrono::microseconds(10));
  const std::string text = Text(metrics);
  EXPECT_NE(
      text.find("openalb_api_authentication_failures_total{code=\"SignatureDoesNotMatch\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("openalb_api_authentication_failures_total{code=\"InvalidAccessKeyId."
                      "NotFound\"} 1"),
            std::string::npos);
  EXPECT_EQ(text.find("authentication_failures_total{code=\"Forbidden.RAM\"}"), std::string::npos)
      << "an authorisation refusal is not an authentication failure";
}

TEST(ApiMetricsTest, PastTheSeriesCapNewCodesCountAsOther) {
  const ActionTable actions = BuildActionTable();
  ApiMetrics metrics(actions);
  for (std::size_t i = 0; i < ApiMetrics::kMaxSeries + 10; ++i) {
    metrics.Record("2020-06-16", "ListListeners", "Code" + std::to_string(i),
                   std::chrono::microseconds(1));
  }
  const std::string text = Text(metrics);
  EXPECT_NE(text.find("openalb_api_requests_total{action=\"ListListeners\",code=\"other\"} 10\n"),
            std::string::npos);
}

}  // namespace
}  // namespace openalb
