#include "api/actions/server_group_actions.h"

#include <charconv>

#include "alb/api_names.h"
#include "alb/server_group_attributes.h"
#include "alb/server_groups.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/actions/tag_actions.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

Json ServerGroupJson(const ServerGroupView& view, const TagsByResource& tags) {
  const ServerGroup& g = view.group;
  Json out;
  out["ServerGroupId"] = g.server_group_id;
  out["ServerGroupName"] = g.name;
  out["ServerGroupType"] = g.server_group_type;
  out["ServerGroupStatus"] = g.status;
  out["Protocol"] = g.protocol;
  out["Scheduler"] = g.scheduler;
  out["VpcId"] = g.vpc_id;
  out["ServerCount"] = view.server_count;
  out["RelatedListenerIds"] = view.listener_ids;
  out["RelatedLoadBalancerIds"] = view.load_balancer_ids;
  out["CreateTime"] = IsoTime(g.created_ms);
  // HealthCheckConfig, StickySessionConfig, UchConfig, UpstreamKeepaliveEnabled, … as set.
  const nlohmann::json attributes = ServerGroupAttributesJson(g.attributes);
  for (const auto& [key, value] : attributes.items()) out[key] = value;
  out["ConfigManagedEnabled"] = false;
  out["Tags"] = TagsJson(tags, g.server_group_id);
  return out;
}

Json ServerJson(const BackendServer& s) {
  Json out;
  out["ServerGroupId"] = s.server_group_id;
  out["ServerId"] = s.server_id;
  out["ServerIp"] = s.server_ip;
  out["ServerType"] = s.server_type;
  out["Port"] = s.port;
  out["Weight"] = s.weight;
  out["Description"] = s.description;
  out["Status"] = s.status;
  return out;
}

// A decimal field of one Servers entry, or `fallback` when absent.
Result<int> IntegerField(const ParameterObject& entry, std::string_view field, int fallback) {
  auto it = entry.find(field);
  if (it == entry.end()) return fallback;
  int value = 0;
  const std::string& text = it->second;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Fail(errors::InvalidParameter("Servers." + std::string(field), "expected an integer"));
  }
  return value;
}

Result<std::vector<ServerSpec>> ReadServers(const ParameterReader& params, std::string_view list,
                                            size_t max_items) {
  auto entries = params.ObjectList(list, max_items);
  if (!entries) return Fail(entries.error());
  std::vector<ServerSpec> out;
  for (const auto& entry : *entries) {
    ServerSpec spec;
    auto text = [&](std::string_view field) {
      auto it = entry.find(field);
      return it == entry.end() ? std::string() : it->second;
    };
    spec.server_id = text("ServerId");
    spec.server_ip = text("ServerIp");
    spec.server_type = text("ServerType");
    spec.description = text("Description");
    auto port = IntegerField(entry, "Port", 0);
    if (!port) return Fail(port.error());
    spec.port = *port;
    auto weight = IntegerField(entry, "Weight", 100);
    if (!weight) return Fail(weight.error());
    spec.weight = *weight;
    spec.weight_given = entry.find("Weight") != entry.end();
    spec.description_given = entry.find("Description") != entry.end();
    out.push_back(std::move(spec));
  }
  return out;
}

// The attributes a create or an update sets, as a patch (server_group_attributes.h).
Result<Json> ReadServerGroupAttributes(const ParameterReader& params) {
  Json patch = Json::object();
  for (const char* name : {"HealthCheckConfig", "StickySessionConfig", "UchConfig",
                           "ConnectionDrainConfig", "SlowStartConfig"}) {
    auto object = ReadNestedObject(params, name);
    if (!object) return Fail(object.error());
    if (!object->empty()) patch[name] = std::move(*object);
  }
  for (const char* name : {"UpstreamKeepaliveEnabled", "CrossZoneEnabled", "Ipv6Enabled",
                           "ServiceName", "ResourceGroupId"}) {
    if (auto value = params.Get(name)) patch[name] = std::string(*value);
  }
  return patch;
}

Result<Json> CreateServerGroupAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto text = [&](std::string_view name) {
    return std::string(context.params.Get(name).value_or(""));
  };
  CreateServerGroupRequest request{.write = std::move(*write),
                                   .name = text("ServerGroupName"),
                                   .server_group_type = text("ServerGroupType"),
                                   .protocol = text("Protocol"),
                                   .scheduler = text("Scheduler"),
                                   .vpc_id = text("VpcId")};
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  request.tags = std::move(*tags);
  auto attributes = ReadServerGroupAttributes(context.params);
  if (!attributes) return Fail(attributes.error());
  request.attributes = std::move(*attributes);
  auto job = CreateServerGroup(context.services.domain, request);
  if (!job) return Fail(job.error());
  Json body = JobBody(*job);
  body["ServerGroupId"] = job->resource_id;
  return body;
}

Result<Json> DeleteServerGroupAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto job =
      DeleteServerGroup(context.services.domain, *write, *context.params.Get("ServerGroupId"));
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

template <Result<Job> (*Operation)(const Domain&, const ChangeServersRequest&)>
Result<Json> ChangeServersAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto servers = ReadServers(context.params, "Servers",
                             static_cast<size_t>(context.services.domain.limits.servers_per_call));
  if (!servers) return Fail(servers.error());
  ChangeServersRequest request{.write = std::move(*write),
                               .server_group_id = std::string(*context.params.Get("ServerGroupId")),
                               .servers = std::move(*servers)};
  auto job = Operation(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> UpdateServerGroupAttributeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  UpdateServerGroupRequest request{
      .write = std::move(*write),
      .server_group_id = std::string(*context.params.Get("ServerGroupId"))};
  if (auto name = context.params.Get("ServerGroupName")) request.name = std::string(*name);
  if (auto scheduler = context.params.Get("Scheduler"); scheduler && !scheduler->empty()) {
    request.scheduler = std::string(*scheduler);
  }
  auto attributes = ReadServerGroupAttributes(context.params);
  if (!attributes) return Fail(attributes.error());
  request.attributes = std::move(*attributes);
  auto job = UpdateServerGroupAttribute(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> ReplaceServersAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  const auto limit = static_cast<size_t>(context.services.domain.limits.servers_per_call);
  auto added = ReadServers(context.params, "AddedServers", limit);
  if (!added) return Fail(added.error());
  auto removed = ReadServers(context.params, "RemovedServers", limit);
  if (!removed) return Fail(removed.error());
  ReplaceServersRequest request{
      .write = std::move(*write),
      .server_group_id = std::string(*context.params.Get("ServerGroupId")),
      .added = std::move(*added),
      .removed = std::move(*removed)};
  auto job = ReplaceServersInServerGroup(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> ListServerGroupsAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  ServerGroupFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("ServerGroupIds", 20);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto names = context.params.StringList("ServerGroupNames", 10);
  if (!names) return Fail(names.error());
  filter.names = std::move(*names);
  filter.vpc_id = std::string(context.params.Get("VpcId").value_or(""));
  filter.server_group_type = std::string(context.params.Get("ServerGroupType").value_or(""));
  Json body;
  body["ServerGroups"] = Json::array();
  auto any = ApplyTagFilter(context, "servergroup", filter.ids);
  if (!any) return Fail(any.error());
  if (!*any) {
    AddPageFields(body, 0, *page, std::nullopt);
    return body;
  }
  auto found = ListServerGroups(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  auto tags = TagsForPage(context, found->items,
                          [](const ServerGroupView& view) { return view.group.server_group_id; });
  if (!tags) return Fail(tags.error());
  for (const auto& view : found->items) {
    body["ServerGroups"].push_back(ServerGroupJson(view, *tags));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<Json> ListServerGroupServersAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  BackendServerFilter filter{.server_group_id = std::string(*context.params.Get("ServerGroupId"))};
  auto ids = context.params.StringList("ServerIds", 40);
  if (!ids) return Fail(ids.error());
  filter.server_ids = std::move(*ids);
  auto found = ListServerGroupServers(context.services.domain, context.request.caller.account_id,
                                      filter, *page);
  if (!found) return Fail(found.error());
  Json body;
  body["Servers"] = Json::array();
  for (const auto& server : found->items) body["Servers"].push_back(ServerJson(server));
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

}  // namespace

void RegisterServerGroupActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kCreateServerGroup, AccessLevel::kWrite, {"ServerGroupName"},
                      NewResource("alb", "servergroup"), CreateServerGroupAction));
  table.Add(AlbAction(api_name::kDeleteServerGroup, AccessLevel::kDelete, {"ServerGroupId"},
                      ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      DeleteServerGroupAction));
  table.Add(AlbAction(api_name::kListServerGroups, AccessLevel::kList, {}, AllResources("alb"),
                      ListServerGroupsAction));
  table.Add(AlbAction(api_name::kAddServersToServerGroup, AccessLevel::kWrite, {"ServerGroupId"},
                      ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      ChangeServersAction<AddServersToServerGroup>));
  table.Add(AlbAction(api_name::kRemoveServersFromServerGroup, AccessLevel::kWrite,
                      {"ServerGroupId"}, ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      ChangeServersAction<RemoveServersFromServerGroup>));
  table.Add(AlbAction(api_name::kUpdateServerGroupAttribute, AccessLevel::kWrite, {"ServerGroupId"},
                      ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      UpdateServerGroupAttributeAction));
  table.Add(AlbAction(api_name::kReplaceServersInServerGroup, AccessLevel::kWrite,
                      {"ServerGroupId"}, ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      ReplaceServersAction));
  table.Add(AlbAction(api_name::kUpdateServerGroupServersAttribute, AccessLevel::kWrite,
                      {"ServerGroupId"}, ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      ChangeServersAction<UpdateServerGroupServersAttribute>));
  table.Add(AlbAction(api_name::kListServerGroupServers, AccessLevel::kList, {"ServerGroupId"},
                      ResourceNamedBy("alb", "servergroup", "ServerGroupId"),
                      ListServerGroupServersAction));
}

}  // namespace openalb
