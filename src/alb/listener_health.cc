#include "alb/listener_health.h"

#include <algorithm>

#include "alb/alb_errors.h"
#include "alb/rule_spec.h"
#include "alb/rules.h"
#include "alb/server_group_attributes.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

Result<std::optional<GroupHealthView>> GroupHealth(StoreTx& tx, std::string_view account_id,
                                                   const std::string& group_id,
                                                   const HealthLookup& lookup) {
  auto group = tx.FindServerGroup(account_id, group_id);
  if (!group) return Fail(group.error());
  if (!*group) return std::optional<GroupHealthView>{};
  const ServerGroupPolicy policy = ServerGroupPolicyOf((*group)->attributes, (*group)->scheduler);
  GroupHealthView view{group_id, policy.health.enabled, {}};
  auto servers = AllBackendServers(tx, group_id);
  if (!servers) return Fail(servers.error());
  for (const auto& server : *servers) {
    ServerHealthView entry{server.server_id, server.server_ip, server.port, "", {}};
    if (server.weight == 0) {
      entry.status = "Unused";
    } else if (!policy.health.enabled) {
      entry.status = "Unavailable";
    } else {
      auto report = lookup ? lookup(group_id, server.server_ip, server.port) : std::nullopt;
      if (report && report->state == HealthState::kHealthy) continue;
      if (report && report->state == HealthState::kUnhealthy) {
        entry.status = "Unhealthy";
        entry.reason = *report;
      } else {
        entry.status = "Initial";
      }
    }
    view.non_normal_servers.push_back(std::move(entry));
  }
  return std::optional<GroupHealthView>{std::move(view)};
}

}  // namespace

Result<ListenerHealthView> GetListenerHealth(const Domain& domain, std::string_view account_id,
                                             std::string_view listener_id, bool include_rules,
                                             const HealthLookup& lookup) {
  return InTransaction<ListenerHealthView>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<ListenerHealthView> {
        auto listener = tx.FindListener(account_id, listener_id);
        if (!listener) return Fail(listener.error());
        if (!*listener) return Fail(errors::ListenerNotFound(listener_id));
        ListenerHealthView view{std::move(**listener), {}, {}};
        if (!view.listener.forward_server_group_id.empty()) {
          auto group = GroupHealth(tx, account_id, view.listener.forward_server_group_id, lookup);
          if (!group) return Fail(group.error());
          if (*group) view.groups.push_back(std::move(**group));
        }
        if (!include_rules) return view;
        auto rules = AllRulesOf(tx, view.listener.listener_id);
        if (!rules) return Fail(rules.error());
        for (const auto& rule : *rules) {
          auto served = ServedRule(rule, nullptr);
          if (!served) continue;
          RuleHealthView entry{rule.rule_id, {}};
          for (const auto& id : ForwardedGroups(served->actions)) {
            auto group = GroupHealth(tx, account_id, id, lookup);
            if (!group) return Fail(group.error());
            if (*group) entry.groups.push_back(std::move(**group));
          }
          if (!entry.groups.empty()) view.rules.push_back(std::move(entry));
        }
        return view;
      });
}

}  // namespace openalb
