// ReplaceServersInServerGroup and UpdateServerGroupServersAttribute: changes to a group's
// servers beyond adding and removing them (server_groups.cc), each one asynchronous job.
#include <algorithm>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/jobs.h"
#include "alb/server_group_rows.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

Result<void> CheckCount(const Domain& domain, size_t count, std::string_view name) {
  if (static_cast<int>(count) > domain.limits.servers_per_call) {
    return Fail(errors::InvalidParameter(
        name, "at most " + std::to_string(domain.limits.servers_per_call) + " per call"));
  }
  return {};
}

}  // namespace

Result<Job> ReplaceServersInServerGroup(const Domain& domain,
                                        const ReplaceServersRequest& request) {
  if (request.added.empty() && request.removed.empty()) {
    return Fail(errors::MissingParameter("AddedServers"));
  }
  if (auto r = CheckCount(domain, request.added.size(), "AddedServers"); !r) return Fail(r.error());
  if (auto r = CheckCount(domain, request.removed.size(), "RemovedServers"); !r) {
    return Fail(r.error());
  }
  const std::string& account = request.write.account_id;
  auto fingerprint =
      ParameterFingerprint({ServersFingerprint(request.server_group_id, request.added),
                            ServersFingerprint(request.server_group_id, request.removed)});
  return RunJobWrite(
      domain, request.write, api_name::kReplaceServersInServerGroup, fingerprint,
      [&](StoreTx& tx) -> Result<Job> {
        auto group = ServerGroupReadyForChange(tx, account, request.server_group_id);
        if (!group) return Fail(group.error());
        auto job = MarkAndRecord(domain, tx, account, api_name::kReplaceServersInServerGroup,
                                 job_kind::kUpdate, *group, status::kConfiguring);
        if (!job) return job;
        if (auto r = MarkServersRemoving(tx, request.server_group_id, request.removed,
                                         "RemovedServers", job->job_id);
            !r) {
          return Fail(r.error());
        }
        auto count = tx.CountBackendServers(request.server_group_id);
        if (!count) return Fail(count.error());
        if (*count - static_cast<int>(request.removed.size()) +
                static_cast<int>(request.added.size()) >
            domain.limits.servers_per_server_group) {
          return Fail(errors::BackendServerQuotaExceeded(request.server_group_id,
                                                         domain.limits.servers_per_server_group));
        }
        if (auto r = InsertAddedServers(domain, tx, *group, request.added, job->job_id); !r) {
          return Fail(r.error());
        }
        return job;
      });
}

Result<Job> UpdateServerGroupServersAttribute(const Domain& domain,
                                              const ChangeServersRequest& request) {
  if (request.servers.empty()) return Fail(errors::MissingParameter("Servers"));
  if (auto r = CheckCount(domain, request.servers.size(), "Servers"); !r) return Fail(r.error());
  const std::string& account = request.write.account_id;
  return RunJobWrite(
      domain, request.write, api_name::kUpdateServerGroupServersAttribute,
      ServersFingerprint(request.server_group_id, request.servers),
      [&](StoreTx& tx) -> Result<Job> {
        auto group = ServerGroupReadyForChange(tx, account, request.server_group_id);
        if (!group) return Fail(group.error());
        nlohmann::json changes = nlohmann::json::array();
        std::vector<BackendServer> rows;
        for (const auto& spec : request.servers) {
          if (spec.server_id.empty()) return Fail(errors::MissingParameter("Servers.ServerId"));
          if (spec.weight < 0 || spec.weight > 100) {
            return Fail(errors::InvalidParameter("Servers.Weight", "it must be between 0 and 100"));
          }
          if (spec.description.size() > 256) {
            return Fail(errors::InvalidParameter("Servers.Description",
                                                 "it is longer than 256 characters"));
          }
          auto existing = FindServer(tx, request.server_group_id, spec.server_id, spec.port);
          if (!existing) return Fail(existing.error());
          if (!*existing) return Fail(errors::BackendServerNotFound(spec.server_id, spec.port));
          nlohmann::json change = {
              {"ServerId", spec.server_id},
              {"Port", spec.port},
              {"Weight", spec.weight_given ? spec.weight : (*existing)->weight},
              {"Description",
               spec.description_given ? spec.description : (*existing)->description}};
          changes.push_back(std::move(change));
          rows.push_back(std::move(**existing));
        }
        auto job = MarkAndRecord(domain, tx, account, api_name::kUpdateServerGroupServersAttribute,
                                 job_kind::kUpdate, *group, status::kConfiguring,
                                 nlohmann::json{{"Servers", changes}}.dump());
        if (!job) return job;
        for (auto& server : rows) {
          server.status = status::kConfiguring;
          server.job_id = job->job_id;
          if (auto r = tx.UpdateBackendServer(server); !r) return Fail(r.error());
        }
        return job;
      });
}

void OverlayServerChange(const Job& job, BackendServer& server) {
  auto changes = JobPayloadObject(job, "Servers");
  if (!changes || !changes->is_array()) return;
  for (const auto& change : *changes) {
    if (change.value("ServerId", "") == server.server_id &&
        change.value("Port", 0) == server.port) {
      server.weight = change.value("Weight", server.weight);
      server.description = change.value("Description", server.description);
    }
  }
}

Result<void> ApplyServerChanges(StoreTx& tx, const Job& job) {
  auto servers = AllBackendServers(tx, job.resource_id);
  if (!servers) return Fail(servers.error());
  for (auto server : *servers) {
    if (server.job_id != job.job_id) continue;
    OverlayServerChange(job, server);
    if (auto r = tx.UpdateBackendServer(server); !r) return r;
  }
  return {};
}

}  // namespace openalb
