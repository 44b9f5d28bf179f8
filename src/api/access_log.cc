#include "api/access_log.h"

#include <string>

namespace openalb {
namespace {

// Keeps at most 64 characters of [A-Za-z0-9._:-]; replaces anything else with '?'.
std::string Token(std::string_view raw) {
  if (raw.empty()) return "-";
  std::string out;
  for (char c : raw.substr(0, 64)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    out.push_back(ok ? c : '?');
  }
  return out;
}

}  // namespace

void WriteAccessLog(spdlog::logger& log, const AccessLogEntry& e) {
  if (!log.should_log(spdlog::level::info)) return;
  log.info(
      "event=request request_id={} method={} action={} access_key_id={} remote={} "
      "status={} code={} latency_us={}",
      Token(e.request_id), Token(e.method), Token(e.action), Token(e.access_key_id),
      Token(e.remote_ip), e.status, Token(e.code), e.latency.count());
}

}  // namespace openalb
