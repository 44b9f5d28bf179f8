#include "alb/tags.h"

#include <algorithm>
#include <set>

#include "alb/alb_errors.h"
#include "alb/api_names.h"

namespace openalb {
namespace {

constexpr size_t kMaxKeyLength = 128;
constexpr size_t kMaxValueLength = 128;

// The account's resource of that type exists; ResourceNotFound.<Type> if not.
Result<void> ResourceExists(StoreTx& tx, std::string_view account_id, std::string_view type,
                            std::string_view id) {
  auto found = [](auto result, ApiError missing) -> Result<void> {
    if (!result) return Fail(result.error());
    if (!*result) return Fail(std::move(missing));
    return {};
  };
  if (type == "loadbalancer") {
    return found(tx.FindLoadBalancer(account_id, id), errors::LoadBalancerNotFound(id));
  }
  if (type == "listener") {
    return found(tx.FindListener(account_id, id), errors::ListenerNotFound(id));
  }
  if (type == "servergroup") {
    return found(tx.FindServerGroup(account_id, id), errors::ServerGroupNotFound(id));
  }
  if (type == "healthchecktemplate") {
    return found(tx.FindHealthCheckTemplate(account_id, id),
                 errors::HealthCheckTemplateNotFound(id));
  }
  if (type == "securitypolicy") {
    return found(tx.FindSecurityPolicy(account_id, id), errors::SecurityPolicyNotFound(id));
  }
  if (type == "acl") return found(tx.FindAcl(account_id, id), errors::AclNotFound(id));
  return Fail(errors::InvalidParameter("ResourceType",
                                       "it is loadbalancer, listener, servergroup, acl, "
                                       "securitypolicy or healthchecktemplate"));
}

Result<std::vector<ResourceTag>> AllTags(StoreTx& tx, const TagFilter& filter) {
  std::vector<ResourceTag> out;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto rows = tx.ListTags(filter, page);
    if (!rows) return Fail(rows.error());
    out.insert(out.end(), rows->items.begin(), rows->items.end());
    if (!rows->next) return out;
    page.after = *rows->next;
  }
}

Result<std::vector<ResourceTag>> AllTags(const Domain& domain, const TagFilter& filter) {
  return InTransaction<std::vector<ResourceTag>>(domain.store, TxMode::kRead,
                                                 [&](StoreTx& tx) { return AllTags(tx, filter); });
}

bool Matches(const ResourceTag& tag, const TagPair& wanted) {
  return tag.key == wanted.key && (wanted.value.empty() || tag.value == wanted.value);
}

std::string JoinedIds(const TagResourcesRequest& request) {
  std::string out = request.resource_type + "|";
  for (const auto& id : request.resource_ids) out += id + ",";
  for (const auto& tag : request.tags) out += tag.key + "=" + tag.value + ";";
  for (const auto& key : request.keys) out += key + ";";
  return out + (request.all ? "all" : "");
}

}  // namespace

Result<void> ValidateTags(const std::vector<TagPair>& tags, std::string_view field) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < tags.size(); ++i) {
    const std::string name = std::string(field) + "." + std::to_string(i + 1);
    const std::string& key = tags[i].key;
    if (key.empty()) return Fail(errors::MissingParameter(name + ".Key"));
    if (key.size() > kMaxKeyLength) {
      return Fail(errors::InvalidParameter(name + ".Key", "it is longer than 128 characters"));
    }
    if (key.starts_with("aliyun") || key.starts_with("acs:")) {
      return Fail(errors::InvalidParameter(name + ".Key", "it starts with aliyun or acs:"));
    }
    for (const auto& text : {std::string_view(key), std::string_view(tags[i].value)}) {
      if (text.find("http://") != std::string_view::npos ||
          text.find("https://") != std::string_view::npos) {
        return Fail(errors::InvalidParameter(name, "a tag holds no http:// or https://"));
      }
    }
    if (tags[i].value.size() > kMaxValueLength) {
      return Fail(errors::InvalidParameter(name + ".Value", "it is longer than 128 characters"));
    }
    if (!seen.insert(key).second) {
      return Fail(errors::InvalidParameter(name + ".Key", "the key is given twice"));
    }
  }
  return {};
}

std::string TagsFingerprint(const std::vector<TagPair>& tags) {
  std::string out;
  for (const auto& tag : tags) {
    out += std::to_string(tag.key.size()) + ":" + tag.key + std::to_string(tag.value.size()) + ":" +
           tag.value;
  }
  return out;
}

Result<void> PutResourceTags(StoreTx& tx, std::string_view account_id,
                             std::string_view resource_type, std::string_view resource_id,
                             const std::vector<TagPair>& tags) {
  if (tags.empty()) return {};
  auto current = AllTags(tx, {.account_id = std::string(account_id),
                              .resource_type = {},
                              .resource_ids = {std::string(resource_id)},
                              .keys = {}});
  if (!current) return Fail(current.error());
  size_t count = current->size();
  for (const auto& tag : tags) {
    const bool exists = std::any_of(current->begin(), current->end(),
                                    [&](const ResourceTag& t) { return t.key == tag.key; });
    if (!exists) ++count;
  }
  if (count > static_cast<size_t>(kMaxTagsPerResource)) {
    return Fail(errors::TagQuotaExceeded(resource_id, kMaxTagsPerResource));
  }
  for (const auto& tag : tags) {
    if (auto r = tx.PutTag({std::string(account_id), std::string(resource_type),
                            std::string(resource_id), tag.key, tag.value});
        !r) {
      return r;
    }
  }
  return {};
}

Result<void> TagResources(const Domain& domain, const TagResourcesRequest& request) {
  if (request.resource_ids.empty()) return Fail(errors::MissingParameter("ResourceId"));
  if (request.tags.empty()) return Fail(errors::MissingParameter("Tag"));
  if (auto r = ValidateTags(request.tags, "Tag"); !r) return r;
  const std::string& account = request.write.account_id;
  auto done = RunDirectWrite(
      domain, request.write, api_name::kTagResources, ParameterFingerprint({JoinedIds(request)}),
      [&](StoreTx& tx) -> Result<std::string> {
        for (const auto& id : request.resource_ids) {
          if (auto r = ResourceExists(tx, account, request.resource_type, id); !r) {
            return Fail(r.error());
          }
          if (auto r = PutResourceTags(tx, account, request.resource_type, id, request.tags); !r) {
            return Fail(r.error());
          }
        }
        return request.resource_ids.front();
      });
  if (!done) return Fail(done.error());
  return {};
}

Result<void> UnTagResources(const Domain& domain, const TagResourcesRequest& request) {
  if (request.resource_ids.empty()) return Fail(errors::MissingParameter("ResourceId"));
  if (!request.all && request.keys.empty()) return Fail(errors::MissingParameter("TagKey"));
  const std::string& account = request.write.account_id;
  auto done = RunDirectWrite(
      domain, request.write, api_name::kUnTagResources, ParameterFingerprint({JoinedIds(request)}),
      [&](StoreTx& tx) -> Result<std::string> {
        for (const auto& id : request.resource_ids) {
          if (auto r = ResourceExists(tx, account, request.resource_type, id); !r) {
            return Fail(r.error());
          }
          // Keys the resource does not carry are simply not there to remove.
          const std::vector<std::string> none;
          if (auto r = tx.DeleteTags(id, request.all ? none : request.keys); !r) {
            return Fail(r.error());
          }
        }
        return request.resource_ids.front();
      });
  if (!done) return Fail(done.error());
  return {};
}

Result<Page<ResourceTag>> ListTagResources(const Domain& domain, std::string_view account_id,
                                           std::string_view resource_type,
                                           const std::vector<std::string>& resource_ids,
                                           const std::vector<TagPair>& tags,
                                           const PageRequest& page) {
  TagFilter filter{.account_id = std::string(account_id),
                   .resource_type = std::string(resource_type),
                   .resource_ids = resource_ids,
                   .keys = {}};
  if (tags.empty()) {
    return InTransaction<Page<ResourceTag>>(domain.store, TxMode::kRead,
                                            [&](StoreTx& tx) { return tx.ListTags(filter, page); });
  }
  // Filtered by value too: read the keys' rows and page over the matches (a resource has at
  // most 20 tags, so this stays small per resource).
  for (const auto& tag : tags) filter.keys.push_back(tag.key);
  auto rows = AllTags(domain, filter);
  if (!rows) return Fail(rows.error());
  std::vector<ResourceTag> matching;
  for (auto& row : *rows) {
    if (std::any_of(tags.begin(), tags.end(), [&](const TagPair& t) { return Matches(row, t); })) {
      matching.push_back(std::move(row));
    }
  }
  Page<ResourceTag> out;
  out.total = static_cast<std::int64_t>(matching.size());
  const size_t start = std::min<size_t>(static_cast<size_t>(page.after), matching.size());
  const size_t end = std::min(matching.size(), start + static_cast<size_t>(page.limit));
  out.items.assign(matching.begin() + static_cast<std::ptrdiff_t>(start),
                   matching.begin() + static_cast<std::ptrdiff_t>(end));
  if (end < matching.size()) out.next = static_cast<std::int64_t>(end);
  return out;
}

Result<std::vector<std::string>> ListTagKeys(const Domain& domain, std::string_view account_id,
                                             std::string_view resource_type,
                                             std::string_view keyword) {
  auto rows = AllTags(domain, {.account_id = std::string(account_id),
                               .resource_type = std::string(resource_type),
                               .resource_ids = {},
                               .keys = {}});
  if (!rows) return Fail(rows.error());
  std::vector<std::string> keys;
  std::set<std::string_view> seen;
  for (const auto& row : *rows) {
    if (!keyword.empty() && row.key.find(keyword) == std::string::npos) continue;
    if (seen.insert(row.key).second) keys.push_back(row.key);
  }
  return keys;
}

Result<std::vector<std::string>> ListTagValues(const Domain& domain, std::string_view account_id,
                                               std::string_view resource_type, std::string_view key,
                                               const std::vector<std::string>& resource_ids) {
  if (key.empty()) return Fail(errors::MissingParameter("TagKey"));
  auto rows = AllTags(domain, {.account_id = std::string(account_id),
                               .resource_type = std::string(resource_type),
                               .resource_ids = resource_ids,
                               .keys = {std::string(key)}});
  if (!rows) return Fail(rows.error());
  std::vector<std::string> values;
  std::set<std::string_view> seen;
  for (const auto& row : *rows) {
    if (seen.insert(row.value).second) values.push_back(row.value);
  }
  return values;
}

Result<TagsByResource> TagsOf(StoreTx& tx, std::string_view account_id,
                              const std::vector<std::string>& resource_ids) {
  TagsByResource out;
  if (resource_ids.empty()) return out;
  auto rows = AllTags(tx, {.account_id = std::string(account_id),
                           .resource_type = {},
                           .resource_ids = resource_ids,
                           .keys = {}});
  if (!rows) return Fail(rows.error());
  for (auto& row : *rows)
    out[row.resource_id].push_back({std::move(row.key), std::move(row.value)});
  return out;
}

Result<TagsByResource> TagsOf(const Domain& domain, std::string_view account_id,
                              const std::vector<std::string>& resource_ids) {
  if (resource_ids.empty()) return TagsByResource{};
  return InTransaction<TagsByResource>(domain.store, TxMode::kRead, [&](StoreTx& tx) {
    return TagsOf(tx, account_id, resource_ids);
  });
}

Result<std::optional<std::vector<std::string>>> IdsTaggedWith(const Domain& domain,
                                                              std::string_view account_id,
                                                              std::string_view resource_type,
                                                              const std::vector<TagPair>& tags) {
  if (tags.empty()) return std::optional<std::vector<std::string>>{};
  TagFilter filter{.account_id = std::string(account_id),
                   .resource_type = std::string(resource_type),
                   .resource_ids = {},
                   .keys = {}};
  for (const auto& tag : tags) filter.keys.push_back(tag.key);
  auto rows = AllTags(domain, filter);
  if (!rows) return Fail(rows.error());
  // A resource qualifies when each wanted tag matches one of its tags.
  std::map<std::string, std::set<size_t>> matched;
  std::vector<std::string> order;
  for (const auto& row : *rows) {
    for (size_t i = 0; i < tags.size(); ++i) {
      if (!Matches(row, tags[i])) continue;
      auto [it, inserted] = matched.try_emplace(row.resource_id);
      if (inserted) order.push_back(row.resource_id);
      it->second.insert(i);
    }
  }
  std::vector<std::string> ids;
  for (const auto& id : order) {
    if (matched[id].size() == tags.size()) ids.push_back(id);
  }
  return std::optional<std::vector<std::string>>{std::move(ids)};
}

bool NarrowToTagged(std::vector<std::string>& filter_ids,
                    const std::optional<std::vector<std::string>>& tagged) {
  if (!tagged) return true;
  if (filter_ids.empty()) {
    filter_ids = *tagged;
  } else {
    std::erase_if(filter_ids, [&](const std::string& id) {
      return std::find(tagged->begin(), tagged->end(), id) == tagged->end();
    });
  }
  return !filter_ids.empty();
}

}  // namespace openalb
