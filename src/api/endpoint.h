// Endpoint: the whole OpenAPI request pipeline, bytes in and bytes out, with no socket in
// sight: parse parameters (query and form body), choose the response format,
// authenticate, find the action, check the region and required parameters, run the
// handler, render JSON or XML, write the access log line. Thread-safe when its parts are.
#pragma once

#include <spdlog/logger.h>

#include "api/action_table.h"
#include "api/authenticator.h"
#include "api/http_types.h"
#include "api/rpc_request.h"
#include "api/services.h"
#include "core/random.h"

namespace openalb {

class Endpoint {
 public:
  Endpoint(const ActionTable& actions, Authenticator& authenticator, Services& services,
           Random& random, spdlog::logger& access_log)
      : actions_(actions),
        authenticator_(authenticator),
        services_(services),
        random_(random),
        access_log_(access_log) {}

  HttpReply Handle(const HttpRequestView& http);

 private:
  Result<Json> Process(const HttpRequestView& http, RpcRequest& request);

  const ActionTable& actions_;
  Authenticator& authenticator_;
  Services& services_;
  Random& random_;
  spdlog::logger& access_log_;
};

}  // namespace openalb
