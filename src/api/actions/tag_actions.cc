#include "api/actions/tag_actions.h"

#include <algorithm>

#include "alb/api_names.h"
#include "alb/resource_groups.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

// ResourceType, as the resolvers and handlers read it.
std::string ResourceTypeOf(const ActionContext& context) {
  return std::string(context.params.Get("ResourceType").value_or(""));
}

Result<std::vector<TagPair>> ReadPairs(const ParameterReader& params, std::string_view name) {
  auto objects = params.ObjectList(name, kMaxTagsPerResource);
  if (!objects) return Fail(objects.error());
  std::vector<TagPair> tags;
  for (const auto& object : *objects) {
    TagPair tag;
    for (const auto& [field, value] : object) {
      if (field == "Key") {
        tag.key = value;
      } else if (field == "Value") {
        tag.value = value;
      } else {
        return Fail(errors::InvalidParameter(std::string(name) + "." + field, "unknown field"));
      }
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

// `acs:alb:<region>:<account>:<ResourceType>/<id>` for one ResourceId.N, `<type>/*` for several.
ResourceResolver TaggedResources() {
  return [](const ActionContext& context) -> Result<std::string> {
    auto resolve = ResourcesNamedBy("alb", ResourceTypeOf(context), "ResourceId");
    return resolve(context);
  };
}

Result<TagResourcesRequest> ReadTagRequest(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto ids = context.params.StringList("ResourceId", 50);
  if (!ids) return Fail(ids.error());
  return TagResourcesRequest{.write = std::move(*write),
                             .resource_type = ResourceTypeOf(context),
                             .resource_ids = std::move(*ids),
                             .tags = {},
                             .keys = {},
                             .all = false};
}

Result<Json> TagResourcesAction(ActionContext& context) {
  auto request = ReadTagRequest(context);
  if (!request) return Fail(request.error());
  auto tags = ReadPairs(context.params, "Tag");
  if (!tags) return Fail(tags.error());
  request->tags = std::move(*tags);
  if (auto r = TagResources(context.services.domain, *request); !r) return Fail(r.error());
  return Json::object();
}

Result<Json> UnTagResourcesAction(ActionContext& context) {
  auto request = ReadTagRequest(context);
  if (!request) return Fail(request.error());
  auto keys = context.params.StringList("TagKey", kMaxTagsPerResource);
  if (!keys) return Fail(keys.error());
  request->keys = std::move(*keys);
  auto all = context.params.Bool("All");
  if (!all) return Fail(all.error());
  request->all = all->value_or(false);
  if (auto r = UnTagResources(context.services.domain, *request); !r) return Fail(r.error());
  return Json::object();
}

Result<Json> ListTagResourcesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  auto ids = context.params.StringList("ResourceId", 50);
  if (!ids) return Fail(ids.error());
  auto tags = ReadTagFilter(context.params);
  if (!tags) return Fail(tags.error());
  auto found = ListTagResources(context.services.domain, context.request.caller.account_id,
                                ResourceTypeOf(context), *ids, *tags, *page);
  if (!found) return Fail(found.error());
  Json body;
  body["TagResources"] = Json::array();
  for (const auto& tag : found->items) {
    Json entry;
    entry["ResourceId"] = tag.resource_id;
    entry["ResourceType"] = tag.resource_type;
    entry["TagKey"] = tag.key;
    entry["TagValue"] = tag.value;
    body["TagResources"].push_back(std::move(entry));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

// One page of `items` (ListTagKeys, ListTagValues), NextToken an offset.
template <typename Render>
Json PageOfStrings(const std::vector<std::string>& items, const PageRequest& page,
                   std::string_view field, Render render) {
  Json body;
  body[std::string(field)] = Json::array();
  const size_t start = std::min<size_t>(static_cast<size_t>(page.after), items.size());
  const size_t end = std::min(items.size(), start + static_cast<size_t>(page.limit));
  for (size_t i = start; i < end; ++i) body[std::string(field)].push_back(render(items[i]));
  std::optional<std::int64_t> next;
  if (end < items.size()) next = static_cast<std::int64_t>(end);
  AddPageFields(body, static_cast<std::int64_t>(items.size()), page, next);
  return body;
}

Result<Json> ListTagKeysAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  if (auto category = context.params.Get("Category");
      category && !category->empty() && *category != "Custom" && *category != "System") {
    return Fail(errors::InvalidParameter("Category", "it is Custom or System"));
  }
  std::vector<std::string> keys;
  // Every tag here is the user's own: there are no System tags.
  if (context.params.Get("Category").value_or("") != "System") {
    auto found = ListTagKeys(context.services.domain, context.request.caller.account_id,
                             ResourceTypeOf(context), context.params.Get("Keyword").value_or(""));
    if (!found) return Fail(found.error());
    keys = std::move(*found);
  }
  return PageOfStrings(keys, *page, "TagKeys", [](const std::string& key) {
    Json entry;
    entry["TagKey"] = key;
    entry["Category"] = "Custom";
    return entry;
  });
}

Result<Json> ListTagValuesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  std::vector<std::string> ids;
  if (auto id = context.params.Get("ResourceId"); id && !id->empty()) ids.emplace_back(*id);
  auto values =
      ListTagValues(context.services.domain, context.request.caller.account_id,
                    ResourceTypeOf(context), context.params.Get("TagKey").value_or(""), ids);
  if (!values) return Fail(values.error());
  return PageOfStrings(*values, *page, "TagValues",
                       [](const std::string& value) { return Json(value); });
}

}  // namespace

Result<std::vector<TagPair>> ReadRequestTags(const ParameterReader& params) {
  auto tag = ReadPairs(params, "Tag");
  if (!tag) return Fail(tag.error());
  auto tags = ReadPairs(params, "Tags");
  if (!tags) return Fail(tags.error());
  if (!tag->empty() && !tags->empty()) {
    return Fail(errors::InvalidParameter("Tags", "give Tag.N or Tags.N, not both"));
  }
  const bool terraform_spelling = tag->empty();
  std::vector<TagPair> out = terraform_spelling ? std::move(*tags) : std::move(*tag);
  if (auto r = ValidateTags(out, terraform_spelling ? "Tags" : "Tag"); !r) return Fail(r.error());
  return out;
}

Result<std::vector<TagPair>> ReadTagFilter(const ParameterReader& params) {
  auto tags = ReadPairs(params, "Tag");
  if (!tags) return Fail(tags.error());
  for (size_t i = 0; i < tags->size(); ++i) {
    if ((*tags)[i].key.empty()) {
      return Fail(errors::MissingParameter("Tag." + std::to_string(i + 1) + ".Key"));
    }
  }
  return tags;
}

Result<bool> ApplyTagFilter(const ActionContext& context, std::string_view resource_type,
                            std::vector<std::string>& filter_ids) {
  auto tags = ReadTagFilter(context.params);
  if (!tags) return Fail(tags.error());
  auto tagged = IdsTaggedWith(context.services.domain, context.request.caller.account_id,
                              resource_type, *tags);
  if (!tagged) return Fail(tagged.error());
  return NarrowToTagged(filter_ids, *tagged);
}

Result<TagsByResource> TagsFor(const ActionContext& context,
                               const std::vector<std::string>& resource_ids) {
  return TagsOf(context.services.domain, context.request.caller.account_id, resource_ids);
}

Json TagsJson(const TagsByResource& tags, std::string_view resource_id) {
  Json out = Json::array();
  auto it = tags.find(resource_id);
  if (it == tags.end()) return out;
  for (const auto& tag : it->second) {
    Json entry;
    entry["Key"] = tag.key;
    entry["Value"] = tag.value;
    out.push_back(std::move(entry));
  }
  return out;
}

Result<Json> MoveResourceGroupAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  if (auto r = MoveResourceGroup(context.services.domain, *write, ResourceTypeOf(context),
                                 *context.params.Get("ResourceId"),
                                 context.params.Get("NewResourceGroupId").value_or(""));
      !r) {
    return Fail(r.error());
  }
  return Json::object();
}

void RegisterTagActions(ActionTable& table) {
  // Resource groups sort resources as tags do; the action sits with them.
  table.Add(AlbAction(
      api_name::kMoveResourceGroup, AccessLevel::kWrite,
      {"ResourceType", "ResourceId", "NewResourceGroupId"},
      [](const ActionContext& context) -> Result<std::string> {
        return ResourceNamedBy("alb", ResourceTypeOf(context), "ResourceId")(context);
      },
      MoveResourceGroupAction));
  table.Add(AlbAction(api_name::kTagResources, AccessLevel::kWrite, {"ResourceType"},
                      TaggedResources(), TagResourcesAction));
  table.Add(AlbAction(api_name::kUnTagResources, AccessLevel::kWrite, {"ResourceType"},
                      TaggedResources(), UnTagResourcesAction));
  table.Add(AlbAction(api_name::kListTagResources, AccessLevel::kList, {"ResourceType"},
                      AllResources("alb"), ListTagResourcesAction));
  table.Add(AlbAction(api_name::kListTagKeys, AccessLevel::kList, {"ResourceType"},
                      AllResources("alb"), ListTagKeysAction));
  table.Add(AlbAction(api_name::kListTagValues, AccessLevel::kList, {"ResourceType", "TagKey"},
                      AllResources("alb"), ListTagValuesAction));
}

}  // namespace openalb
