// Forwarding rules: create, update and delete them (one or several per call) and list them.
// Every change is asynchronous like ALB's: a new rule is Provisioning and an updated or deleted
// one Configuring until the worker completes the job. The store's row holds what is served;
// an update's new content waits in its job's payload (laid over the row once the job is
// published to the data plane, written into it when the job completes). A job names the rules
// and listeners it changes in its payload ("RuleIds", "ListenerIds").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/rule_spec.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// One rule as a request gives it; for an update, absent fields keep their value.
struct RuleInput {
  std::string rule_id;  // updates only
  std::optional<std::string> name;
  std::optional<int> priority;
  std::string direction;  // creates only; empty: Request
  std::optional<std::vector<RuleParameterObject>> conditions;
  std::optional<std::vector<RuleParameterObject>> actions;
  std::string prefix;  // how errors name it: "" for CreateRule, "Rules.2." for CreateRules
};

struct CreateRulesRequest {
  WriteRequest write;
  std::string api_name;  // CreateRule or CreateRules
  std::string listener_id;
  std::vector<RuleInput> rules;
};

struct UpdateRulesRequest {
  WriteRequest write;
  std::string api_name;  // UpdateRuleAttribute or UpdateRulesAttribute
  std::vector<RuleInput> rules;
};

// The job's payload lists the new rules' ids ("RuleIds"): see RuleIdsOf.
Result<Job> CreateRules(const Domain& domain, const CreateRulesRequest& request);
Result<Job> UpdateRules(const Domain& domain, const UpdateRulesRequest& request);
Result<Job> DeleteRules(const Domain& domain, const WriteRequest& write, std::string_view api_name,
                        const std::vector<std::string>& rule_ids);
Result<Page<Rule>> ListRules(const Domain& domain, const RuleFilter& filter,
                             const PageRequest& page);

// The rules and listeners a rule job changes.
std::vector<std::string> RuleIdsOf(const Job& job);
std::vector<std::string> RuleListenersOf(const Job& job);
bool IsRuleJob(std::string_view api_name);
// Applies the job: new and updated rules Available with their new content, deleted ones gone.
// Conflict.Priority when an update's priority was taken meanwhile.
Result<void> FinishRuleJob(StoreTx& tx, const Job& job);
// Undoes the job's marks: new rules gone, the others Available as they were.
Result<void> UndoRuleJob(StoreTx& tx, const Job& job);
// What the data plane serves of `rule` while `job` (its published job, or null) is in flight.
// nullopt: not served.
std::optional<RuleConfig> ServedRule(const Rule& rule, const Job* published_job);
// Every rule of the listener, in the order they were created.
Result<std::vector<Rule>> AllRulesOf(StoreTx& tx, std::string_view listener_id);

}  // namespace openalb
