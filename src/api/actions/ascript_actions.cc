#include "api/actions/ascript_actions.h"

#include "alb/api_names.h"
#include "alb/ascripts.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

Result<std::vector<AScriptInput>> ReadScripts(const ParameterReader& params) {
  auto objects = params.NestedObjectList("AScripts", kAScriptsPerCall);
  if (!objects) return Fail(objects.error());
  std::vector<AScriptInput> out;
  for (auto& object : *objects) out.emplace_back(object.begin(), object.end());
  return out;
}

Result<Json> CreateAScriptsAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto scripts = ReadScripts(context.params);
  if (!scripts) return Fail(scripts.error());
  auto created =
      CreateAScripts(context.services.domain, *write, *context.params.Get("ListenerId"), *scripts);
  if (!created) return Fail(created.error());
  Json body;
  body["JobId"] = created->job.job_id;
  body["AScriptIds"] = Json::array();
  for (const auto& script : created->scripts) {
    body["AScriptIds"].push_back({{"AScriptId", script.ascript_id}, {"AScriptName", script.name}});
  }
  return body;
}

Result<Json> UpdateAScriptsAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto scripts = ReadScripts(context.params);
  if (!scripts) return Fail(scripts.error());
  auto job = UpdateAScripts(context.services.domain, *write, *scripts);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> DeleteAScriptsAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto ids = context.params.StringList("AScriptIds", kAScriptsPerCall);
  if (!ids) return Fail(ids.error());
  auto job = DeleteAScripts(context.services.domain, *write, *ids);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> ListAScriptsAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  AScriptFilter filter{.account_id = context.request.caller.account_id};
  for (auto [name, list] :
       {std::pair{"AScriptIds", &filter.ids}, std::pair{"AScriptNames", &filter.names},
        std::pair{"ListenerIds", &filter.listener_ids}}) {
    auto values = context.params.StringList(name, 20);
    if (!values) return Fail(values.error());
    *list = std::move(*values);
  }
  auto found = ListAScripts(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  Json body;
  body["AScripts"] = Json::array();
  for (const auto& script : found->items) {
    Json entry = AScriptSpecJson(script);
    entry["AScriptId"] = script.ascript_id;
    entry["AScriptName"] = script.name;
    entry["AScriptStatus"] = script.status;
    entry["ListenerId"] = script.listener_id;
    body["AScripts"].push_back(std::move(entry));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

}  // namespace

void RegisterAScriptActions(ActionTable& table) {
  // Authorised on the listener's load balancer, as ALB authorises them.
  table.Add(AlbAction(api_name::kCreateAScripts, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), CreateAScriptsAction));
  table.Add(AlbAction(api_name::kUpdateAScripts, AccessLevel::kWrite, {}, AllResources("alb"),
                      UpdateAScriptsAction));
  table.Add(AlbAction(api_name::kDeleteAScripts, AccessLevel::kDelete, {}, AllResources("alb"),
                      DeleteAScriptsAction));
  table.Add(AlbAction(api_name::kListAScripts, AccessLevel::kList, {}, AllResources("alb"),
                      ListAScriptsAction));
}

}  // namespace openalb
