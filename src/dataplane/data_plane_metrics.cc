// DataPlane::WriteMetrics: the data plane's gauges, read under its lock from the served
// listeners' current snapshots and the shared session state.
#include <algorithm>
#include <limits>

#include "dataplane/data_plane.h"

namespace openalb {

void DataPlane::WriteMetrics(PrometheusText& out, std::int64_t now_ms) const {
  std::vector<std::pair<std::string, std::string>> listeners;  // (id, protocol)
  std::vector<std::shared_ptr<const ListenerTelemetry>> telemetry;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, served] : served_) {
      listeners.emplace_back(id, served.quic ? "QUIC" : served.tls ? "HTTPS" : "HTTP");
      telemetry.push_back(served.telemetry);
    }
  }
  out.Family("openalb_listener_served", "gauge",
             "Listeners this node serves (1 each), by listener id and protocol.");
  for (const auto& [id, protocol] : listeners) {
    out.Sample("openalb_listener_served", {{"listener_id", id}, {"protocol", protocol}}, 1);
  }
  out.Family("openalb_dataplane_connections", "gauge",
             "Client connections the listeners hold now (TCP and QUIC), by state.");
  const std::size_t open = sessions_->connections.Open();
  const std::size_t idle = sessions_->connections.Idle();
  out.Sample("openalb_dataplane_connections", {{"state", "active"}},
             static_cast<double>(open - std::min(open, idle)));
  out.Sample("openalb_dataplane_connections", {{"state", "idle"}}, static_cast<double>(idle));
  out.Family("openalb_dataplane_buffered_request_bytes", "gauge",
             "Request body bytes the listeners hold at once (--dataplane-max-buffered-mib).");
  out.Sample("openalb_dataplane_buffered_request_bytes", {},
             static_cast<double>(sessions_->buffers.used()));
  out.Family("openalb_certificate_expiry_days", "gauge",
             "Days until each served certificate expires (negative: expired).");
  for (const auto& [id, not_after_ms] :
       ExpiringWithin(now_ms, std::numeric_limits<std::int64_t>::max() / 2)) {
    out.Sample("openalb_certificate_expiry_days", {{"certificate_id", id}},
               static_cast<double>(not_after_ms - now_ms) / (24.0 * 3600 * 1000));
  }
  ListenerTelemetry::WriteAll(out, telemetry);
  health_.WriteMetrics(out);
  if (access_log_) access_log_->WriteMetrics(out);
}

std::vector<DataPlane::ListenerTotals> DataPlane::Totals() const {
  std::vector<ListenerTotals> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, served] : served_) {
    out.push_back({id, served.telemetry->Answered(), served.telemetry->ServerErrors()});
  }
  return out;
}

}  // namespace openalb
