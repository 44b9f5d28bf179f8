#include "alb/rules.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/listeners.h"
#include "alb/load_balancers.h"
#include "alb/resource_name.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

using RuleJson = nlohmann::json;

std::string InputFingerprint(const RuleInput& input) {
  std::string joined = ParameterFingerprint({input.rule_id, input.name.value_or("\x01"),
                                             input.priority ? std::to_string(*input.priority) : "-",
                                             input.direction});
  for (const auto* list : {&input.conditions, &input.actions}) {
    if (!*list) {
      joined += "|none";
      continue;
    }
    for (const auto& object : **list) {
      for (const auto& [path, value] : object) joined += ParameterFingerprint({path, value});
      joined += "|";
    }
  }
  return joined;
}

// The conditions and actions of `input`, validated for `direction` and the edition's limits.
struct CheckedContent {
  std::optional<std::vector<RuleCondition>> conditions;
  std::optional<std::vector<RuleAction>> actions;
};

Result<CheckedContent> CheckContent(StoreTx& tx, const std::string& account, const RuleInput& input,
                                    bool response, const RuleLimits& limits) {
  CheckedContent out;
  if (input.conditions) {
    auto conditions =
        ReadRuleConditions(*input.conditions, response, limits, input.prefix + "RuleConditions");
    if (!conditions) return Fail(conditions.error());
    out.conditions = std::move(*conditions);
  }
  if (input.actions) {
    auto actions = ReadRuleActions(*input.actions, response, limits, input.prefix + "RuleActions");
    if (!actions) return Fail(actions.error());
    for (const auto& group_id : ForwardedGroups(*actions)) {
      auto group = FindServerGroupOrFail(tx, account, group_id);
      if (!group) return Fail(group.error());
    }
    out.actions = std::move(*actions);
  }
  return out;
}

Result<RuleLimits> LimitsOfLoadBalancer(StoreTx& tx, const std::string& account,
                                        const std::string& load_balancer_id) {
  auto lb = ActiveLoadBalancerOrFail(tx, account, load_balancer_id);
  if (!lb) return Fail(lb.error());
  return RuleLimitsFor(lb->edition);
}

std::string RulesPayload(const std::vector<std::string>& listener_ids,
                         const std::vector<std::string>& rule_ids,
                         RuleJson changes = RuleJson::object()) {
  RuleJson payload;
  payload["ListenerIds"] = listener_ids;
  payload["RuleIds"] = rule_ids;
  payload["Changes"] = std::move(changes);
  return payload.dump();
}

std::vector<std::string> PayloadList(const Job& job, std::string_view key) {
  std::vector<std::string> out;
  auto payload = RuleJson::parse(job.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return out;
  auto it = payload.find(key);
  if (it == payload.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// The new content an update job carries for `rule_id` (an object; empty when none).
RuleJson ChangeOf(const Job& job, std::string_view rule_id) {
  auto payload = RuleJson::parse(job.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return RuleJson::object();
  auto changes = payload.find("Changes");
  if (changes == payload.end() || !changes->is_object()) return RuleJson::object();
  auto change = changes->find(rule_id);
  if (change == changes->end() || !change->is_object()) return RuleJson::object();
  return *change;
}

// `rule` with the change laid over it.
Rule WithChange(Rule rule, const RuleJson& change) {
  if (auto it = change.find("RuleName"); it != change.end() && it->is_string()) {
    rule.name = it->get<std::string>();
  }
  if (auto it = change.find("Priority"); it != change.end() && it->is_number_integer()) {
    rule.priority = it->get<int>();
  }
  if (auto it = change.find("RuleConditions"); it != change.end()) rule.conditions = it->dump();
  if (auto it = change.find("RuleActions"); it != change.end()) rule.actions = it->dump();
  return rule;
}

bool IsCreate(std::string_view api) {
  return api == api_name::kCreateRule || api == api_name::kCreateRules;
}
bool IsUpdate(std::string_view api) {
  return api == api_name::kUpdateRuleAttribute || api == api_name::kUpdateRulesAttribute;
}

// The rule rows `job` marked.
Result<std::vector<Rule>> RowsOfJob(StoreTx& tx, const Job& job) {
  std::vector<Rule> out;
  const auto ids = RuleIdsOf(job);
  if (ids.empty()) return out;
  auto page = tx.ListRules({.account_id = job.account_id, .ids = ids},
                           {.after = 0, .limit = static_cast<int>(ids.size()) + 1});
  if (!page) return Fail(page.error());
  for (auto& rule : page->items) {
    if (rule.job_id == job.job_id) out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

Result<Job> CreateRules(const Domain& domain, const CreateRulesRequest& request) {
  const std::string& account = request.write.account_id;
  if (request.rules.empty()) return Fail(errors::MissingParameter("Rules"));
  if (static_cast<int>(request.rules.size()) > domain.limits.rules_per_call) {
    return Fail(errors::InvalidParameter(
        "Rules", "at most " + std::to_string(domain.limits.rules_per_call) + " per call"));
  }
  std::string fingerprint = ParameterFingerprint({request.listener_id});
  for (const auto& input : request.rules) {
    if (!input.name) return Fail(errors::MissingParameter(input.prefix + "RuleName"));
    if (auto r = ValidateResourceName(*input.name, input.prefix + "RuleName"); !r)
      return Fail(r.error());
    if (!input.priority) return Fail(errors::MissingParameter(input.prefix + "Priority"));
    if (*input.priority < 1 || *input.priority > 10000) {
      return Fail(errors::InvalidParameter(input.prefix + "Priority", "it is 1 to 10000"));
    }
    if (!input.direction.empty() && input.direction != "Request" && input.direction != "Response") {
      return Fail(
          errors::InvalidParameter(input.prefix + "Direction", "it is Request or Response"));
    }
    if (!input.conditions) return Fail(errors::MissingParameter(input.prefix + "RuleConditions"));
    if (!input.actions) return Fail(errors::MissingParameter(input.prefix + "RuleActions"));
    fingerprint += InputFingerprint(input);
  }
  return RunJobWrite(
      domain, request.write, request.api_name, fingerprint, [&](StoreTx& tx) -> Result<Job> {
        auto listener = FindListenerOrFail(tx, account, request.listener_id);
        if (!listener) return Fail(listener.error());
        if (listener->status == status::kProvisioning) {
          return Fail(errors::IncorrectListenerStatus(listener->listener_id, listener->status));
        }
        auto limits = LimitsOfLoadBalancer(tx, account, listener->load_balancer_id);
        if (!limits) return Fail(limits.error());
        auto count = tx.CountRules(listener->load_balancer_id);
        if (!count) return Fail(count.error());
        if (*count + static_cast<int>(request.rules.size()) >
            domain.limits.rules_per_load_balancer) {
          return Fail(errors::RuleQuotaExceeded(listener->load_balancer_id,
                                                domain.limits.rules_per_load_balancer));
        }
        Job job =
            MakeJob(domain, account, request.api_name, job_kind::kCreate, job_kind::kRule, "");
        std::vector<std::string> rule_ids;
        std::set<std::pair<std::string, int>> priorities;  // within this call
        for (const auto& input : request.rules) {
          const std::string direction = input.direction.empty() ? "Request" : input.direction;
          auto content = CheckContent(tx, account, input, direction == "Response", *limits);
          if (!content) return Fail(content.error());
          auto taken = tx.RulePriorityTaken(listener->listener_id, direction, *input.priority, "");
          if (!taken) return Fail(taken.error());
          if (*taken || !priorities.emplace(direction, *input.priority).second) {
            return Fail(errors::RulePriorityConflict(listener->listener_id, *input.priority));
          }
          Rule rule{NewRuleId(domain.random),
                    account,
                    listener->load_balancer_id,
                    listener->listener_id,
                    *input.name,
                    *input.priority,
                    direction,
                    std::string(status::kProvisioning),
                    job.job_id,
                    ConditionsJson(*content->conditions).dump(),
                    ActionsJson(*content->actions).dump(),
                    domain.NowMs()};
          if (auto r = tx.InsertRule(rule); !r) return Fail(r.error());
          rule_ids.push_back(rule.rule_id);
        }
        job.resource_id = rule_ids.front();
        job.payload = RulesPayload({listener->listener_id}, rule_ids);
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> UpdateRules(const Domain& domain, const UpdateRulesRequest& request) {
  const std::string& account = request.write.account_id;
  if (request.rules.empty()) return Fail(errors::MissingParameter("Rules"));
  if (static_cast<int>(request.rules.size()) > domain.limits.rules_per_call) {
    return Fail(errors::InvalidParameter(
        "Rules", "at most " + std::to_string(domain.limits.rules_per_call) + " per call"));
  }
  std::string fingerprint;
  std::set<std::string> seen;
  for (const auto& input : request.rules) {
    if (input.rule_id.empty()) return Fail(errors::MissingParameter(input.prefix + "RuleId"));
    if (!seen.insert(input.rule_id).second) {
      return Fail(errors::InvalidParameter(input.prefix + "RuleId", "a rule is listed twice"));
    }
    if (input.name) {
      if (auto r = ValidateResourceName(*input.name, input.prefix + "RuleName"); !r) {
        return Fail(r.error());
      }
    }
    if (input.priority && (*input.priority < 1 || *input.priority > 10000)) {
      return Fail(errors::InvalidParameter(input.prefix + "Priority", "it is 1 to 10000"));
    }
    fingerprint += InputFingerprint(input);
  }
  return RunJobWrite(
      domain, request.write, request.api_name, fingerprint, [&](StoreTx& tx) -> Result<Job> {
        Job job = MakeJob(domain, account, request.api_name, job_kind::kUpdate, job_kind::kRule,
                          request.rules.front().rule_id);
        std::vector<std::string> listener_ids, rule_ids;
        RuleJson changes = RuleJson::object();
        std::set<std::pair<std::string, int>> priorities;
        for (const auto& input : request.rules) {
          auto found = tx.FindRule(account, input.rule_id);
          if (!found) return Fail(found.error());
          if (!*found) return Fail(errors::RuleNotFound(input.rule_id));
          Rule rule = **found;
          if (rule.status != status::kAvailable) {
            return Fail(errors::IncorrectRuleStatus(rule.rule_id, rule.status));
          }
          auto limits = LimitsOfLoadBalancer(tx, account, rule.load_balancer_id);
          if (!limits) return Fail(limits.error());
          auto content = CheckContent(tx, account, input, rule.direction == "Response", *limits);
          if (!content) return Fail(content.error());
          RuleJson change = RuleJson::object();
          if (input.name) change["RuleName"] = *input.name;
          if (input.priority) {
            auto taken = tx.RulePriorityTaken(rule.listener_id, rule.direction, *input.priority,
                                              rule.rule_id);
            if (!taken) return Fail(taken.error());
            if (*taken || !priorities.emplace(rule.listener_id, *input.priority).second) {
              return Fail(errors::RulePriorityConflict(rule.listener_id, *input.priority));
            }
            change["Priority"] = *input.priority;
          }
          if (content->conditions) change["RuleConditions"] = ConditionsJson(*content->conditions);
          if (content->actions) change["RuleActions"] = ActionsJson(*content->actions);
          changes[rule.rule_id] = std::move(change);
          rule.status = status::kConfiguring;
          rule.job_id = job.job_id;
          if (auto r = tx.UpdateRule(rule); !r) return Fail(r.error());
          rule_ids.push_back(rule.rule_id);
          if (std::find(listener_ids.begin(), listener_ids.end(), rule.listener_id) ==
              listener_ids.end()) {
            listener_ids.push_back(rule.listener_id);
          }
        }
        job.payload = RulesPayload(listener_ids, rule_ids, std::move(changes));
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> DeleteRules(const Domain& domain, const WriteRequest& write, std::string_view api,
                        const std::vector<std::string>& rule_ids) {
  if (rule_ids.empty()) return Fail(errors::MissingParameter("RuleIds"));
  if (static_cast<int>(rule_ids.size()) > domain.limits.rules_per_call) {
    return Fail(errors::InvalidParameter(
        "RuleIds", "at most " + std::to_string(domain.limits.rules_per_call) + " per call"));
  }
  std::string fingerprint;
  for (const auto& id : rule_ids) fingerprint += ParameterFingerprint({id});
  const std::string& account = write.account_id;
  return RunJobWrite(domain, write, api, fingerprint, [&](StoreTx& tx) -> Result<Job> {
    Job job = MakeJob(domain, account, api, job_kind::kDelete, job_kind::kRule, rule_ids.front());
    std::vector<std::string> listener_ids, ids;
    for (const auto& id : rule_ids) {
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
      auto found = tx.FindRule(account, id);
      if (!found) return Fail(found.error());
      if (!*found) return Fail(errors::RuleNotFound(id));
      Rule rule = **found;
      if (rule.status != status::kAvailable) {
        return Fail(errors::IncorrectRuleStatus(rule.rule_id, rule.status));
      }
      rule.status = status::kConfiguring;
      rule.job_id = job.job_id;
      if (auto r = tx.UpdateRule(rule); !r) return Fail(r.error());
      ids.push_back(id);
      if (std::find(listener_ids.begin(), listener_ids.end(), rule.listener_id) ==
          listener_ids.end()) {
        listener_ids.push_back(rule.listener_id);
      }
    }
    job.payload = RulesPayload(listener_ids, ids);
    if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
    return job;
  });
}

Result<Page<Rule>> ListRules(const Domain& domain, const RuleFilter& filter,
                             const PageRequest& page) {
  return InTransaction<Page<Rule>>(domain.store, TxMode::kRead,
                                   [&](StoreTx& tx) { return tx.ListRules(filter, page); });
}

std::vector<std::string> RuleIdsOf(const Job& job) { return PayloadList(job, "RuleIds"); }
std::vector<std::string> RuleListenersOf(const Job& job) { return PayloadList(job, "ListenerIds"); }

bool IsRuleJob(std::string_view api) {
  return IsCreate(api) || IsUpdate(api) || api == api_name::kDeleteRule ||
         api == api_name::kDeleteRules;
}

Result<void> FinishRuleJob(StoreTx& tx, const Job& job) {
  auto rows = RowsOfJob(tx, job);
  if (!rows) return Fail(rows.error());
  for (auto& rule : *rows) {
    if (!IsCreate(job.api_name) && !IsUpdate(job.api_name)) {
      if (auto r = tx.DeleteRule(rule.rule_id); !r) return r;
      continue;
    }
    if (IsUpdate(job.api_name)) {
      Rule changed = WithChange(rule, ChangeOf(job, rule.rule_id));
      if (changed.priority != rule.priority) {
        auto taken =
            tx.RulePriorityTaken(rule.listener_id, rule.direction, changed.priority, rule.rule_id);
        if (!taken) return Fail(taken.error());
        if (*taken) return Fail(errors::RulePriorityConflict(rule.listener_id, changed.priority));
      }
      rule = std::move(changed);
    }
    rule.status = status::kAvailable;
    rule.job_id.clear();
    if (auto r = tx.UpdateRule(rule); !r) return r;
  }
  return {};
}

Result<void> UndoRuleJob(StoreTx& tx, const Job& job) {
  auto rows = RowsOfJob(tx, job);
  if (!rows) return Fail(rows.error());
  for (auto& rule : *rows) {
    if (IsCreate(job.api_name)) {
      if (auto r = tx.DeleteRule(rule.rule_id); !r) return r;
      continue;
    }
    rule.status = status::kAvailable;
    rule.job_id.clear();
    if (auto r = tx.UpdateRule(rule); !r) return r;
  }
  return {};
}

std::optional<RuleConfig> ServedRule(const Rule& rule, const Job* published_job) {
  Rule served = rule;
  if (!rule.job_id.empty()) {
    const bool applied = published_job != nullptr;
    if (rule.status == status::kProvisioning && !applied) return std::nullopt;
    if (rule.status == status::kConfiguring && applied) {
      if (!IsUpdate(published_job->api_name)) return std::nullopt;  // a published deletion
      served = WithChange(rule, ChangeOf(*published_job, rule.rule_id));
    }
  }
  return RuleConfig{served.rule_id, served.priority, served.direction == "Response",
                    ConditionsFromJson(served.conditions), ActionsFromJson(served.actions)};
}

Result<std::vector<Rule>> AllRulesOf(StoreTx& tx, std::string_view listener_id) {
  std::vector<Rule> out;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto rules = tx.ListRules({.listener_ids = {std::string(listener_id)}}, page);
    if (!rules) return Fail(rules.error());
    for (auto& rule : rules->items) out.push_back(std::move(rule));
    if (!rules->next) return out;
    page.after = *rules->next;
  }
}

}  // namespace openalb
