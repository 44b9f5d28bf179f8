// ListenerTelemetry: what a scrape shows after bumps — requests by status class (unanswered
// ones as "none"), bytes, handshakes only where some happened, one counter per certificate.
#include "dataplane/listener_telemetry.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>

#include "dataplane/listener_snapshot.h"

namespace openalb {
namespace {

std::string Scrape(const std::shared_ptr<const ListenerTelemetry>& telemetry) {
  PrometheusText out;
  ListenerTelemetry::WriteAll(out, {telemetry});
  return out.Take();
}

TEST(ListenerTelemetryTest, CountsRequestsByStatusClassAndBytes) {
  auto telemetry = std::make_shared<ListenerTelemetry>("lsn-1", "alb-1", "HTTPS");
  telemetry->RequestDone(200, 10, 100, std::chrono::microseconds(300));
  telemetry->RequestDone(204, 0, 0, std::chrono::microseconds(300));
  telemetry->RequestDone(503, 0, 20, std::chrono::microseconds(300));
  telemetry->RequestDone(0, 5, 0, std::chrono::microseconds(300));    // the client left
  telemetry->RequestDone(999, 0, 0, std::chrono::microseconds(300));  // not a status: none
  const std::string text = Scrape(telemetry);
  const std::string ids = R"(load_balancer_id="alb-1",listener_id="lsn-1")";
  EXPECT_NE(text.find("openalb_dataplane_requests_total{" + ids + R"(,code_class="2xx"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("openalb_dataplane_requests_total{" + ids + R"(,code_class="5xx"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find("openalb_dataplane_requests_total{" + ids + R"(,code_class="none"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find("openalb_dataplane_body_bytes_total{" + ids + R"(,direction="in"} 15)"),
            std::string::npos);
  EXPECT_NE(text.find("openalb_dataplane_body_bytes_total{" + ids + R"(,direction="out"} 120)"),
            std::string::npos);
  EXPECT_NE(text.find("openalb_dataplane_request_duration_seconds_count{" + ids + "} 5"),
            std::string::npos);
}

TEST(ListenerTelemetryTest, HandshakeSeriesAppearOnlyOnceCounted) {
  auto telemetry = std::make_shared<ListenerTelemetry>("lsn-1", "alb-1", "HTTPS");
  EXPECT_EQ(Scrape(telemetry).find("openalb_tls_handshakes_total{"), std::string::npos);
  telemetry->HandshakeDone(TlsVersionLabelOf(TLS1_3_VERSION), true, true);
  telemetry->HandshakeDone(TlsVersionLabelOf(TLS1_VERSION), false, false);
  telemetry->HandshakeFailed(HandshakeFailure::kTimeout);
  const std::string text = Scrape(telemetry);
  EXPECT_NE(text.find(R"(version="TLSv1.3",key_type="ECDSA",resumed="true"} 1)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(version="TLSv1",key_type="RSA",resumed="false"} 1)"), std::string::npos);
  EXPECT_NE(
      text.find(
          R"(openalb_tls_handshake_failures_total{load_balancer_id="alb-1",listener_id="lsn-1",reason="timeout"} 1)"),
      std::string::npos);
  EXPECT_EQ(TlsVersionLabelOf(TLS1_2_VERSION), TlsVersionLabel::kTls12);
}

TEST(ListenerTelemetryTest, OneCounterPerCertificateForTheListenersLife) {
  auto telemetry = std::make_shared<ListenerTelemetry>("lsn-1", "alb-1", "HTTP");
  // A plain-HTTP snapshot serves no certificate: nothing to count, and no crash.
  ListenerSnapshot plain(1, nullptr);
  plain.set_telemetry(telemetry);
  EXPECT_EQ(Scrape(telemetry).find("openalb_tls_certificate_served_total{"), std::string::npos);
  ShardedCounter* a = telemetry->CertificateCounter("cert-a");
  EXPECT_EQ(a, telemetry->CertificateCounter("cert-a"));
  a->Add(3);
  EXPECT_NE(Scrape(telemetry).find(R"(certificate_id="cert-a"} 3)"), std::string::npos);
}

}  // namespace
}  // namespace openalb
