// The tag actions of ALB 2020-06-16 — TagResources, UnTagResources, ListTagResources,
// ListTagKeys, ListTagValues — with MoveResourceGroup (the other way to sort resources), and
// what the other actions share to take tags on a create
// (Tag.N, or Tags.N as Terraform sends it), show them on a Get or List, and filter a List by
// them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/tags.h"
#include "api/action_table.h"

namespace openalb {

void RegisterTagActions(ActionTable& table);

// Tag.N.Key/Value and Tags.N.Key/Value (either, not both), validated.
Result<std::vector<TagPair>> ReadRequestTags(const ParameterReader& params);
// The Tag.N filter of a List (a value may be empty: any value).
Result<std::vector<TagPair>> ReadTagFilter(const ParameterReader& params);
// A List's Tag.N filter applied to the ids it filters by: false when no resource can match
// (the List answers an empty page).
Result<bool> ApplyTagFilter(const ActionContext& context, std::string_view resource_type,
                            std::vector<std::string>& filter_ids);
// The tags of the resources a Get or List answers with.
Result<TagsByResource> TagsFor(const ActionContext& context,
                               const std::vector<std::string>& resource_ids);
// The tags of a List page's resources, `id_of` naming each.
template <typename Item, typename IdOf>
Result<TagsByResource> TagsForPage(const ActionContext& context, const std::vector<Item>& items,
                                   IdOf id_of) {
  std::vector<std::string> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(id_of(item));
  return TagsFor(context, ids);
}
// [{"Key": …, "Value": …}] for a resource's tags (an empty array when it has none).
Json TagsJson(const TagsByResource& tags, std::string_view resource_id);

}  // namespace openalb
