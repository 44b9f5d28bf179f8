#include "api/error_catalogue.h"

#include <nlohmann/json.hpp>

#include <string>

#include "core/crypto.h"

namespace openalb::errors {
namespace {

ApiError Make(std::string_view code, int status, std::string message) {
  return ApiError{std::string(code), status, std::move(message), {}};
}

}  // namespace

ApiError UnsupportedHttpMethod(std::string_view method) {
  return Make("UnsupportedHTTPMethod", 405,
              "The HTTP method " + std::string(method) +
                  " is not supported; RPC-style requests use GET or POST.");
}

ApiError InvalidPath(std::string_view path) {
  return Make("InvalidApi.NotFound", 404,
              "Specified api is not found, please check your url and method: path " +
                  std::string(path) + " is not served; RPC-style requests use path /.");
}

ApiError InvalidAction(std::string_view action) {
  return Make(
      "InvalidAction.NotFound", 404,
      "Specified api is not found, please check your url and method: " + std::string(action) + ".");
}

ApiError InvalidVersion(std::string_view version) {
  return Make("InvalidVersion", 400,
              "Specified parameter Version is not valid: " + std::string(version) + ".");
}

ApiError NoPermission(const Denial& d) {
  ApiError error =
      Make("Forbidden.NoPermission", 403,
           "You are not authorized to do this action. Action: " + std::string(d.ram_action) +
               ", Resource: " + std::string(d.resource) + ".");
  const char* type = d.explicit_deny ? "ExplicitDeny" : "ImplicitDeny";
  // What real ALB encodes for its DecodeDiagnosticMessage: here plain JSON in base64.
  nlohmann::json diagnostic = {
      {"AuthAction", d.ram_action}, {"AuthResource", d.resource}, {"NoPermissionType", type}};
  if (d.explicit_deny) diagnostic["DenyPolicyName"] = d.denied_by;
  error.access_denied_detail = {
      {"PolicyType", "AccountLevelIdentityBasedPolicy"},
      {"AuthPrincipalOwnerId", std::string(d.account_id)},
      {"AuthPrincipalType", "SubUser"},
      {"AuthPrincipalDisplayName", std::string(d.user_name)},
      {"NoPermissionType", type},
      {"AuthAction", std::string(d.ram_action)},
      {"EncodedDiagnosticMessage", Base64Encode(diagnostic.dump())},
  };
  return error;
}

ApiError InvalidRegionId(std::string_view region_id) {
  return Make("InvalidRegionId", 400,
              "The specified RegionId " + std::string(region_id) + " is not served here.");
}

ApiError UnsupportedSecurityToken() {
  return Make("InvalidSecurityToken.NotSupported", 400,
              "STS security tokens are not supported by this endpoint; sign the request with "
              "an AccessKey pair.");
}

ApiError IncompleteSignature(std::string_view why) {
  return Make(
      "IncompleteSignature", 400,
      "The request signature does not conform to Aliyun standards: " + std::string(why) + ".");
}

ApiError InvalidSignatureMethod(std::string_view method) {
  return Make("InvalidSignatureMethod", 400,
              "Specified signature method " + std::string(method) +
                  " is not supported; use HMAC-SHA1 or ACS3-HMAC-SHA256.");
}

ApiError InvalidTimestampFormat() {
  return Make("InvalidTimeStamp.Format", 400,
              "Specified time stamp or date value is not well formatted.");
}

ApiError InvalidTimestampExpired(std::string_view timestamp, std::string_view server_time) {
  return Make("InvalidTimeStamp.Expired", 400,
              "Specified time stamp or date value is expired: " + std::string(timestamp) +
                  " is more than 15 minutes from the server time " + std::string(server_time) +
                  " (UTC).");
}

ApiError InvalidTimestampBeyondNonceWindow(std::string_view timestamp) {
  return Make("InvalidTimeStamp.Expired", 400,
              "Specified time stamp or date value is expired: at the current request rate the "
              "server can check signature nonces only for more recent timestamps than " +
                  std::string(timestamp) + ". Sign the request again with the current time.");
}

ApiError SignatureNonceUsed() {
  return Make("SignatureNonceUsed", 400, "Specified signature nonce was used already.");
}

ApiError AccessKeyNotFound() {
  return Make("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.");
}

ApiError AccessKeyInactive() {
  return Make("InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled.");
}

ApiError SignatureDoesNotMatch(std::string_view server_string_to_sign) {
  return Make("SignatureDoesNotMatch", 400,
              "Specified signature is not matched with our calculation. server string to sign "
              "is:" +
                  std::string(server_string_to_sign));
}

ApiError InternalError(std::string_view internal_detail) {
  ApiError e =
      Make("InternalError", 500, "The request processing has failed due to some unknown error.");
  e.internal = std::string(internal_detail);
  return e;
}

ApiError MalformedRequest() {
  return Make("MalformedRequest", 400, "The request is not well-formed HTTP/1.1.");
}

ApiError RequestHeaderFieldsTooLarge(std::size_t limit_bytes) {
  return Make("RequestHeaderFieldsTooLarge", 431,
              "The request line and headers together are larger than the server accepts (" +
                  std::to_string(limit_bytes) + " bytes).");
}

ApiError RequestEntityTooLarge(std::uint64_t limit_bytes) {
  return Make("RequestEntityTooLarge", 413,
              "The request body is larger than the server accepts (" + std::to_string(limit_bytes) +
                  " bytes).");
}

ApiError TooManyConnectionsFromClient(std::size_t limit) {
  return Make("Throttling", 429,
              "Too many open connections from this address (limit " + std::to_string(limit) +
                  "); reuse or close the ones you hold.");
}

ApiError TooManyConnections(std::size_t limit) {
  return Make("ServiceUnavailable", 503,
              "The server holds as many connections as it accepts (" + std::to_string(limit) +
                  "); try again shortly.");
}

ApiError ThrottlingUser() {
  return Make("Throttling.User", 400, "Request was denied due to user flow control.");
}

}  // namespace openalb::errors
