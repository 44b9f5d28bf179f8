#include "api/actions/acl_actions.h"

#include "alb/acls.h"
#include "alb/api_names.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/actions/tag_actions.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

Json AclJson(const Acl& acl, const TagsByResource& tags) {
  Json out;
  out["AclId"] = acl.acl_id;
  out["AclName"] = acl.name;
  out["AclStatus"] = acl.status;
  out["AddressIPVersion"] = "IPv4";  // ALB's only kind; IPv6 entries are accepted too here
  out["ConfigManagedEnabled"] = false;
  out["ResourceGroupId"] = acl.resource_group_id;
  out["CreateTime"] = IsoTime(acl.created_ms);
  out["Tags"] = TagsJson(tags, acl.acl_id);
  return out;
}

Json JobIdBody(const Job& job) {
  Json body;
  body["JobId"] = job.job_id;
  return body;
}

Result<Json> CreateAclAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto tags = ReadRequestTags(context.params);
  if (!tags) return Fail(tags.error());
  AclRequest request{.write = std::move(*write)};
  if (auto name = context.params.Get("AclName")) request.name = std::string(*name);
  request.resource_group_id = std::string(context.params.Get("ResourceGroupId").value_or(""));
  request.tags = std::move(*tags);
  auto job = CreateAcl(context.services.domain, request);
  if (!job) return Fail(job.error());
  Json body = JobIdBody(*job);
  body["AclId"] = job->resource_id;
  return body;
}

Result<Json> UpdateAclAttributeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  AclRequest request{.write = std::move(*write),
                     .acl_id = std::string(*context.params.Get("AclId"))};
  if (auto name = context.params.Get("AclName")) request.name = std::string(*name);
  if (auto r = UpdateAclAttribute(context.services.domain, request); !r) return Fail(r.error());
  return Json::object();
}

Result<Json> DeleteAclAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto job = DeleteAcl(context.services.domain, *write, *context.params.Get("AclId"));
  if (!job) return Fail(job.error());
  return JobIdBody(*job);
}

Result<Json> ListAclsAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  AclFilter filter{.account_id = context.request.caller.account_id};
  auto ids = context.params.StringList("AclIds", 20);
  if (!ids) return Fail(ids.error());
  filter.ids = std::move(*ids);
  auto names = context.params.StringList("AclNames", 20);
  if (!names) return Fail(names.error());
  filter.names = std::move(*names);
  filter.resource_group_id = std::string(context.params.Get("ResourceGroupId").value_or(""));
  Json body;
  body["Acls"] = Json::array();
  auto any = ApplyTagFilter(context, "acl", filter.ids);
  if (!any) return Fail(any.error());
  if (!*any) {
    AddPageFields(body, 0, *page, std::nullopt);
    return body;
  }
  auto found = ListAcls(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  auto tags = TagsForPage(context, found->items, [](const Acl& acl) { return acl.acl_id; });
  if (!tags) return Fail(tags.error());
  for (const auto& acl : found->items) body["Acls"].push_back(AclJson(acl, *tags));
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<Json> AddEntriesToAclAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto objects = context.params.ObjectList("AclEntries", kAclEntriesPerCall);
  if (!objects) return Fail(objects.error());
  AclEntriesChange change{.write = std::move(*write),
                          .acl_id = std::string(*context.params.Get("AclId"))};
  for (const auto& object : *objects) {
    AclEntryInput input;
    for (const auto& [field, value] : object) {
      if (field == "Entry") {
        input.entry = value;
      } else if (field == "Description") {
        input.description = value;
      } else {
        return Fail(errors::InvalidParameter("AclEntries.N." + field, "unknown field"));
      }
    }
    change.entries.push_back(std::move(input));
  }
  auto job = AddEntriesToAcl(context.services.domain, change);
  if (!job) return Fail(job.error());
  return JobIdBody(*job);
}

Result<Json> RemoveEntriesFromAclAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto entries = context.params.StringList("Entries", kAclEntriesPerCall);
  if (!entries) return Fail(entries.error());
  AclEntriesChange change{.write = std::move(*write),
                          .acl_id = std::string(*context.params.Get("AclId"))};
  for (auto& entry : *entries) change.entries.push_back({std::move(entry), ""});
  auto job = RemoveEntriesFromAcl(context.services.domain, change);
  if (!job) return Fail(job.error());
  return JobIdBody(*job);
}

Result<Json> ListAclEntriesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  auto found = ListAclEntries(context.services.domain, context.request.caller.account_id,
                              *context.params.Get("AclId"), *page);
  if (!found) return Fail(found.error());
  Json body;
  body["AclEntries"] = Json::array();
  for (const auto& entry : found->items) {
    body["AclEntries"].push_back(
        {{"Entry", entry.entry}, {"Description", entry.description}, {"Status", entry.status}});
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

Result<ListenerAclChange> ReadListenerAclChange(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto ids = context.params.StringList("AclIds", kAclsPerListener);
  if (!ids) return Fail(ids.error());
  return ListenerAclChange{.write = std::move(*write),
                           .listener_id = std::string(*context.params.Get("ListenerId")),
                           .acl_ids = std::move(*ids),
                           .acl_type = std::string(context.params.Get("AclType").value_or(""))};
}

Result<Json> AssociateAclsWithListenerAction(ActionContext& context) {
  auto change = ReadListenerAclChange(context);
  if (!change) return Fail(change.error());
  auto job = AssociateAclsWithListener(context.services.domain, *change);
  if (!job) return Fail(job.error());
  return JobIdBody(*job);
}

Result<Json> DissociateAclsFromListenerAction(ActionContext& context) {
  auto change = ReadListenerAclChange(context);
  if (!change) return Fail(change.error());
  auto job = DissociateAclsFromListener(context.services.domain, *change);
  if (!job) return Fail(job.error());
  return JobIdBody(*job);
}

Result<Json> ListAclRelationsAction(ActionContext& context) {
  auto ids = context.params.StringList("AclIds", 5);
  if (!ids) return Fail(ids.error());
  auto relations =
      ListAclRelations(context.services.domain, context.request.caller.account_id, *ids);
  if (!relations) return Fail(relations.error());
  Json body;
  body["AclRelations"] = Json::array();
  for (const auto& relation : *relations) {
    Json entry;
    entry["AclId"] = relation.acl_id;
    entry["RelatedListeners"] = Json::array();
    for (const auto& [row, listener] : relation.listeners) {
      entry["RelatedListeners"].push_back({{"ListenerId", listener.listener_id},
                                           {"ListenerPort", listener.port},
                                           {"ListenerProtocol", listener.protocol},
                                           {"LoadBalancerId", listener.load_balancer_id},
                                           {"Status", row.status}});
    }
    body["AclRelations"].push_back(std::move(entry));
  }
  return body;
}

}  // namespace

void RegisterAclActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kCreateAcl, AccessLevel::kWrite, {}, NewResource("alb", "acl"),
                      CreateAclAction));
  table.Add(AlbAction(api_name::kUpdateAclAttribute, AccessLevel::kWrite, {"AclId"},
                      ResourceNamedBy("alb", "acl", "AclId"), UpdateAclAttributeAction));
  table.Add(AlbAction(api_name::kDeleteAcl, AccessLevel::kDelete, {"AclId"},
                      ResourceNamedBy("alb", "acl", "AclId"), DeleteAclAction));
  table.Add(
      AlbAction(api_name::kListAcls, AccessLevel::kList, {}, AllResources("alb"), ListAclsAction));
  table.Add(AlbAction(api_name::kAddEntriesToAcl, AccessLevel::kWrite, {"AclId"},
                      ResourceNamedBy("alb", "acl", "AclId"), AddEntriesToAclAction));
  table.Add(AlbAction(api_name::kRemoveEntriesFromAcl, AccessLevel::kWrite, {"AclId"},
                      ResourceNamedBy("alb", "acl", "AclId"), RemoveEntriesFromAclAction));
  table.Add(AlbAction(api_name::kListAclEntries, AccessLevel::kList, {"AclId"},
                      ResourceNamedBy("alb", "acl", "AclId"), ListAclEntriesAction));
  // Authorised on the listener's load balancer, as the certificate associations are.
  table.Add(AlbAction(api_name::kAssociateAclsWithListener, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), AssociateAclsWithListenerAction));
  table.Add(AlbAction(api_name::kDissociateAclsFromListener, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), DissociateAclsFromListenerAction));
  table.Add(AlbAction(api_name::kListAclRelations, AccessLevel::kList, {}, AllResources("alb"),
                      ListAclRelationsAction));
}

}  // namespace openalb
