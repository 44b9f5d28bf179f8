// ListenerTelemetry: one served listener's data-plane counters — connections accepted and
// refused, TLS handshakes (by version and key type, resumptions, failures by reason),
// certificates served, requests by status class, body bytes, and the request, server-connect
// and server-response latency histograms. The data plane keeps one per listener across its
// snapshots (a new configuration does not reset them); every snapshot points at it, so a
// connection bumps the counters of the listener it was accepted by. Bumps are relaxed atomics
// in per-thread slots (core/metric_cells.h), summed on scrape: the hot path takes no lock.
// Labels are the listener's and its load balancer's ids, never anything a client sent.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metric_cells.h"
#include "core/prometheus_text.h"

namespace openalb {

enum class HandshakeFailure : std::uint8_t {
  kTimeout,   // the client did not finish within the handshake timeout
  kProtocol,  // TLS refused it: no shared version or cipher, a bad message, an alert
  kClosed,    // the client went away mid-handshake
  kCount,
};

// A handshake's TLS version as a label index: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3.
enum class TlsVersionLabel : std::uint8_t { kTls10, kTls11, kTls12, kTls13, kCount };
// OpenSSL's version number (TLS1_VERSION…) as a label index; TLS 1.3 for anything newer.
TlsVersionLabel TlsVersionLabelOf(int openssl_version);

class ListenerTelemetry {
 public:
  ListenerTelemetry(std::string listener_id, std::string load_balancer_id, std::string protocol)
      : listener_id_(std::move(listener_id)),
        load_balancer_id_(std::move(load_balancer_id)),
        protocol_(std::move(protocol)) {}
  ListenerTelemetry(const ListenerTelemetry&) = delete;
  ListenerTelemetry& operator=(const ListenerTelemetry&) = delete;

  // Connections (TCP accepts and QUIC connections).
  void Accepted() { accepted_.Add(); }
  void RefusedByAcl() { refused_acl_.Add(); }
  void RefusedByLimit() { refused_limit_.Add(); }

  void HandshakeDone(TlsVersionLabel version, bool ecdsa, bool resumed);
  void HandshakeFailed(HandshakeFailure why) {
    handshake_failures_[static_cast<size_t>(why)].Add();
  }

  // The counter of one certificate served (chosen for a handshake), created on first use and
  // kept while the listener is served: snapshots look theirs up once, when they are built.
  ShardedCounter* CertificateCounter(const std::string& certificate_id);

  // One request ended: `status` 0 when the client went away before any answer.
  void RequestDone(unsigned status, std::uint64_t bytes_in, std::uint64_t bytes_out,
                   std::chrono::microseconds duration);
  void UpstreamConnected(std::chrono::microseconds took) { upstream_connect_.Observe(took); }
  // A server's answer head arrived `took` after its request was sent.
  void UpstreamAnswered(std::chrono::microseconds took) { upstream_response_.Observe(took); }

  // Requests answered so far (every status class but none), and of them 5xx.
  std::uint64_t Answered() const;
  std::uint64_t ServerErrors() const { return requests_[5].Sum(); }

  const std::string& listener_id() const { return listener_id_; }
  const std::string& load_balancer_id() const { return load_balancer_id_; }

  // Writes every family for these listeners (each family's samples together, as the text
  // format requires).
  static void WriteAll(PrometheusText& out,
                       const std::vector<std::shared_ptr<const ListenerTelemetry>>& listeners);

 private:
  static constexpr size_t kStatusClasses = 6;  // none (no answer), 1xx … 5xx
  const std::string listener_id_;
  const std::string load_balancer_id_;
  const std::string protocol_;
  ShardedCounter accepted_, refused_acl_, refused_limit_;
  // [version][ecdsa][resumed]
  std::array<std::array<std::array<ShardedCounter, 2>, 2>,
             static_cast<size_t>(TlsVersionLabel::kCount)>
      handshakes_{};
  std::array<ShardedCounter, static_cast<size_t>(HandshakeFailure::kCount)> handshake_failures_{};
  std::array<ShardedCounter, kStatusClasses> requests_{};
  ShardedCounter bytes_in_, bytes_out_;
  LatencyHistogram request_duration_, upstream_connect_, upstream_response_;
  mutable std::mutex certificates_mutex_;
  std::map<std::string, std::unique_ptr<ShardedCounter>> certificates_;  // GUARDED_BY(mutex)
};

}  // namespace openalb
