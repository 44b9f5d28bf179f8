#include "alb/server_groups.h"

#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <utility>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/resource_name.h"
#include "alb/server_group_attributes.h"
#include "alb/server_group_rows.h"
#include "core/backend_address_policy.h"

namespace openalb {
namespace {

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// The request's value, or `fallback` when absent; InvalidParameter unless it is one of
// `allowed`.
Result<std::string> OneOf(std::string_view name, const std::string& value,
                          std::string_view fallback,
                          std::initializer_list<std::string_view> allowed, std::string_view why) {
  std::string chosen = value.empty() ? std::string(fallback) : value;
  for (auto option : allowed) {
    if (chosen == option) return chosen;
  }
  return Fail(errors::InvalidParameter(name, why));
}

Result<std::string> SchedulerOf(const std::string& value, std::string_view fallback) {
  return OneOf("Scheduler", value, fallback, {"Wrr", "Sch", "Wlc", "Uch"},
               "it must be Wrr (weighted round-robin), Wlc (weighted least connections), Sch "
               "(source IP hash) or Uch (URL hash)");
}

Result<BackendServer> AllowedByPolicy(const Domain& domain, BackendServer server) {
  if (domain.backend_policy == nullptr) return server;
  if (auto why = domain.backend_policy->Refuses(server.server_ip, server.port)) {
    return Fail(errors::BackendAddressNotAllowed(server.server_ip, server.port, *why));
  }
  return server;
}

}  // namespace

Result<BackendServer> ServerToAdd(const Domain& domain, const ServerGroup& group,
                                  const ServerSpec& spec, const std::string& job_id) {
  static const std::set<std::string, std::less<>> kInstanceTypes = {"Ecs", "Eni", "Eci"};
  if (spec.server_id.empty()) return Fail(errors::MissingParameter("Servers.ServerId"));
  if (spec.server_type.empty()) return Fail(errors::MissingParameter("Servers.ServerType"));
  if (spec.server_id.size() > 128) {
    return Fail(errors::InvalidParameter("Servers.ServerId", "it is longer than 128 characters"));
  }
  if (spec.port < 1 || spec.port > 65535) {
    return Fail(errors::InvalidParameter("Servers.Port", "it must be between 1 and 65535"));
  }
  if (spec.weight < 0 || spec.weight > 100) {
    return Fail(errors::InvalidParameter("Servers.Weight", "it must be between 0 and 100"));
  }
  if (spec.description.size() > 256) {
    return Fail(
        errors::InvalidParameter("Servers.Description", "it is longer than 256 characters"));
  }
  BackendServer server{group.server_group_id,
                       spec.server_id,
                       spec.server_ip,
                       spec.server_type,
                       spec.port,
                       spec.weight,
                       spec.description,
                       std::string(status::kAdding),
                       job_id};
  if (group.server_group_type == "Ip") {
    if (spec.server_type != "Ip") {
      return Fail(errors::InvalidParameter("Servers.ServerType",
                                           "a server group of type Ip takes servers of type Ip"));
    }
    if (!IsIpAddress(spec.server_id)) {
      return Fail(errors::InvalidParameter("Servers.ServerId",
                                           "a server of type Ip is named by its IP address"));
    }
    if (!spec.server_ip.empty() && spec.server_ip != spec.server_id) {
      return Fail(errors::InvalidParameter("Servers.ServerIp",
                                           "for a server of type Ip it must equal ServerId"));
    }
    server.server_ip = spec.server_id;
    return AllowedByPolicy(domain, std::move(server));
  }
  if (!kInstanceTypes.contains(spec.server_type)) {
    return Fail(errors::InvalidParameter(
        "Servers.ServerType", "a server group of type Instance takes Ecs, Eni or Eci servers"));
  }
  if (spec.server_ip.empty()) {
    return Fail(errors::InvalidParameter(
        "Servers.ServerIp", "openalb reaches instance servers by address: ServerIp is required"));
  }
  if (!IsIpAddress(spec.server_ip)) {
    return Fail(errors::InvalidParameter("Servers.ServerIp", "it is not an IP address"));
  }
  return AllowedByPolicy(domain, std::move(server));
}

namespace {

// Servers: at least one, at most the per-call limit.
Result<void> CheckServerCount(const Domain& domain, const ChangeServersRequest& request) {
  if (request.servers.empty()) return Fail(errors::MissingParameter("Servers"));
  if (static_cast<int>(request.servers.size()) > domain.limits.servers_per_call) {
    return Fail(errors::InvalidParameter(
        "Servers", "at most " + std::to_string(domain.limits.servers_per_call) + " per call"));
  }
  return {};
}

}  // namespace

std::string ServersFingerprint(std::string_view server_group_id,
                               const std::vector<ServerSpec>& servers) {
  std::string joined;
  for (const auto& s : servers) {
    joined += ParameterFingerprint({s.server_id, s.server_ip, s.server_type, std::to_string(s.port),
                                    std::to_string(s.weight), s.description});
  }
  return ParameterFingerprint({server_group_id, joined});
}

Result<ServerGroup> ServerGroupReadyForChange(StoreTx& tx, std::string_view account_id,
                                              std::string_view server_group_id) {
  auto group = FindServerGroupOrFail(tx, account_id, server_group_id);
  if (!group) return group;
  if (group->status != status::kAvailable) {
    return Fail(errors::IncorrectServerGroupStatus(server_group_id, group->status));
  }
  return group;
}

Result<std::optional<BackendServer>> FindServer(StoreTx& tx, std::string_view server_group_id,
                                                std::string_view server_id, int port) {
  auto page = tx.ListBackendServers({std::string(server_group_id), {std::string(server_id)}},
                                    {.after = 0, .limit = 1000});
  if (!page) return Fail(page.error());
  for (auto& server : page->items) {
    if (server.port == port) return std::optional<BackendServer>{std::move(server)};
  }
  return std::optional<BackendServer>{};
}

namespace {

// The first listener forwarding to the group (by its default action or a rule), if any.
Result<std::optional<std::string>> ListenerUsing(StoreTx& tx, const ServerGroup& group) {
  auto page = tx.ListListeners(
      {.account_id = group.account_id, .forward_server_group_id = group.server_group_id},
      {.after = 0, .limit = 1});
  if (!page) return Fail(page.error());
  if (!page->items.empty()) return std::optional<std::string>{page->items.front().listener_id};
  // Or a rule forwards to it.
  auto rules =
      tx.ListRules({.account_id = group.account_id, .server_group_id = group.server_group_id},
                   {.after = 0, .limit = 1});
  if (!rules) return Fail(rules.error());
  if (rules->items.empty()) return std::optional<std::string>{};
  return std::optional<std::string>{rules->items.front().listener_id};
}

}  // namespace

Result<Job> MarkAndRecord(const Domain& domain, StoreTx& tx, const std::string& account,
                          std::string_view api, std::string_view operate, ServerGroup group,
                          std::string_view group_status, std::string payload) {
  group.status = group_status;
  if (auto r = tx.UpdateServerGroup(group); !r) return Fail(r.error());
  Job job = MakeJob(domain, account, api, operate, job_kind::kServerGroup, group.server_group_id,
                    std::move(payload));
  if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
  return job;
}

Result<void> InsertAddedServers(const Domain& domain, StoreTx& tx, const ServerGroup& group,
                                const std::vector<ServerSpec>& specs, const std::string& job_id) {
  for (const auto& spec : specs) {
    auto server = ServerToAdd(domain, group, spec, job_id);
    if (!server) return Fail(server.error());
    auto existing = FindServer(tx, group.server_group_id, spec.server_id, spec.port);
    if (!existing) return Fail(existing.error());
    if (*existing) return Fail(errors::BackendServerAlreadyExists(spec.server_id, spec.port));
    if (auto r = tx.InsertBackendServer(*server); !r) return Fail(r.error());
  }
  return {};
}

Result<void> MarkServersRemoving(StoreTx& tx, std::string_view server_group_id,
                                 const std::vector<ServerSpec>& specs, std::string_view list,
                                 const std::string& job_id) {
  for (const auto& spec : specs) {
    if (spec.server_id.empty()) {
      return Fail(errors::MissingParameter(std::string(list) + ".ServerId"));
    }
    auto existing = FindServer(tx, server_group_id, spec.server_id, spec.port);
    if (!existing) return Fail(existing.error());
    if (!*existing) return Fail(errors::BackendServerNotFound(spec.server_id, spec.port));
    if ((*existing)->job_id == job_id) continue;  // named twice in this call
    BackendServer server = std::move(**existing);
    server.status = status::kRemoving;
    server.job_id = job_id;
    if (auto r = tx.UpdateBackendServer(server); !r) return Fail(r.error());
  }
  return {};
}

namespace {

// Settles the servers `job` marked and makes the group Available again: on success
// Adding → Available and Removing → gone; on failure the reverse.
Result<void> SettleServers(StoreTx& tx, const Job& job, ServerGroup group, bool succeeded) {
  auto servers = AllBackendServers(tx, job.resource_id);
  if (!servers) return Fail(servers.error());
  const std::string_view dropped = succeeded ? status::kRemoving : status::kAdding;
  for (auto server : *servers) {
    if (server.job_id != job.job_id) continue;
    if (server.status == dropped) {
      if (auto r = tx.DeleteBackendServer(server.server_group_id, server.server_id, server.port);
          !r) {
        return r;
      }
      continue;
    }
    server.status = status::kAvailable;
    server.job_id.clear();
    if (auto r = tx.UpdateBackendServer(server); !r) return r;
  }
  group.status = status::kAvailable;
  return tx.UpdateServerGroup(group);
}

}  // namespace

bool IsServerGroupJob(std::string_view api) {
  return api == api_name::kCreateServerGroup || api == api_name::kDeleteServerGroup ||
         api == api_name::kAddServersToServerGroup ||
         api == api_name::kRemoveServersFromServerGroup ||
         api == api_name::kUpdateServerGroupAttribute ||
         api == api_name::kReplaceServersInServerGroup ||
         api == api_name::kUpdateServerGroupServersAttribute ||
         api == api_name::kApplyHealthCheckTemplateToServerGroup;
}

bool ChangesServerGroupAttributes(std::string_view api) {
  return api == api_name::kUpdateServerGroupAttribute ||
         api == api_name::kApplyHealthCheckTemplateToServerGroup;
}

Result<Job> UpdateServerGroupAttribute(const Domain& domain,
                                       const UpdateServerGroupRequest& request) {
  return UpdateServerGroupAttributeAs(domain, request, api_name::kUpdateServerGroupAttribute);
}

Result<Job> UpdateServerGroupAttributeAs(const Domain& domain,
                                         const UpdateServerGroupRequest& request,
                                         std::string_view api) {
  if (request.name) {
    if (auto r = ValidateResourceName(*request.name, "ServerGroupName"); !r) return Fail(r.error());
  }
  std::optional<std::string> scheduler;
  if (request.scheduler) {
    auto checked = SchedulerOf(*request.scheduler, "");
    if (!checked) return Fail(checked.error());
    scheduler = *checked;
  }
  const std::string& account = request.write.account_id;
  auto fingerprint =
      ParameterFingerprint({request.server_group_id, request.name.value_or("\x01"),
                            request.scheduler.value_or("\x01"), request.attributes.dump()});
  return RunJobWrite(domain, request.write, api, fingerprint, [&](StoreTx& tx) -> Result<Job> {
    auto group = ServerGroupReadyForChange(tx, account, request.server_group_id);
    if (!group) return Fail(group.error());
    const std::string new_scheduler = scheduler.value_or(group->scheduler);
    auto attributes =
        MergeServerGroupAttributes(group->attributes, request.attributes, new_scheduler);
    if (!attributes) return Fail(attributes.error());
    if (request.name) group->name = *request.name;
    nlohmann::json payload = {{"Scheduler", new_scheduler}, {"Attributes", *attributes}};
    return MarkAndRecord(domain, tx, account, api, job_kind::kUpdate, std::move(*group),
                         status::kConfiguring, payload.dump());
  });
}

Result<ServerGroup> FindServerGroupOrFail(StoreTx& tx, std::string_view account_id,
                                          std::string_view server_group_id) {
  auto group = tx.FindServerGroup(account_id, server_group_id);
  if (!group) return Fail(group.error());
  if (!*group) return Fail(errors::ServerGroupNotFound(server_group_id));
  return std::move(**group);
}

Result<std::vector<BackendServer>> AllBackendServers(StoreTx& tx,
                                                     std::string_view server_group_id) {
  std::vector<BackendServer> out;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto rows = tx.ListBackendServers({std::string(server_group_id), {}}, page);
    if (!rows) return Fail(rows.error());
    out.insert(out.end(), rows->items.begin(), rows->items.end());
    if (!rows->next) return out;
    page.after = *rows->next;
  }
}

Result<Job> CreateServerGroup(const Domain& domain, const CreateServerGroupRequest& request) {
  if (request.name.empty()) return Fail(errors::MissingParameter("ServerGroupName"));
  if (auto r = ValidateResourceName(request.name, "ServerGroupName"); !r) return Fail(r.error());
  auto type = OneOf("ServerGroupType", request.server_group_type, "Instance", {"Instance", "Ip"},
                    "it must be Instance or Ip (openalb runs no Function Compute)");
  if (!type) return Fail(type.error());
  auto protocol = OneOf("Protocol", request.protocol, "HTTP", {"HTTP", "HTTPS", "gRPC"},
                        "it must be HTTP, HTTPS or gRPC");
  if (!protocol) return Fail(protocol.error());
  auto scheduler = SchedulerOf(request.scheduler, "Wrr");
  if (!scheduler) return Fail(scheduler.error());
  if (request.vpc_id.size() > 128) {
    return Fail(errors::InvalidParameter("VpcId", "it is longer than 128 characters"));
  }
  auto attributes = MergeServerGroupAttributes("{}", request.attributes, *scheduler);
  if (!attributes) return Fail(attributes.error());
  const std::string& account = request.write.account_id;
  auto fingerprint =
      ParameterFingerprint({request.name, *type, *protocol, *scheduler, request.vpc_id,
                            request.attributes.dump(), TagsFingerprint(request.tags)});
  return RunJobWrite(domain, request.write, api_name::kCreateServerGroup, fingerprint,
                     [&](StoreTx& tx) -> Result<Job> {
                       ServerGroup group{NewServerGroupId(domain.random),
                                         account,
                                         request.name,
                                         *type,
                                         *protocol,
                                         *scheduler,
                                         request.vpc_id,
                                         std::string(status::kCreating),
                                         domain.NowMs(),
                                         attributes->dump()};
                       if (auto r = tx.InsertServerGroup(group); !r) return Fail(r.error());
                       if (auto r = PutResourceTags(tx, account, "servergroup",
                                                    group.server_group_id, request.tags);
                           !r) {
                         return Fail(r.error());
                       }
                       Job job =
                           MakeJob(domain, account, api_name::kCreateServerGroup, job_kind::kCreate,
                                   job_kind::kServerGroup, group.server_group_id);
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

Result<Job> DeleteServerGroup(const Domain& domain, const WriteRequest& write,
                              std::string_view server_group_id) {
  return RunJobWrite(
      domain, write, api_name::kDeleteServerGroup, ParameterFingerprint({server_group_id}),
      [&](StoreTx& tx) -> Result<Job> {
        auto group = ServerGroupReadyForChange(tx, write.account_id, server_group_id);
        if (!group) return Fail(group.error());
        auto user = ListenerUsing(tx, *group);
        if (!user) return Fail(user.error());
        if (*user) return Fail(errors::ServerGroupInUse(server_group_id, **user));
        return MarkAndRecord(domain, tx, write.account_id, api_name::kDeleteServerGroup,
                             job_kind::kDelete, std::move(*group), status::kConfiguring);
      });
}

Result<Job> AddServersToServerGroup(const Domain& domain, const ChangeServersRequest& request) {
  if (auto r = CheckServerCount(domain, request); !r) return Fail(r.error());
  const std::string& account = request.write.account_id;
  return RunJobWrite(
      domain, request.write, api_name::kAddServersToServerGroup,
      ServersFingerprint(request.server_group_id, request.servers),
      [&](StoreTx& tx) -> Result<Job> {
        auto group = ServerGroupReadyForChange(tx, account, request.server_group_id);
        if (!group) return Fail(group.error());
        auto count = tx.CountBackendServers(request.server_group_id);
        if (!count) return Fail(count.error());
        if (*count + static_cast<int>(request.servers.size()) >
            domain.limits.servers_per_server_group) {
          return Fail(errors::BackendServerQuotaExceeded(request.server_group_id,
                                                         domain.limits.servers_per_server_group));
        }
        auto job = MarkAndRecord(domain, tx, account, api_name::kAddServersToServerGroup,
                                 job_kind::kUpdate, *group, status::kConfiguring);
        if (!job) return job;
        if (auto r = InsertAddedServers(domain, tx, *group, request.servers, job->job_id); !r) {
          return Fail(r.error());
        }
        return job;
      });
}

Result<Job> RemoveServersFromServerGroup(const Domain& domain,
                                         const ChangeServersRequest& request) {
  if (auto r = CheckServerCount(domain, request); !r) return Fail(r.error());
  const std::string& account = request.write.account_id;
  return RunJobWrite(domain, request.write, api_name::kRemoveServersFromServerGroup,
                     ServersFingerprint(request.server_group_id, request.servers),
                     [&](StoreTx& tx) -> Result<Job> {
                       auto group = ServerGroupReadyForChange(tx, account, request.server_group_id);
                       if (!group) return Fail(group.error());
                       auto job = MarkAndRecord(domain, tx, account,
                                                api_name::kRemoveServersFromServerGroup,
                                                job_kind::kUpdate, *group, status::kConfiguring);
                       if (!job) return job;
                       if (auto r = MarkServersRemoving(tx, request.server_group_id,
                                                        request.servers, "Servers", job->job_id);
                           !r) {
                         return Fail(r.error());
                       }
                       return job;
                     });
}

Result<Page<ServerGroupView>> ListServerGroups(const Domain& domain,
                                               const ServerGroupFilter& filter,
                                               const PageRequest& page) {
  return InTransaction<Page<ServerGroupView>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<Page<ServerGroupView>> {
        auto groups = tx.ListServerGroups(filter, page);
        if (!groups) return Fail(groups.error());
        Page<ServerGroupView> out{{}, groups->total, groups->next};
        for (auto& group : groups->items) {
          ServerGroupView view{std::move(group), 0, {}, {}};
          auto count = tx.CountBackendServers(view.group.server_group_id);
          if (!count) return Fail(count.error());
          view.server_count = *count;
          auto users = tx.ListListeners({.account_id = view.group.account_id,
                                         .forward_server_group_id = view.group.server_group_id},
                                        {.after = 0, .limit = 1000});
          if (!users) return Fail(users.error());
          auto relate = [&view](const std::string& listener_id, const std::string& lb_id) {
            auto& listeners = view.listener_ids;
            auto& lbs = view.load_balancer_ids;
            if (std::find(listeners.begin(), listeners.end(), listener_id) == listeners.end()) {
              listeners.push_back(listener_id);
            }
            if (std::find(lbs.begin(), lbs.end(), lb_id) == lbs.end()) lbs.push_back(lb_id);
          };
          for (const auto& listener : users->items) {
            relate(listener.listener_id, listener.load_balancer_id);
          }
          // And the listeners whose forwarding rules send requests to it.
          auto rules = tx.ListRules(
              {.account_id = view.group.account_id, .server_group_id = view.group.server_group_id},
              {.after = 0, .limit = 1000});
          if (!rules) return Fail(rules.error());
          for (const auto& rule : rules->items) relate(rule.listener_id, rule.load_balancer_id);
          out.items.push_back(std::move(view));
        }
        return out;
      });
}

Result<Page<BackendServer>> ListServerGroupServers(const Domain& domain,
                                                   std::string_view account_id,
                                                   const BackendServerFilter& filter,
                                                   const PageRequest& page) {
  return InTransaction<Page<BackendServer>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<Page<BackendServer>> {
        auto group = FindServerGroupOrFail(tx, account_id, filter.server_group_id);
        if (!group) return Fail(group.error());
        return tx.ListBackendServers(filter, page);
      });
}

Result<void> FinishServerGroupJob(StoreTx& tx, const Job& job) {
  auto group = FindServerGroupOrFail(tx, job.account_id, job.resource_id);
  if (!group) return Fail(group.error());
  if (job.api_name == api_name::kDeleteServerGroup) {
    // A listener may have started forwarding to it since the deletion was accepted.
    auto user = ListenerUsing(tx, *group);
    if (!user) return Fail(user.error());
    if (*user) return Fail(errors::ServerGroupInUse(job.resource_id, **user));
    return tx.DeleteServerGroup(job.resource_id);
  }
  if (ChangesServerGroupAttributes(job.api_name)) {
    if (auto scheduler = JobPayloadString(job, "Scheduler")) group->scheduler = *scheduler;
    if (auto attributes = JobPayloadObject(job, "Attributes")) {
      group->attributes = attributes->dump();
    }
  }
  if (job.api_name == api_name::kUpdateServerGroupServersAttribute) {
    if (auto r = ApplyServerChanges(tx, job); !r) return r;
  }
  return SettleServers(tx, job, std::move(*group), /*succeeded=*/true);
}

Result<void> UndoServerGroupJob(StoreTx& tx, const Job& job) {
  auto group = tx.FindServerGroup(job.account_id, job.resource_id);
  if (!group) return Fail(group.error());
  if (!*group) return {};
  return SettleServers(tx, job, std::move(**group), /*succeeded=*/false);
}

}  // namespace openalb
