#include "api/actions/health_actions.h"

#include "alb/api_names.h"
#include "alb/health_check_templates.h"
#include "alb/listener_health.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/actions/tag_actions.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

constexpr const char* kTemplateFieldNames[] = {
    "HealthCheckConnectPort", "HealthCheckHost",   "HealthCheckHttpVersion", "HealthCheckInterval",
    "HealthCheckMethod",      "HealthCheckPath",   "HealthCheckProtocol",    "HealthCheckTimeout",
    "HealthyThreshold",       "UnhealthyThreshold"};

Json GroupHealthJson(const GroupHealthView& group) {
  Json out;
  out["ServerGroupId"] = group.server_group_id;
  out["ActionType"] = "ForwardGroup";
  out["HealthCheckEnabled"] = group.health_check_enabled ? "on" : "off";
  out["NonNormalServers"] = Json::array();
  for (const auto& server : group.non_normal_servers) {
    Json entry;
    entry["ServerId"] = server.server_id;
    entry["ServerIp"] = server.server_ip;
    entry["Port"] = server.port;
    entry["Status"] = server.status;
    if (!server.reason.reason_code.empty()) {
      entry["Reason"]["ReasonCode"] = server.reason.reason_code;
      if (!server.reason.expected.empty()) {
        entry["Reason"]["ExpectedResponse"] = server.reason.expected;
        entry["Reason"]["ActualResponse"] = server.reason.actual;
      }
    }
    out["NonNormalServers"].push_back(std::move(entry));
  }
  return out;
}

Result<Json> GetListenerHealthStatusAction(ActionContext& context) {
  auto include_rules = context.params.Bool("IncludeRule");
  if (!include_rules) return Fail(include_rules.error());
  const HealthChecker* checker = context.services.health;
  HealthLookup lookup = [checker](const std::string& group, const std::string& ip, int port) {
    return checker != nullptr ? checker->ReportOf(group, ip, port) : std::nullopt;
  };
  auto view =
      GetListenerHealth(context.services.domain, context.request.caller.account_id,
                        *context.params.Get("ListenerId"), include_rules->value_or(false), lookup);
  if (!view) return Fail(view.error());
  Json listener;
  listener["ListenerId"] = view->listener.listener_id;
  listener["ListenerPort"] = view->listener.port;
  listener["ListenerProtocol"] = view->listener.protocol;
  listener["ServerGroupInfos"] = Json::array();
  for (const auto& group : view->groups) {
    listener["ServerGroupInfos"].push_back(GroupHealthJson(group));
  }
  Json body;
  body["ListenerHealthStatus"] = Json::array({listener});
  body["RuleHealthStatus"] = Json::array();
  for (const auto& rule : view->rules) {
    Json entry;
    entry["RuleId"] = rule.rule_id;
    entry["ServerGroupInfos"] = Json::array();
    for (const auto& group : rule.groups)
      entry["ServerGroupInfos"].push_back(GroupHealthJson(group));
    body["RuleHealthStatus"].push_back(std::move(entry));
  }
  return body;
}

// The HealthCheck* fields a template request gives, as a patch.
Result<nlohmann::json> ReadTemplateFields(const ParameterReader& params) {
  nlohmann::json fields = nlohmann::json::object();
  for (const char* name : kTemplateFieldNames) {
    if (auto value = params.Get(name)) fields[name] = std::string(*value);
  }
  auto codes = params.StringList("HealthCheckCodes", 10);
  if (!codes) return Fail(codes.error());
  if (!codes->empty()) fields["HealthCheckCodes"] = *codes;
  return fields;
}

Json TemplateJson(const HealthCheckTemplate& t, const TagsByResource& tags) {
  Json out;
  out["HealthCheckTemplateId"] = t.template_id;
  out["HealthCheckTemplateName"] = t.name;
  const nlohmann::json fields = HealthCheckTemplateFields(t);
  for (const auto& [key, value] : fields.items()) out[key] = value;
  out["Tags"] = TagsJson(tags, t.template_id);
  return out;
}

Result<Json> CreateHealthCheckTemplateAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto fields = ReadTemplateFields(context.params);
  if (!fields) return Fail(fields.error());
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  HealthCheckTemplateRequest request{.write = std::move(*write)};
  if (auto name = context.params.Get("HealthCheckTemplateName")) request.name = std::string(*name);
  request.fields = std::move(*fields);
  request.tags = std::move(*tags);
  auto id = CreateHealthCheckTemplate(context.services.domain, request);
  if (!id) return Fail(id.error());
  Json body;
  body["HealthCheckTemplateId"] = *id;
  return body;
}

Result<Json> UpdateHealthCheckTemplateAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto fields = ReadTemplateFields(context.params);
  if (!fields) return Fail(fields.error());
  HealthCheckTemplateRequest request{
      .write = std::move(*write),
      .template_id = std::string(*context.params.Get("HealthCheckTemplateId"))};
  if (auto name = context.params.Get("HealthCheckTemplateName")) request.name = std::string(*name);
  request.fields = std::move(*fields);
  if (auto r = UpdateHealthCheckTemplate(context.services.domain, request); !r) {
    return Fail(r.error());
  }
  return Json::object();
}

Result<Json> DeleteHealthCheckTemplatesAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto ids = context.params.StringList("HealthCheckTemplateIds", 20);
  if (!ids) return Fail(ids.error());
  if (auto r = DeleteHealthCheckTemplates(context.services.domain, *write, *ids); !r) {
    return Fail(r.error());
  }
  return Json::object();
}

Result<Json> GetHealthCheckTemplateAction(ActionContext& context) {
  auto t = GetHealthCheckTemplate(context.services.domain, context.request.caller.account_id,
                                  *context.params.Get("HealthCheckTemplateId"));
  if (!t) return Fail(t.error());
  auto tags = TagsFor(context, {t->template_id});
  if (!tags) return Fail(tags.error());
  return TemplateJson(*t, *tags);
}

Result<Json> ListHealthCheckTemplatesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  HealthCheckTemplateFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("HealthCheckTemplateIds", 20);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto names = context.params.StringList("HealthCheckTemplateNames", 10);
  if (!names) return Fail(names.error());
  filter.names = std::move(*names);
  Json body;
  body["HealthCheckTemplates"] = Json::array();
  auto any = ApplyTagFilter(context, "healthchecktemplate", filter.ids);
  if (!any) return Fail(any.error());
  if (!*any) {
    AddPageFields(body, 0, *page, std::nullopt);
    return body;
  }
  auto found = ListHealthCheckTemplates(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  auto tags = TagsForPage(context, found->items,
                          [](const HealthCheckTemplate& t) { return t.template_id; });
  if (!tags) return Fail(tags.error());
  for (const auto& t : found->items) {
    body["HealthCheckTemplates"].push_back(TemplateJson(t, *tags));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<Json> ApplyHealthCheckTemplateAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto job = ApplyHealthCheckTemplate(context.services.domain, *write,
                                      *context.params.Get("HealthCheckTemplateId"),
                                      *context.params.Get("ServerGroupId"));
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

}  // namespace

void RegisterHealthActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kGetListenerHealthStatus, AccessLevel::kRead, {"ListenerId"},
                      ListenerLoadBalancer(), GetListenerHealthStatusAction));
  table.Add(AlbAction(api_name::kCreateHealthCheckTemplate, AccessLevel::kWrite, {},
                      NewResource("alb", "healthchecktemplate"), CreateHealthCheckTemplateAction));
  table.Add(AlbAction(api_name::kGetHealthCheckTemplateAttribute, AccessLevel::kRead,
                      {"HealthCheckTemplateId"},
                      ResourceNamedBy("alb", "healthchecktemplate", "HealthCheckTemplateId"),
                      GetHealthCheckTemplateAction));
  table.Add(AlbAction(api_name::kListHealthCheckTemplates, AccessLevel::kList, {},
                      AllResources("alb"), ListHealthCheckTemplatesAction));
  table.Add(AlbAction(api_name::kUpdateHealthCheckTemplateAttribute, AccessLevel::kWrite,
                      {"HealthCheckTemplateId"},
                      ResourceNamedBy("alb", "healthchecktemplate", "HealthCheckTemplateId"),
                      UpdateHealthCheckTemplateAction));
  table.Add(AlbAction(api_name::kDeleteHealthCheckTemplates, AccessLevel::kDelete, {},
                      ResourcesNamedBy("alb", "healthchecktemplate", "HealthCheckTemplateIds"),
                      DeleteHealthCheckTemplatesAction));
  // Authorised on the server group it changes (the template is only read).
  table.Add(AlbAction(api_name::kApplyHealthCheckTemplateToServerGroup, AccessLevel::kWrite,
                      {"HealthCheckTemplateId", "ServerGroupId"},
                      ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      ApplyHealthCheckTemplateAction));
}

}  // namespace openalb
