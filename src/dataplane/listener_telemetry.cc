#include "dataplane/listener_telemetry.h"

#include <openssl/ssl.h>

#include <string_view>

namespace openalb {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(TlsVersionLabel::kCount)> kVersionNames =
    {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
constexpr std::array<std::string_view, static_cast<size_t>(HandshakeFailure::kCount)>
    kFailureNames = {"timeout", "protocol", "closed"};
constexpr std::array<std::string_view, 6> kStatusClassNames = {"none", "1xx", "2xx",
                                                               "3xx",  "4xx", "5xx"};

using Listeners = std::vector<std::shared_ptr<const ListenerTelemetry>>;

}  // namespace

TlsVersionLabel TlsVersionLabelOf(int openssl_version) {
  switch (openssl_version) {
    case TLS1_VERSION:
      return TlsVersionLabel::kTls10;
    case TLS1_1_VERSION:
      return TlsVersionLabel::kTls11;
    case TLS1_2_VERSION:
      return TlsVersionLabel::kTls12;
    default:
      return TlsVersionLabel::kTls13;
  }
}

void ListenerTelemetry::HandshakeDone(TlsVersionLabel version, bool ecdsa, bool resumed) {
  handshakes_[static_cast<size_t>(version)][ecdsa ? 1 : 0][resumed ? 1 : 0].Add();
}

ShardedCounter* ListenerTelemetry::CertificateCounter(const std::string& certificate_id) {
  std::lock_guard lock(certificates_mutex_);
  auto& counter = certificates_[certificate_id];
  if (!counter) counter = std::make_unique<ShardedCounter>();
  return counter.get();
}

std::uint64_t ListenerTelemetry::Answered() const {
  std::uint64_t sum = 0;
  for (size_t c = 1; c < kStatusClasses; ++c) sum += requests_[c].Sum();
  return sum;
}

void ListenerTelemetry::RequestDone(unsigned status, std::uint64_t bytes_in,
                                    std::uint64_t bytes_out, std::chrono::microseconds duration) {
  const size_t status_class = status >= 100 && status < 600 ? status / 100 : 0;
  requests_[status_class].Add();
  if (bytes_in > 0) bytes_in_.Add(bytes_in);
  if (bytes_out > 0) bytes_out_.Add(bytes_out);
  request_duration_.Observe(duration);
}

void ListenerTelemetry::WriteAll(PrometheusText& out, const Listeners& listeners) {
  auto ids = [](const ListenerTelemetry& l) {
    return MetricLabels{{"load_balancer_id", l.load_balancer_id_}, {"listener_id", l.listener_id_}};
  };
  auto with = [&](const ListenerTelemetry& l, std::string_view name, std::string_view value) {
    MetricLabels labels = ids(l);
    labels.emplace_back(name, value);
    return labels;
  };

  out.Family("openalb_dataplane_connections_accepted_total", "counter",
             "Client connections a listener admitted (TCP accepts and QUIC connections).");
  for (const auto& l : listeners) {
    MetricLabels labels = ids(*l);
    labels.emplace_back("protocol", l->protocol_);
    out.Sample("openalb_dataplane_connections_accepted_total", labels,
               static_cast<double>(l->accepted_.Sum()));
  }
  out.Family("openalb_dataplane_connections_refused_total", "counter",
             "Client connections a listener closed at once: by its ACL, or over a connection cap.");
  for (const auto& l : listeners) {
    out.Sample("openalb_dataplane_connections_refused_total", with(*l, "reason", "acl"),
               static_cast<double>(l->refused_acl_.Sum()));
    out.Sample("openalb_dataplane_connections_refused_total", with(*l, "reason", "limit"),
               static_cast<double>(l->refused_limit_.Sum()));
  }

  out.Family("openalb_tls_handshakes_total", "counter",
             "Completed TLS handshakes (QUIC's included), by TLS version, key type of the "
             "certificate served, and whether a session was resumed.");
  for (const auto& l : listeners) {
    for (size_t v = 0; v < kVersionNames.size(); ++v) {
      for (int key = 0; key < 2; ++key) {
        for (int resumed = 0; resumed < 2; ++resumed) {
          const std::uint64_t n = l->handshakes_[v][key][resumed].Sum();
          if (n == 0) continue;  // most combinations never happen: no series for them
          MetricLabels labels = ids(*l);
          labels.emplace_back("version", kVersionNames[v]);
          labels.emplace_back("key_type", key == 1 ? "ECDSA" : "RSA");
          labels.emplace_back("resumed", resumed == 1 ? "true" : "false");
          out.Sample("openalb_tls_handshakes_total", labels, static_cast<double>(n));
        }
      }
    }
  }
  out.Family("openalb_tls_handshake_failures_total", "counter",
             "TLS handshakes that did not complete, by reason: timeout, protocol (refused by "
             "TLS: no shared version or cipher, a bad message), closed (the client left).");
  for (const auto& l : listeners) {
    for (size_t r = 0; r < kFailureNames.size(); ++r) {
      out.Sample("openalb_tls_handshake_failures_total", with(*l, "reason", kFailureNames[r]),
                 static_cast<double>(l->handshake_failures_[r].Sum()));
    }
  }
  out.Family("openalb_tls_certificate_served_total", "counter",
             "Handshakes each certificate was chosen for, by certificate id.");
  for (const auto& l : listeners) {
    std::lock_guard lock(l->certificates_mutex_);
    for (const auto& [id, counter] : l->certificates_) {
      out.Sample("openalb_tls_certificate_served_total", with(*l, "certificate_id", id),
                 static_cast<double>(counter->Sum()));
    }
  }

  out.Family("openalb_dataplane_requests_total", "counter",
             "Requests a listener answered, by status class (none: the client left before "
             "an answer).");
  for (const auto& l : listeners) {
    for (size_t c = 0; c < kStatusClassNames.size(); ++c) {
      out.Sample("openalb_dataplane_requests_total", with(*l, "code_class", kStatusClassNames[c]),
                 static_cast<double>(l->requests_[c].Sum()));
    }
  }
  out.Family("openalb_dataplane_body_bytes_total", "counter",
             "Body bytes of requests received (in) and answers sent (out).");
  for (const auto& l : listeners) {
    out.Sample("openalb_dataplane_body_bytes_total", with(*l, "direction", "in"),
               static_cast<double>(l->bytes_in_.Sum()));
    out.Sample("openalb_dataplane_body_bytes_total", with(*l, "direction", "out"),
               static_cast<double>(l->bytes_out_.Sum()));
  }
  out.Family("openalb_dataplane_request_duration_seconds", "histogram",
             "From a request's head read to its answer's last byte written.");
  for (const auto& l : listeners) {
    out.Histogram("openalb_dataplane_request_duration_seconds", ids(*l),
                  l->request_duration_.Read());
  }
  out.Family("openalb_upstream_connect_duration_seconds", "histogram",
             "New connections to servers: from connect to ready (TLS included for HTTPS groups).");
  for (const auto& l : listeners) {
    out.Histogram("openalb_upstream_connect_duration_seconds", ids(*l),
                  l->upstream_connect_.Read());
  }
  out.Family("openalb_upstream_response_duration_seconds", "histogram",
             "From a request sent to a server to its answer's head.");
  for (const auto& l : listeners) {
    out.Histogram("openalb_upstream_response_duration_seconds", ids(*l),
                  l->upstream_response_.Read());
  }
}

}  // namespace openalb
