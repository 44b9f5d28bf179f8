// ApiError and Result<T>: how every layer reports a failure a client will see.
// Errors are values (std::expected), never exceptions across a request. An ApiError
// carries the wire code and HTTP status from the error catalogue (api/error_catalogue.h)
// plus a client-facing message; `internal` is for logs only and never reaches a client.
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace openalb {

struct ApiError {
  std::string code;  // wire code, e.g. "ResourceNotFound.Listener"
  int http_status = 400;
  std::string message;   // client-facing, with the documented %s filled in
  std::string internal;  // extra detail for the log line; never rendered
  // For a RAM denial: the AccessDeniedDetail fields real ALB adds, in order.
  std::vector<std::pair<std::string, std::string>> access_denied_detail;
};

template <typename T>
using Result = std::expected<T, ApiError>;

inline std::unexpected<ApiError> Fail(ApiError error) { return std::unexpected(std::move(error)); }

}  // namespace openalb
