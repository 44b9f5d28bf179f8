#include "api/endpoint.h"

#include <cctype>
#include <chrono>

#include "api/access_log.h"
#include "api/error_catalogue.h"
#include "api/parameter_reader.h"
#include "core/time_format.h"
#include "core/utf8.h"

namespace openalb {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Format parameter first, then the Accept header; JSON unless XML is asked for.
Result<ResponseFormat> ChooseFormat(const ParameterMap& params, const HttpRequestView& http) {
  if (auto it = params.find("Format"); it != params.end()) {
    if (EqualsIgnoreCase(it->second, "JSON")) return ResponseFormat::kJson;
    if (EqualsIgnoreCase(it->second, "XML")) return ResponseFormat::kXml;
    return Fail(errors::InvalidParameter("Format", "expected JSON or XML"));
  }
  if (auto accept = http.Header("accept")) {
    bool xml = accept->find("xml") != std::string_view::npos;
    bool json = accept->find("json") != std::string_view::npos;
    if (xml && !json) return ResponseFormat::kXml;
  }
  return ResponseFormat::kJson;
}

// The action or version: a V3 request names it in its (signed) header or a parameter, and
// both must agree; a V1 request only in its parameters, the ones its signature covers — an
// unsigned header must not choose what a V1 signature is taken to authorise.
Result<std::string> CommonValue(const RpcRequest& request, const HttpRequestView& http,
                                std::string_view header, std::string_view param) {
  auto from_param = request.params.find(param);
  auto from_header = request.caller.signature_version == SignatureVersion::kV3 ? http.Header(header)
                                                                               : std::nullopt;
  if (from_header && !from_header->empty()) {
    if (from_param != request.params.end() && from_param->second != *from_header) {
      return Fail(
          errors::InvalidParameter(param, "differs from the " + std::string(header) + " header"));
    }
    return std::string(*from_header);
  }
  if (from_param == request.params.end() || from_param->second.empty()) {
    return Fail(errors::MissingParameter(param));
  }
  return from_param->second;
}

}  // namespace

Result<void> Endpoint::Authorize(const RpcRequest& request, const ActionSpec& spec,
                                 const std::string& resource) {
  const Caller& caller = request.caller;
  if (caller.user_name.empty()) return {};  // the root may do anything in its account
  RamRequest ram{.action = spec.ram_action,
                 .resource = resource,
                 .source_ip = request.source_ip,
                 .secure_transport = request.secure_transport,
                 .now = services_.clock.Now(),
                 .lower_case_action = spec.ram_action_lower_case};
  std::string denied_by;
  RamDecision decision = RamDecision::kImplicitDeny;
  if (caller.policies && !caller.policies->unusable) {
    decision = EvaluatePolicies(caller.policies->policies, ram, &denied_by);
  }
  if (decision == RamDecision::kAllow) return {};
  return Fail(errors::NoPermission({.ram_action = spec.ram_action,
                                    .resource = resource,
                                    .account_id = caller.account_id,
                                    .user_name = caller.user_name,
                                    .explicit_deny = decision == RamDecision::kExplicitDeny,
                                    .denied_by = denied_by}));
}

void Endpoint::AppendAudit(PendingAudit& audit, const ApiError* error) {
  audit.entry.result = error == nullptr                          ? "Success"
                       : error->code == "Forbidden.NoPermission" ? "Denied"
                                                                 : "Failed";
  audit.entry.code = error == nullptr ? "" : error->code;
  auto appended = services_.store.Transact(
      TxMode::kWrite, [&](StoreTx& tx) { return tx.InsertAuditEntry(audit.entry); });
  if (!appended) {
    access_log_.error("event=audit_failed request_id={} detail=\"{}\"", audit.entry.request_id,
                      appended.error().internal);
  }
}

Result<Json> Endpoint::Process(const HttpRequestView& http, RpcRequest& request,
                               std::optional<PendingAudit>& audit) {
  if (http.method != "GET" && http.method != "POST") {
    return Fail(errors::UnsupportedHttpMethod(http.method));
  }
  std::string_view target = http.target;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query_string =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (path != "/") return Fail(errors::InvalidPath(path.substr(0, 128)));

  if (auto r = ParseUrlEncoded(query_string, request.params); !r) return Fail(r.error());
  // V3 signs the query string alone; V1 signs query and body together. Without a body
  // they are the same map.
  ParameterMap query_only;
  if (!http.body.empty()) {
    query_only = request.params;
    auto content_type = http.Header("content-type").value_or("");
    if (!content_type.starts_with("application/x-www-form-urlencoded")) {
      return Fail(errors::InvalidParameter(
          "Content-Type", "a request body must be application/x-www-form-urlencoded"));
    }
    if (auto r = ParseUrlEncoded(http.body, request.params); !r) return Fail(r.error());
  }
  auto format = ChooseFormat(request.params, http);
  if (!format) return Fail(format.error());
  request.format = *format;
  // Parameters end up in JSON (the store, job fingerprints, answers): text must be UTF-8.
  for (const auto& [name, value] : request.params) {
    if (!IsValidUtf8(name)) {
      return Fail(errors::InvalidParameter("a parameter name", "it is not valid UTF-8"));
    }
    if (!IsValidUtf8(value)) {
      return Fail(errors::InvalidParameter(name.substr(0, 128), "it is not valid UTF-8"));
    }
  }

  auto caller = authenticator_.Authenticate(
      SignedParts{.http = http,
                  .path = path,
                  .query = http.body.empty() ? request.params : query_only,
                  .all = request.params});
  if (!caller) return Fail(caller.error());
  request.caller = std::move(*caller);
  if (rate_limiter_ != nullptr &&
      !rate_limiter_->Allow(request.caller.access_key_id, services_.clock.Now())) {
    return Fail(errors::ThrottlingUser());
  }

  auto action = CommonValue(request, http, "x-acs-action", "Action");
  if (!action) return Fail(action.error());
  request.action = std::move(*action);
  auto version = CommonValue(request, http, "x-acs-version", "Version");
  if (!version) return Fail(version.error());
  request.version = std::move(*version);
  if (!actions_.KnowsVersion(request.version)) {
    return Fail(errors::InvalidVersion(request.version.substr(0, 64)));
  }
  const ActionSpec* spec = actions_.Find(request.version, request.action);
  if (spec == nullptr) return Fail(errors::InvalidAction(request.action.substr(0, 128)));

  // From here the caller and the action are known: a mutating request leaves an audit
  // entry whatever happens next (a missing parameter, another region, an id RAM cannot
  // judge), with the ARN once it is resolved.
  const bool mutating = spec->access == AccessLevel::kWrite || spec->access == AccessLevel::kDelete;
  if (mutating) {
    audit.emplace();
    audit->entry = {.time = FormatIso8601(services_.clock.Now()),
                    .request_id = request.request_id,
                    .account_id = request.caller.account_id,
                    .user_name = request.caller.user_name,
                    .access_key_id = request.caller.access_key_id,
                    .action = spec->ram_action,
                    .resource = "",
                    .source_ip = request.source_ip};
  }
  if (auto it = request.params.find("RegionId"); it != request.params.end() &&
                                                 !it->second.empty() &&
                                                 it->second != services_.region.region_id) {
    return Fail(errors::InvalidRegionId(it->second.substr(0, 64)));
  }
  ParameterReader reader(request.params);
  for (const auto& name : spec->required) {
    if (auto r = reader.Required(name); !r) return Fail(r.error());
  }
  ActionContext context{request, reader, services_};
  if (!mutating && request.caller.user_name.empty()) return spec->handler(context);

  auto resource = spec->resource(context);
  if (!resource) return Fail(resource.error());
  if (mutating) {
    audit->entry.resource = *resource;
    context.audit = &*audit;
  }
  if (auto allowed = Authorize(request, *spec, *resource); !allowed) return Fail(allowed.error());
  return spec->handler(context);
}

HttpReply Endpoint::Handle(const HttpRequestView& http) {
  auto started = std::chrono::steady_clock::now();
  RpcRequest request;
  request.request_id = random_.UuidUpper();
  request.host = std::string(http.Header("host").value_or("").substr(0, 255));
  request.source_ip = http.remote_ip;
  request.secure_transport = http.secure_transport;
  request.region_id = services_.region.region_id;

  std::optional<PendingAudit> audit;
  auto outcome = Process(http, request, audit);
  if (audit && !audit->recorded) AppendAudit(*audit, outcome ? nullptr : &outcome.error());
  HttpReply reply = Render(request, outcome);
  LogAccess(http, request, reply, outcome ? "" : outcome.error().code, started);
  return reply;
}

HttpReply Endpoint::Refuse(const ApiError& error, const HttpRequestView& partial) {
  auto started = std::chrono::steady_clock::now();
  RpcRequest request;
  request.request_id = random_.UuidUpper();
  request.host = std::string(partial.Header("host").value_or("").substr(0, 255));
  std::string_view target = partial.target;
  if (size_t question = target.find('?'); question != std::string_view::npos) {
    // Best effort: a query that does not parse leaves JSON, the default.
    (void)ParseUrlEncoded(target.substr(question + 1), request.params);
  }
  if (auto format = ChooseFormat(request.params, partial)) request.format = *format;
  Result<Json> outcome = Fail(error);
  HttpReply reply = Render(request, outcome);
  LogAccess(partial, request, reply, error.code, started);
  return reply;
}

HttpReply Endpoint::Render(const RpcRequest& request, Result<Json>& outcome) {
  HttpReply reply;
  reply.content_type = std::string(ContentTypeFor(request.format));
  reply.headers.emplace_back("x-acs-request-id", request.request_id);
  if (outcome) {
    (*outcome)["RequestId"] = request.request_id;
    reply.status = 200;
    reply.body = request.format == ResponseFormat::kXml
                     ? RenderXml(request.action + "Response", *outcome)
                     : RenderJson(*outcome);
    return reply;
  }
  const ApiError& error = outcome.error();
  reply.status = error.http_status;
  Json body = ErrorBody(error, request.request_id, request.host);
  reply.body = request.format == ResponseFormat::kXml ? RenderXml("Error", body) : RenderJson(body);
  if (!error.internal.empty()) {
    access_log_.warn("event=error request_id={} code={} detail=\"{}\"", request.request_id,
                     error.code, error.internal);
  }
  return reply;
}

void Endpoint::LogAccess(const HttpRequestView& http, const RpcRequest& request,
                         const HttpReply& reply, std::string_view code,
                         std::chrono::steady_clock::time_point started) {
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  std::string_view action = request.action;
  if (action.empty()) {
    auto it = request.params.find("Action");
    if (it != request.params.end())
      action = it->second;
    else
      action = http.Header("x-acs-action").value_or("");
  }
  if (metrics_ != nullptr) {
    // A request refused before it was parsed (a bad signature, say) has its version only in
    // its parameters or headers, as its action.
    std::string_view version = request.version;
    if (version.empty()) {
      auto it = request.params.find("Version");
      version = it != request.params.end() ? std::string_view(it->second)
                                           : http.Header("x-acs-version").value_or("");
    }
    metrics_->Record(version, action, code, latency);
  }
  WriteAccessLog(access_log_, {.request_id = request.request_id,
                               .method = http.method,
                               .action = action,
                               .access_key_id = request.caller.access_key_id,
                               .remote_ip = http.remote_ip,
                               .status = reply.status,
                               .code = code,
                               .latency = latency});
}

}  // namespace openalb
