#include "api/actions/job_actions.h"

#include "alb/api_names.h"
#include "alb/jobs.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"

namespace openalb {
namespace {

Json JobJson(const Job& job) {
  Json out;
  out["Id"] = job.job_id;
  out["ApiName"] = job.api_name;
  out["Status"] = job.status;
  out["ErrorCode"] = job.error_code;
  out["ErrorMessage"] = job.error_message;
  out["OperateType"] = job.operate_type;
  out["ResourceId"] = job.resource_id;
  out["ResourceType"] = job.resource_type;
  out["CreateTime"] = job.created_ms;
  out["ModifyTime"] = job.modified_ms;
  return out;
}

Result<Json> ListAsynJobsAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  JobFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("JobIds", 100);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto resources = context.params.StringList("ResourceIds", 100);
  if (!resources) return Fail(resources.error());
  filter.resource_ids = std::move(*resources);
  filter.resource_type = std::string(context.params.Get("ResourceType").value_or(""));
  filter.api_name = std::string(context.params.Get("ApiName").value_or(""));
  constexpr std::int64_t kMaxMs = 253402300799999;  // 9999-12-31
  auto begin = context.params.Integer("BeginTime", 0, kMaxMs);
  if (!begin) return Fail(begin.error());
  filter.created_from_ms = *begin;
  auto end = context.params.Integer("EndTime", 0, kMaxMs);
  if (!end) return Fail(end.error());
  filter.created_to_ms = *end;
  auto found = ListJobs(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  Json body;
  body["Jobs"] = Json::array();
  for (const auto& job : found->items) body["Jobs"].push_back(JobJson(job));
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

}  // namespace

void RegisterJobActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kListAsynJobs, AccessLevel::kRead, {}, AllResources("alb"),
                      ListAsynJobsAction));
}

}  // namespace openalb
