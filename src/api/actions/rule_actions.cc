#include "api/actions/rule_actions.h"

#include <charconv>
#include <map>

#include "alb/api_names.h"
#include "alb/rules.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"
#include "core/common_errors.h"

namespace openalb {
namespace {

constexpr size_t kMaxRuleItems = 20;  // conditions or actions read per rule (quotas are lower)

Json RuleJsonView(const Rule& rule) {
  Json out;
  out["RuleId"] = rule.rule_id;
  out["RuleName"] = rule.name;
  out["ListenerId"] = rule.listener_id;
  out["LoadBalancerId"] = rule.load_balancer_id;
  out["Priority"] = rule.priority;
  out["Direction"] = rule.direction;
  out["RuleStatus"] = rule.status;
  out["RuleConditions"] = Json::parse(rule.conditions, nullptr, false);
  out["RuleActions"] = Json::parse(rule.actions, nullptr, false);
  out["ServiceManagedEnabled"] = false;
  out["Tags"] = Json::array();
  return out;
}

// The objects of the list `name` inside one element of Rules (`RuleConditions.2.Type` →
// element 2's `Type`); nullopt when the element has none.
Result<std::optional<std::vector<RuleParameterObject>>> SubList(const ParameterObject& object,
                                                                std::string_view name,
                                                                const std::string& prefix) {
  const std::string head = std::string(name) + ".";
  std::map<int, RuleParameterObject> by_index;
  for (const auto& [path, value] : object) {
    if (!path.starts_with(head)) continue;
    std::string_view rest = std::string_view(path).substr(head.size());
    int index = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
    if (ec != std::errc{} || index < 1 || index > static_cast<int>(kMaxRuleItems) ||
        end == rest.data() + rest.size() || *end != '.') {
      return Fail(errors::InvalidParameter(prefix + path, "expected " + head + "N.Field"));
    }
    by_index[index][std::string(end + 1, rest.data() + rest.size())] = value;
  }
  if (by_index.empty()) return std::optional<std::vector<RuleParameterObject>>{};
  std::vector<RuleParameterObject> out;
  for (auto& [index, item] : by_index) out.push_back(std::move(item));
  return std::optional<std::vector<RuleParameterObject>>{std::move(out)};
}

Result<std::optional<int>> PriorityOf(std::optional<std::string_view> text,
                                      const std::string& name) {
  if (!text || text->empty()) return std::optional<int>{};
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < 1 || value > 10000) {
    return Fail(errors::InvalidParameter(name, "it is an integer from 1 to 10000"));
  }
  return std::optional<int>{value};
}

// A rule given by top-level parameters (CreateRule, UpdateRuleAttribute).
Result<RuleInput> ReadSingleRule(const ParameterReader& params) {
  RuleInput input;
  input.rule_id = std::string(params.Get("RuleId").value_or(""));
  if (auto name = params.Get("RuleName")) input.name = std::string(*name);
  auto priority = PriorityOf(params.Get("Priority"), "Priority");
  if (!priority) return Fail(priority.error());
  input.priority = *priority;
  input.direction = std::string(params.Get("Direction").value_or(""));
  auto conditions = params.NestedObjectList("RuleConditions", kMaxRuleItems);
  if (!conditions) return Fail(conditions.error());
  if (!conditions->empty()) input.conditions = std::move(*conditions);
  auto actions = params.NestedObjectList("RuleActions", kMaxRuleItems);
  if (!actions) return Fail(actions.error());
  if (!actions->empty()) input.actions = std::move(*actions);
  return input;
}

// The rules of Rules.N (CreateRules, UpdateRulesAttribute).
Result<std::vector<RuleInput>> ReadRuleList(const ParameterReader& params, size_t max_items) {
  auto objects = params.NestedObjectList("Rules", max_items);
  if (!objects) return Fail(objects.error());
  std::vector<RuleInput> out;
  for (size_t i = 0; i < objects->size(); ++i) {
    const ParameterObject& object = (*objects)[i];
    RuleInput input;
    input.prefix = "Rules." + std::to_string(i + 1) + ".";
    auto field = [&](std::string_view key) -> std::optional<std::string_view> {
      auto it = object.find(key);
      if (it == object.end()) return std::nullopt;
      return std::string_view(it->second);
    };
    for (const auto& [path, value] : object) {
      const bool known = path == "RuleId" || path == "RuleName" || path == "Priority" ||
                         path == "Direction" || path.starts_with("RuleConditions.") ||
                         path.starts_with("RuleActions.") || path.starts_with("Tag.") ||
                         path.starts_with("Tags.");
      if (!known) return Fail(errors::InvalidParameter(input.prefix + path, "unknown field"));
    }
    input.rule_id = std::string(field("RuleId").value_or(""));
    if (auto name = field("RuleName")) input.name = std::string(*name);
    auto priority = PriorityOf(field("Priority"), input.prefix + "Priority");
    if (!priority) return Fail(priority.error());
    input.priority = *priority;
    input.direction = std::string(field("Direction").value_or(""));
    auto conditions = SubList(object, "RuleConditions", input.prefix);
    if (!conditions) return Fail(conditions.error());
    input.conditions = std::move(*conditions);
    auto actions = SubList(object, "RuleActions", input.prefix);
    if (!actions) return Fail(actions.error());
    input.actions = std::move(*actions);
    out.push_back(std::move(input));
  }
  return out;
}

Result<Json> CreateRuleAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto input = ReadSingleRule(context.params);
  if (!input) return Fail(input.error());
  CreateRulesRequest request{.write = std::move(*write),
                             .api_name = std::string(api_name::kCreateRule),
                             .listener_id = std::string(*context.params.Get("ListenerId")),
                             .rules = {std::move(*input)}};
  auto job = CreateRules(context.services.domain, request);
  if (!job) return Fail(job.error());
  Json body = JobBody(*job);
  auto ids = RuleIdsOf(*job);
  body["RuleId"] = ids.empty() ? job->resource_id : ids.front();
  return body;
}

Result<Json> CreateRulesAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto inputs = ReadRuleList(context.params, context.services.domain.limits.rules_per_call);
  if (!inputs) return Fail(inputs.error());
  std::vector<int> priorities;
  for (const auto& input : *inputs) priorities.push_back(input.priority.value_or(0));
  CreateRulesRequest request{.write = std::move(*write),
                             .api_name = std::string(api_name::kCreateRules),
                             .listener_id = std::string(*context.params.Get("ListenerId")),
                             .rules = std::move(*inputs)};
  auto job = CreateRules(context.services.domain, request);
  if (!job) return Fail(job.error());
  Json body = JobBody(*job);
  body["RuleIds"] = Json::array();
  auto ids = RuleIdsOf(*job);
  for (size_t i = 0; i < ids.size(); ++i) {
    Json entry;
    entry["RuleId"] = ids[i];
    if (i < priorities.size()) entry["Priority"] = priorities[i];
    body["RuleIds"].push_back(std::move(entry));
  }
  return body;
}

Result<Json> UpdateRuleAttributeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto input = ReadSingleRule(context.params);
  if (!input) return Fail(input.error());
  if (!input->direction.empty()) {
    return Fail(errors::InvalidParameter("Direction", "a rule's direction cannot be changed"));
  }
  UpdateRulesRequest request{.write = std::move(*write),
                             .api_name = std::string(api_name::kUpdateRuleAttribute),
                             .rules = {std::move(*input)}};
  auto job = UpdateRules(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> UpdateRulesAttributeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto inputs = ReadRuleList(context.params, context.services.domain.limits.rules_per_call);
  if (!inputs) return Fail(inputs.error());
  UpdateRulesRequest request{.write = std::move(*write),
                             .api_name = std::string(api_name::kUpdateRulesAttribute),
                             .rules = std::move(*inputs)};
  auto job = UpdateRules(context.services.domain, request);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> DeleteRuleAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto job = DeleteRules(context.services.domain, *write, api_name::kDeleteRule,
                         {std::string(*context.params.Get("RuleId"))});
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> DeleteRulesAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto ids = context.params.StringList("RuleIds", context.services.domain.limits.rules_per_call);
  if (!ids) return Fail(ids.error());
  auto job = DeleteRules(context.services.domain, *write, api_name::kDeleteRules, *ids);
  if (!job) return Fail(job.error());
  return JobBody(*job);
}

Result<Json> ListRulesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  RuleFilter filter{.account_id = context.request.caller.account_id};
  for (auto [name, target] :
       {std::pair{"RuleIds", &filter.ids}, std::pair{"ListenerIds", &filter.listener_ids},
        std::pair{"LoadBalancerIds", &filter.load_balancer_ids}}) {
    auto values = context.params.StringList(name, 20);
    if (!values) return Fail(values.error());
    *target = std::move(*values);
  }
  filter.direction = std::string(context.params.Get("Direction").value_or(""));
  if (!filter.direction.empty() && filter.direction != "Request" &&
      filter.direction != "Response") {
    return Fail(errors::InvalidParameter("Direction", "it is Request or Response"));
  }
  auto found = ListRules(context.services.domain, filter, *page);
  if (!found) return Fail(found.error());
  Json body;
  body["Rules"] = Json::array();
  for (const auto& rule : found->items) body["Rules"].push_back(RuleJsonView(rule));
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

// `loadbalancer/<id>` of the rules the request names (RuleId, Rules.N.RuleId or RuleIds.N);
// `rule/<id>` when one of them is not the caller's (the handler then answers not found).
// Rules of several load balancers in one call are refused: RAM authorises one resource.
ResourceResolver RulesLoadBalancer() {
  return [](const ActionContext& context) -> Result<std::string> {
    std::vector<std::string> ids;
    if (auto id = context.params.Get("RuleId")) ids.emplace_back(*id);
    auto listed = context.params.StringList("RuleIds", 100);
    if (!listed) return Fail(listed.error());
    ids.insert(ids.end(), listed->begin(), listed->end());
    auto rules = context.params.NestedObjectList("Rules", 100);
    if (!rules) return Fail(rules.error());
    for (const auto& rule : *rules) {
      if (auto it = rule.find("RuleId"); it != rule.end()) ids.push_back(it->second);
    }
    const std::string account = context.request.caller.account_id;
    auto resource = InTransaction<std::string>(
        context.services.store, TxMode::kRead, [&](StoreTx& tx) -> Result<std::string> {
          std::string load_balancer;
          for (const auto& id : ids) {
            auto rule = tx.FindRule(account, id);
            if (!rule) return Fail(rule.error());
            if (!*rule) return "rule/" + id.substr(0, 128);
            if (!load_balancer.empty() && load_balancer != (*rule)->load_balancer_id) {
              return Fail(errors::InvalidParameter(
                  "RuleIds", "the rules of one call belong to one load balancer"));
            }
            load_balancer = (*rule)->load_balancer_id;
          }
          return load_balancer.empty() ? std::string("rule/*") : "loadbalancer/" + load_balancer;
        });
    if (!resource) return Fail(resource.error());
    std::string arn = "acs:alb:" + context.services.region.region_id + ":" + account + ":";
    for (char c : *resource) arn += c > 0x20 && c < 0x7f ? c : '?';
    return arn;
  };
}

}  // namespace

void RegisterRuleActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kCreateRule, AccessLevel::kWrite,
                      {"ListenerId", "RuleName", "Priority"}, ListenerLoadBalancer(),
                      CreateRuleAction));
  table.Add(AlbAction(api_name::kCreateRules, AccessLevel::kWrite, {"ListenerId"},
                      ListenerLoadBalancer(), CreateRulesAction));
  table.Add(AlbAction(api_name::kUpdateRuleAttribute, AccessLevel::kWrite, {"RuleId"},
                      RulesLoadBalancer(), UpdateRuleAttributeAction));
  table.Add(AlbAction(api_name::kUpdateRulesAttribute, AccessLevel::kWrite, {}, RulesLoadBalancer(),
                      UpdateRulesAttributeAction));
  table.Add(AlbAction(api_name::kDeleteRule, AccessLevel::kDelete, {"RuleId"}, RulesLoadBalancer(),
                      DeleteRuleAction));
  table.Add(AlbAction(api_name::kDeleteRules, AccessLevel::kDelete, {}, RulesLoadBalancer(),
                      DeleteRulesAction));
  table.Add(AlbAction(api_name::kListRules, AccessLevel::kList, {}, AllResources("alb"),
                      ListRulesAction));
}

}  // namespace openalb
