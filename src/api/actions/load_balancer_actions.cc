#include "api/actions/load_balancer_actions.h"

#include "alb/api_names.h"
#include "alb/load_balancers.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/actions/tag_actions.h"
#include "api/services.h"

namespace openalb {
namespace {

Json LoadBalancerJson(const LoadBalancer& lb, std::string_view region_id,
                      const TagsByResource& tags) {
  Json out;
  out["LoadBalancerId"] = lb.load_balancer_id;
  out["LoadBalancerName"] = lb.name;
  out["LoadBalancerEdition"] = lb.edition;
  out["LoadBalancerStatus"] = lb.status;
  out["LoadBalancerBussinessStatus"] = "Normal";
  out["AddressType"] = lb.address_type;
  out["AddressIpVersion"] = "IPv4";
  out["VpcId"] = lb.vpc_id;
  out["DNSName"] = lb.load_balancer_id + "." + std::string(region_id) + ".alb.openalb.local";
  out["RegionId"] = region_id;
  out["CreateTime"] = IsoTime(lb.created_ms);
  out["Tags"] = TagsJson(tags, lb.load_balancer_id);
  return out;
}

Result<Json> CreateLoadBalancerAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  CreateLoadBalancerRequest request{
      .write = std::move(*write),
      .name = std::string(context.params.Get("LoadBalancerName").value_or("")),
      .edition = std::string(context.params.Get("LoadBalancerEdition").value_or("")),
      .vpc_id = std::string(context.params.Get("VpcId").value_or("")),
      .address_type = std::string(context.params.Get("AddressType").value_or("")),
      .tags = std::move(*tags)};
  auto job = CreateLoadBalancer(context.services.domain, request);
  if (!job) return Fail(job.error());
  Json body;
  body["LoadBalancerId"] = job->resource_id;
  body["JobId"] = job->job_id;
  return body;
}

Result<Json> GetLoadBalancerAttributeAction(ActionContext& context) {
  auto lb = GetLoadBalancer(context.services.domain, context.request.caller.account_id,
                            *context.params.Get("LoadBalancerId"));
  if (!lb) return Fail(lb.error());
  auto tags = TagsFor(context, {lb->load_balancer_id});
  if (!tags) return Fail(tags.error());
  return LoadBalancerJson(*lb, context.services.region.region_id, *tags);
}

Result<Json> ListLoadBalancersAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  LoadBalancerFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("LoadBalancerIds", 20);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto names = context.params.StringList("LoadBalancerNames", 10);
  if (!names) return Fail(names.error());
  filter.names = std::move(*names);
  filter.status = std::string(context.params.Get("LoadBalancerStatus").value_or(""));
  Json body;
  body["LoadBalancers"] = Json::array();
  auto any = ApplyTagFilter(context, "loadbalancer", filter.ids);
  if (!any) return Fail(any.error());
  if (!*any) {
    AddPageFields(body, 0, *page, std::nullopt);
    return body;
  }
  auto found = ListLoadBalancers(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  auto tags = TagsForPage(context, found->items,
                          [](const LoadBalancer& lb) { return lb.load_balancer_id; });
  if (!tags) return Fail(tags.error());
  for (const auto& lb : found->items) {
    body["LoadBalancers"].push_back(LoadBalancerJson(lb, context.services.region.region_id, *tags));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<Json> DeleteLoadBalancerAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto job =
      DeleteLoadBalancer(context.services.domain, *write, *context.params.Get("LoadBalancerId"));
  if (!job) return Fail(job.error());
  Json body;
  body["JobId"] = job->job_id;
  return body;
}

}  // namespace

void RegisterLoadBalancerActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kCreateLoadBalancer, AccessLevel::kWrite, {"LoadBalancerEdition"},
                      NewResource("alb", "loadbalancer"), CreateLoadBalancerAction));
  table.Add(AlbAction(api_name::kGetLoadBalancerAttribute, AccessLevel::kRead, {"LoadBalancerId"},
                      ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                      GetLoadBalancerAttributeAction));
  table.Add(AlbAction(api_name::kListLoadBalancers, AccessLevel::kList, {}, AllResources("alb"),
                      ListLoadBalancersAction));
  table.Add(AlbAction(api_name::kDeleteLoadBalancer, AccessLevel::kDelete, {"LoadBalancerId"},
                      ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                      DeleteLoadBalancerAction));
}

}  // namespace openalb
