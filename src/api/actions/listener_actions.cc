#include "api/actions/listener_actions.h"

#include "alb/api_names.h"
#include "alb/listener_options.h"
#include "alb/listeners.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/actions/tag_actions.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

Json ListenerJson(const ListenerView& view, const TagsByResource& tags) {
  const Listener& l = view.listener;
  Json out;
  out["ListenerId"] = l.listener_id;
  out["LoadBalancerId"] = l.load_balancer_id;
  out["ListenerProtocol"] = l.protocol;
  out["ListenerPort"] = l.port;
  out["ListenerStatus"] = l.status;
  out["ListenerDescription"] = l.description;
  out["Certificates"] = Json::array();
  if (!view.default_certificate_id.empty()) {
    Json certificate;
    certificate["CertificateId"] = view.default_certificate_id;
    out["Certificates"].push_back(std::move(certificate));
  }
  out["DefaultActions"] = Json::array();
  if (!l.forward_server_group_id.empty()) {
    Json tuple;
    tuple["ServerGroupId"] = l.forward_server_group_id;
    Json action;
    action["Type"] = "ForwardGroup";
    action["ForwardGroupConfig"]["ServerGroupTuples"] = Json::array({tuple});
    out["DefaultActions"].push_back(std::move(action));
  }
  Json options = ListenerOptionsJson(ListenerOptionsFromJson(l.attributes));
  for (auto& [key, value] : options.items()) out[key] = value;
  if (l.protocol == "HTTP") out["Http2Enabled"] = false;    // HTTP/2 is negotiated over TLS
  if (l.protocol == "HTTP") out.erase("SecurityPolicyId");  // no TLS, no policy
  if (l.protocol != "HTTPS") out.erase("QuicConfig");       // an HTTPS listener's upgrade
  out["Tags"] = TagsJson(tags, l.listener_id);
  // Always present, with empty AclRelations when there are none (Terraform's ACL attachment
  // waits on AclConfig.AclRelations and fails when the field is missing).
  Json relations = Json::array();
  for (const auto& acl : view.acls)
    relations.push_back({{"AclId", acl.acl_id}, {"Status", acl.status}});
  out["AclConfig"] = {{"AclRelations", std::move(relations)}};
  if (!view.acls.empty()) out["AclConfig"]["AclType"] = view.acls.front().acl_type;
  return out;
}

// The one certificate of Certificates, if given (a listener has one default certificate).
Result<std::optional<std::string>> ReadDefaultCertificate(const ParameterReader& params) {
  auto ids = ReadCertificateIds(params, "Certificates", 1);
  if (!ids) return Fail(ids.error());
  if (ids->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{ids->front()};
}

// The server group of DefaultActions (one ForwardGroup action with one server group), if
// given: DefaultActions.1.Type=ForwardGroup and
// DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId, or the JSON form.
Result<std::optional<std::string>> ReadForwardGroup(const ParameterReader& params) {
  auto actions = params.NestedObjectList("DefaultActions", 1);
  if (!actions) return Fail(actions.error());
  if (actions->empty()) return std::optional<std::string>{};
  const ParameterObject& action = actions->front();
  auto type = action.find("Type");
  if (type == action.end() || type->second.empty()) {
    return Fail(errors::MissingParameter("DefaultActions.Type"));
  }
  if (type->second != "ForwardGroup") {
    return Fail(errors::InvalidParameter("DefaultActions.Type",
                                         "a listener's default action is ForwardGroup"));
  }
  constexpr std::string_view kTuples = "ForwardGroupConfig.ServerGroupTuples.";
  std::optional<std::string> group;
  for (const auto& [path, value] : action) {
    if (path == "Type") continue;
    if (path == std::string(kTuples) + "1.ServerGroupId") {
      group = value;
    } else if (path.starts_with(kTuples)) {
      return Fail(
          errors::InvalidParameter("DefaultActions.ForwardGroupConfig.ServerGroupTuples",
                                   "a default action forwards to exactly one server group"));
    } else {
      return Fail(errors::InvalidParameter("DefaultActions." + path, "unknown field"));
    }
  }
  if (!group || group->empty()) {
    return Fail(errors::MissingParameter(
        "DefaultActions.ForwardGroupConfig.ServerGroupTuples.ServerGroupId"));
  }
  return std::optional<std::string>{std::move(*group)};
}

// The listener attributes the request sets, as a patch for MergeListenerOptions:
// IdleTimeout, RequestTimeout, GzipEnabled, Http2Enabled and XForwardedForConfig (flattened
// `XForwardedForConfig.XForwardedForEnabled=true` or one JSON object).
Result<Json> ReadListenerAttributes(const ParameterReader& params) {
  Json patch = Json::object();
  for (const char* name :
       {"IdleTimeout", "RequestTimeout", "GzipEnabled", "Http2Enabled", "SecurityPolicyId"}) {
    if (auto value = params.Get(name); value && !value->empty()) patch[name] = std::string(*value);
  }
  Json xff = Json::object();
  if (auto json = params.Get("XForwardedForConfig"); json && !json->empty()) {
    xff = Json::parse(*json, nullptr, /*allow_exceptions=*/false);
    if (!xff.is_object()) {
      return Fail(errors::InvalidParameter("XForwardedForConfig", "expected a JSON object"));
    }
  }
  for (const auto& [name, value] : params.WithPrefix("XForwardedForConfig.")) {
    xff[name] = value;
  }
  if (!xff.empty()) patch["XForwardedForConfig"] = std::move(xff);
  Json quic = Json::object();
  if (auto json = params.Get("QuicConfig"); json && !json->empty()) {
    quic = Json::parse(*json, nullptr, /*allow_exceptions=*/false);
    if (!quic.is_object()) {
      return Fail(errors::InvalidParameter("QuicConfig", "expected a JSON object"));
    }
  }
  for (const auto& [name, value] : params.WithPrefix("QuicConfig.")) quic[name] = value;
  if (!quic.empty()) patch["QuicConfig"] = std::move(quic);
  return patch;
}

Result<Json> CreateListenerAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto port = context.params.Integer("ListenerPort", 1, 65535);
  if (!port) return Fail(port.error());
  auto certificate = ReadDefaultCertificate(context.params);
  if (!certificate) return Fail(certificate.error());
  auto forward = ReadForwardGroup(context.params);
  if (!forward) return Fail(forward.error());
  auto attributes = ReadListenerAttributes(context.params);
  if (!attributes) return Fail(attributes.error());
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  CreateListenerRequest request{
      .write = std::move(*write),
      .load_balancer_id = std::string(*context.params.Get("LoadBalancerId")),
      .protocol = std::string(*context.params.Get("ListenerProtocol")),
      .port = static_cast<int>(port->value_or(0)),
      .default_certificate_id = certificate->value_or(""),
      .description = std::string(context.params.Get("ListenerDescription").value_or("")),
      .forward_server_group_id = forward->value_or(""),
      .attributes = std::move(*attributes),
      .tags = std::move(*tags)};
  auto job = CreateListener(context.services.domain, request);
  if (!job) return Fail(job.error());
  Json body = JobBody(*job);
  body["ListenerId"] = job->resource_id;
  return body;
}

Result<Json> GetListenerAttributeAction(ActionContext& context) {
  auto view = GetListener(context.services.domain, context.request.caller.account_id,
                          *context.params.Get("ListenerId"));
  if (!view) return Fail(view.error());
  auto tags = TagsFor(context, {view->listener.listener_id});
  if (!tags) return Fail(tags.error());
  return ListenerJson(*view, *tags);
}

Result<Json> ListListenersAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  ListenerFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("ListenerIds", 20);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto lbs = context.params.StringList("LoadBalancerIds", 20);
  if (!lbs) return Fail(lbs.error());
  filter.load_balancer_ids = std::move(*lbs);
  filter.protocol = std::string(context.params.Get("ListenerProtocol").value_or(""));
  Json body;
  body["Listeners"] = Json::array();
  auto any = ApplyTagFilter(context, "listener", filter.ids);
  if (!any) return Fail(any.error());
  if (!*any) {
    AddPageFields(body, 0, *page, std::nullopt);
    return body;
  }
  auto found = ListListeners(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  auto tags = TagsForPage(context, found->items,
                          [](const ListenerView& view) { return view.listener.listener_id; });
  if (!tags) return Fail(tags.error());
  for (const auto& view : found->items) body["Listeners"].push_back(ListenerJson(view, *tags));
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<Json> UpdateListenerAttributeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto certificate = ReadDefaultCertificate(context.params);
  if (!certificate) return Fail(certificate.error());
  UpdateListenerRequest request{.write = std::move(*write),
                                .listener_id = std::string(*context.params.Get("ListenerId")),
                                .default_certificate_id = *certificate,
                                .description = {},
                                .forward_server_group_id = {}};
  auto forward = ReadForwardGroup(context.params);
  if (!forward) return Fail(forward.error());
  request.forward_server_group_id = std::move(*forward);
  auto attributes = ReadListenerAttributes(context.params);
  if (!attributes) return Fail(attributes.error());
  request.attributes = std::move(*attributes);
  if (auto description = context.params.Get("ListenerDescription")) {
    request.description = std::string(*description);
  }
  auto job = UpdateListener(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

// AccessLogRecordCustomizedHeadersEnabled and AccessLogTracingConfig (flattened
// `AccessLogTracingConfig.TracingEnabled=true`, or one JSON object) as a LogConfig patch.
Result<Json> UpdateListenerLogConfigAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  Json log = Json::object();
  if (auto v = context.params.Get("AccessLogRecordCustomizedHeadersEnabled"); v && !v->empty()) {
    log["AccessLogRecordCustomizedHeadersEnabled"] = std::string(*v);
  }
  Json tracing = Json::object();
  if (auto json = context.params.Get("AccessLogTracingConfig"); json && !json->empty()) {
    tracing = Json::parse(*json, nullptr, /*allow_exceptions=*/false);
    if (!tracing.is_object()) {
      return Fail(errors::InvalidParameter("AccessLogTracingConfig", "expected a JSON object"));
    }
  }
  for (const auto& [name, value] : context.params.WithPrefix("AccessLogTracingConfig.")) {
    tracing[name] = value;
  }
  if (!tracing.empty()) log["AccessLogTracingConfig"] = std::move(tracing);
  auto job = UpdateListenerLogConfig(context.services.domain, *write,
                                     *context.params.Get("ListenerId"), log);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

// StartListener, StopListener and DeleteListener take a ListenerId and return a JobId.
template <Result<Job> (*Operation)(const Domain&, const WriteRequest&, std::string_view)>
Result<Json> ListenerJobAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto job = Operation(context.services.domain, *write, *context.params.Get("ListenerId"));
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

}  // namespace

void RegisterListenerActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kCreateListener, AccessLevel::kWrite,
                      {"LoadBalancerId", "ListenerProtocol", "ListenerPort"},
                      ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                      CreateListenerAction));
  table.Add(AlbAction(api_name::kGetListenerAttribute, AccessLevel::kRead, {"ListenerId"},
                      ListenerLoadBalancer(), GetListenerAttributeAction));
  table.Add(AlbAction(api_name::kListListeners, AccessLevel::kList, {}, AllResources("alb"),
                      ListListenersAction));
  table.Add(AlbAction(api_name::kUpdateListenerAttribute, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), UpdateListenerAttributeAction));
  table.Add(AlbAction(api_name::kUpdateListenerLogConfig, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), UpdateListenerLogConfigAction));
  table.Add(AlbAction(api_name::kStartListener, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), ListenerJobAction<StartListener>));
  table.Add(AlbAction(api_name::kStopListener, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), ListenerJobAction<StopListener>));
  table.Add(AlbAction(api_name::kDeleteListener, AccessLevel::kDelete, {"ListenerId"},
                      ListenerLoadBalancer(), ListenerJobAction<DeleteListener>));
}

}  // namespace openalb
