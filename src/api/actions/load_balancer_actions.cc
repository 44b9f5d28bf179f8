#include "api/actions/load_balancer_actions.h"

#include "alb/api_names.h"
#include "alb/load_balancer_attributes.h"
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
  // ZoneMappings, LoadBalancerBillingConfig, AddressAllocatedMode, protection configs, … as set.
  Json attributes = LoadBalancerAttributesJson(lb.attributes);
  auto& protection = attributes["DeletionProtectionConfig"];
  if (protection.contains("EnabledTime")) {
    protection["EnabledTime"] = IsoTime(protection["EnabledTime"].get<std::int64_t>());
  }
  for (auto& [key, value] : attributes.items()) out[key] = value;
  return out;
}

// The attributes a CreateLoadBalancer or UpdateLoadBalancerAttribute gives, as a patch for
// MergeLoadBalancerAttributes (flattened `ZoneMappings.1.ZoneId` or the JSON form).
Result<Json> ReadLoadBalancerAttributes(const ParameterReader& params) {
  Json patch = Json::object();
  auto zones = params.ObjectList("ZoneMappings", 10);
  if (!zones) return Fail(zones.error());
  if (!zones->empty()) {
    patch["ZoneMappings"] = Json::array();
    for (const auto& zone : *zones) {
      Json entry = Json::object();
      for (const auto& [field, value] : zone) entry[field] = value;
      patch["ZoneMappings"].push_back(std::move(entry));
    }
  }
  for (const char* name : {"LoadBalancerBillingConfig", "ModificationProtectionConfig"}) {
    auto object = ReadNestedObject(params, name);
    if (!object) return Fail(object.error());
    if (!object->empty()) patch[name] = std::move(*object);
  }
  for (const char* name : {"AddressAllocatedMode", "AddressIpVersion", "ResourceGroupId",
                           "DeletionProtectionEnabled"}) {
    if (auto value = params.Get(name); value && !value->empty()) patch[name] = std::string(*value);
  }
  return patch;
}

Result<Json> CreateLoadBalancerAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  auto attributes = ReadLoadBalancerAttributes(context.params);
  if (!attributes) return Fail(attributes.error());
  CreateLoadBalancerRequest request{
      .write = std::move(*write),
      .name = std::string(context.params.Get("LoadBalancerName").value_or("")),
      .edition = std::string(context.params.Get("LoadBalancerEdition").value_or("")),
      .vpc_id = std::string(context.params.Get("VpcId").value_or("")),
      .address_type = std::string(context.params.Get("AddressType").value_or("")),
      .tags = std::move(*tags),
      .attributes = std::move(*attributes)};
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

Result<Json> UpdateLoadBalancerAttributeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto protection = ReadNestedObject(context.params, "ModificationProtectionConfig");
  if (!protection) return Fail(protection.error());
  UpdateLoadBalancerRequest request{
      .write = std::move(*write),
      .load_balancer_id = std::string(*context.params.Get("LoadBalancerId"))};
  if (auto name = context.params.Get("LoadBalancerName")) request.name = std::string(*name);
  if (!protection->empty()) request.attributes["ModificationProtectionConfig"] = *protection;
  auto job = UpdateLoadBalancer(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

ActionHandler DeletionProtectionAction(bool enabled) {
  return [enabled](ActionContext& context) -> Result<Json> {
    auto write = ReadWriteRequest(context);
    if (!write) return Fail(write.error());
    if (auto r = SetDeletionProtection(context.services.domain, *write,
                                       *context.params.Get("ResourceId"), enabled);
        !r) {
      return Fail(r.error());
    }
    return Json::object();
  };
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
  table.Add(AlbAction(api_name::kUpdateLoadBalancerAttribute, AccessLevel::kWrite,
                      {"LoadBalancerId"}, ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                      UpdateLoadBalancerAttributeAction));
  table.Add(AlbAction(api_name::kEnableDeletionProtection, AccessLevel::kWrite, {"ResourceId"},
                      ResourceNamedBy("alb", "loadbalancer", "ResourceId"),
                      DeletionProtectionAction(true)));
  table.Add(AlbAction(api_name::kDisableDeletionProtection, AccessLevel::kWrite, {"ResourceId"},
                      ResourceNamedBy("alb", "loadbalancer", "ResourceId"),
                      DeletionProtectionAction(false)));
  table.Add(AlbAction(api_name::kListLoadBalancers, AccessLevel::kList, {}, AllResources("alb"),
                      ListLoadBalancersAction));
  table.Add(AlbAction(api_name::kDeleteLoadBalancer, AccessLevel::kDelete, {"LoadBalancerId"},
                      ResourceNamedBy("alb", "loadbalancer", "LoadBalancerId"),
                      DeleteLoadBalancerAction));
}

}  // namespace openalb
