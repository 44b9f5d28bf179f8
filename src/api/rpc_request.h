// RpcRequest: one authenticated OpenAPI call as the action handlers receive it — the
// action, the caller and every parameter, with the transport details policy needs.
#pragma once

#include <memory>
#include <string>

#include "api/parameters.h"
#include "auth/ram_policy.h"

namespace openalb {

enum class ResponseFormat { kJson, kXml };
enum class SignatureVersion { kV1, kV3 };

struct Caller {
  std::string account_id;
  std::string access_key_id;
  SignatureVersion signature_version = SignatureVersion::kV1;
  std::string user_name;                         // empty: the account's root
  std::shared_ptr<const UserPolicies> policies;  // a RAM user's; what it may do
};

struct RpcRequest {
  std::string request_id;  // upper-case UUID, echoed as RequestId
  std::string action;
  std::string version;
  std::string region_id;  // the region served (the request's RegionId, if given, matched it)
  ResponseFormat format = ResponseFormat::kJson;
  ParameterMap params;  // query and body parameters together, common ones included
  Caller caller;
  std::string host;  // Host header, echoed as HostId in errors
  std::string source_ip;
  bool secure_transport = false;
};

}  // namespace openalb
