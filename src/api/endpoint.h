// Endpoint: the whole OpenAPI request pipeline, bytes in and bytes out, with no socket in
// sight: parse parameters (query and form body), choose the response format,
// authenticate, apply the caller's flow control, find the action, check the region and required
// parameters, authorise a RAM user's request against its policies, run the handler, render JSON or
// XML, write the access log line and, for a mutating action, the audit log entry. Thread-safe when
// its parts are.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <optional>

#include "api/action_table.h"
#include "api/api_metrics.h"
#include "api/authenticator.h"
#include "api/http_types.h"
#include "api/rate_limiter.h"
#include "api/rpc_request.h"
#include "api/services.h"
#include "core/random.h"

namespace openalb {

class Endpoint {
 public:
  Endpoint(const ActionTable& actions, Authenticator& authenticator, Services& services,
           Random& random, spdlog::logger& access_log, RateLimiter* rate_limiter = nullptr)
      : actions_(actions),
        authenticator_(authenticator),
        services_(services),
        random_(random),
        access_log_(access_log),
        rate_limiter_(rate_limiter) {}

  HttpReply Handle(const HttpRequestView& http);
  // Counts every answered request in `metrics` (for /metrics) from now on; it must outlive this.
  void SetMetrics(ApiMetrics* metrics) { metrics_ = metrics; }
  // The answer to a request the HTTP layer refused before it could be handled (malformed, over
  // a size or connection limit): the same envelope as every other error — RequestId, HostId,
  // Code, Message, Recommend, x-acs-request-id — in the format the request asked for when its
  // headers were read (Format in the query, or Accept), JSON otherwise; with its access log line.
  HttpReply Refuse(const ApiError& error, const HttpRequestView& partial);

 private:
  // `outcome` gains its RequestId.
  HttpReply Render(const RpcRequest& request, Result<Json>& outcome);
  void LogAccess(const HttpRequestView& http, const RpcRequest& request, const HttpReply& reply,
                 std::string_view code, std::chrono::steady_clock::time_point started);

  Result<Json> Process(const HttpRequestView& http, RpcRequest& request,
                       std::optional<PendingAudit>& audit);
  // Forbidden.NoPermission unless the caller is the account's root or its policies allow
  // `spec`'s RAM action on `resource` for this request.
  Result<void> Authorize(const RpcRequest& request, const ActionSpec& spec,
                         const std::string& resource);
  // Appends an audit entry the handler did not record (a denial, a failure).
  void AppendAudit(PendingAudit& audit, const ApiError* error);

  const ActionTable& actions_;
  Authenticator& authenticator_;
  Services& services_;
  Random& random_;
  spdlog::logger& access_log_;
  RateLimiter* rate_limiter_;  // null: no flow control
  ApiMetrics* metrics_ = nullptr;
};

}  // namespace openalb
