// The access log: one structured line (logfmt) per API request with the request id,
// action, caller key id, HTTP status, error code and latency. Never a secret, signature
// or parameter value; anything the client chose is sanitised to one printable token.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <string_view>

namespace openalb {

struct AccessLogEntry {
  std::string_view request_id;
  std::string_view method;
  std::string_view action;         // as the client named it; sanitised when written
  std::string_view access_key_id;  // empty when authentication failed before it was known
  std::string_view remote_ip;
  int status = 0;
  std::string_view code;  // empty on success
  std::chrono::microseconds latency{0};
};

void WriteAccessLog(spdlog::logger& log, const AccessLogEntry& entry);

}  // namespace openalb
