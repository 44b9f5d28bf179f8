// The error catalogue: every wire error code the gateway layer returns, its HTTP status
// and its message template, in one place (STYLE rule 8). Domain errors of the ALB
// resources live beside them in alb/alb_errors.h once those resources exist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/api_error.h"
#include "core/common_errors.h"  // MissingParameter, InvalidParameter

namespace openalb::errors {

// Request shape.
ApiError UnsupportedHttpMethod(std::string_view method);
ApiError InvalidPath(std::string_view path);
ApiError InvalidAction(std::string_view action);
ApiError InvalidVersion(std::string_view version);
ApiError InvalidRegionId(std::string_view region_id);
ApiError UnsupportedSecurityToken();

// Authentication.
ApiError IncompleteSignature(std::string_view why);
ApiError InvalidSignatureMethod(std::string_view method);
ApiError InvalidTimestampFormat();
ApiError InvalidTimestampExpired(std::string_view timestamp, std::string_view server_time);
// Under overload the nonce cache forgets its oldest entries; older timestamps are refused.
ApiError InvalidTimestampBeyondNonceWindow(std::string_view timestamp);
ApiError SignatureNonceUsed();
ApiError AccessKeyNotFound();
ApiError AccessKeyInactive();
ApiError SignatureDoesNotMatch(std::string_view server_string_to_sign);

// Authorization: a RAM user's policies do not allow the action on the resource.
struct Denial {
  std::string_view ram_action;  // "alb:DissociateAdditionalCertificatesFromListener"
  std::string_view resource;    // the ARN
  std::string_view account_id;
  std::string_view user_name;
  bool explicit_deny = false;
  std::string_view denied_by;  // the policy whose Deny matched, if explicit
};
ApiError NoPermission(const Denial& denial);

// Flow control: the caller's AccessKey sent more than its rate (400, as ALB answers it).
ApiError ThrottlingUser();

// Transport: the request could not be read as HTTP/1.1, or is over a limit; and
// connection limits (each answered, then the connection closed).
ApiError MalformedRequest();
ApiError RequestHeaderFieldsTooLarge(std::size_t limit_bytes);
ApiError RequestEntityTooLarge(std::uint64_t limit_bytes);
ApiError TooManyConnectionsFromClient(std::size_t limit);  // 429 Throttling
ApiError TooManyConnections(std::size_t limit);            // 503 ServiceUnavailable

// Server side.
ApiError InternalError(std::string_view internal_detail);

}  // namespace openalb::errors
