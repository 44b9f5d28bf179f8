// Tags: key/value pairs on load balancers, listeners, server groups and health check templates
// (and on ACLs and security policies once those exist), set by Tag.N (or Terraform's Tags.N)
// on a create or by TagResources, removed by UnTagResources, shown by every Get and List of the
// resource and found again by ListTagResources, ListTagKeys, ListTagValues and the Tag filters
// of the lists. At most 20 per resource; a key is 1–128 characters, not starting with
// "aliyun" or "acs:" and holding no "http://" or "https://"; a value at most 128. Tags change
// at once: they reach no data plane, so they need no job.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

inline constexpr int kMaxTagsPerResource = 20;

struct TagPair {
  std::string key;
  std::string value;

  bool operator==(const TagPair&) const = default;
};

// Tags by resource id, each in the order its tags were first put.
using TagsByResource = std::map<std::string, std::vector<TagPair>, std::less<>>;

// InvalidParameter (naming `field`, e.g. "Tag.2.Key") for a key or value ALB refuses, or a key
// given twice.
Result<void> ValidateTags(const std::vector<TagPair>& tags, std::string_view field);
// The tags as one part of a create's ParameterFingerprint.
std::string TagsFingerprint(const std::vector<TagPair>& tags);
// Puts `tags` on a resource of the caller's account inside a write (a create's, or
// TagResources'); QuotaExceeded.TagNum past 20.
Result<void> PutResourceTags(StoreTx& tx, std::string_view account_id,
                             std::string_view resource_type, std::string_view resource_id,
                             const std::vector<TagPair>& tags);

struct TagResourcesRequest {
  WriteRequest write;
  std::string resource_type;
  std::vector<std::string> resource_ids;
  std::vector<TagPair> tags;      // TagResources
  std::vector<std::string> keys;  // UnTagResources: these keys…
  bool all = false;               // …or every tag
};
// All resources or none: ResourceNotFound.<Type> when one is not the account's.
Result<void> TagResources(const Domain& domain, const TagResourcesRequest& request);
Result<void> UnTagResources(const Domain& domain, const TagResourcesRequest& request);

// ListTagResources: the tags of the account's resources of a type, optionally only of
// `resource_ids`, only those matching one of `tags` (a key, with its value when given).
Result<Page<ResourceTag>> ListTagResources(const Domain& domain, std::string_view account_id,
                                           std::string_view resource_type,
                                           const std::vector<std::string>& resource_ids,
                                           const std::vector<TagPair>& tags,
                                           const PageRequest& page);
// The distinct keys (containing `keyword` when given) and the distinct values of `key`, in
// order of first use.
Result<std::vector<std::string>> ListTagKeys(const Domain& domain, std::string_view account_id,
                                             std::string_view resource_type,
                                             std::string_view keyword);
Result<std::vector<std::string>> ListTagValues(const Domain& domain, std::string_view account_id,
                                               std::string_view resource_type, std::string_view key,
                                               const std::vector<std::string>& resource_ids);

// The tags of these resources (the output of a Get or a List page), in one read.
Result<TagsByResource> TagsOf(StoreTx& tx, std::string_view account_id,
                              const std::vector<std::string>& resource_ids);
Result<TagsByResource> TagsOf(const Domain& domain, std::string_view account_id,
                              const std::vector<std::string>& resource_ids);
// A List's Tag filter: the ids of the account's resources of the type carrying every one of
// `tags` (a key with its value; an empty value matches any value); nullopt when `tags` is
// empty (no filter).
Result<std::optional<std::vector<std::string>>> IdsTaggedWith(const Domain& domain,
                                                              std::string_view account_id,
                                                              std::string_view resource_type,
                                                              const std::vector<TagPair>& tags);
// Narrows a List filter's ids to the tagged ones: false when nothing can match.
bool NarrowToTagged(std::vector<std::string>& filter_ids,
                    const std::optional<std::vector<std::string>>& tagged);

}  // namespace openalb
