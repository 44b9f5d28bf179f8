// What server_groups.cc and server_group_updates.cc share about a group's rows: the checks a
// change starts with, a server's validation, and marking the group for a job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "alb/domain.h"
#include "alb/server_groups.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// The group, if a change may start on it now (it is Available).
Result<ServerGroup> ServerGroupReadyForChange(StoreTx& tx, std::string_view account_id,
                                              std::string_view server_group_id);
// Checks one server to add against the group's type and fills in the address openalb
// connects to; the row is Adding under `job_id`.
Result<BackendServer> ServerToAdd(const Domain& domain, const ServerGroup& group,
                                  const ServerSpec& spec, const std::string& job_id);
Result<std::optional<BackendServer>> FindServer(StoreTx& tx, std::string_view server_group_id,
                                                std::string_view server_id, int port);
// Marks the group `group_status` and records the job (with `payload`).
Result<Job> MarkAndRecord(const Domain& domain, StoreTx& tx, const std::string& account,
                          std::string_view api, std::string_view operate, ServerGroup group,
                          std::string_view group_status, std::string payload = "{}");
// Inserts `specs` as servers being added by `job_id`; ResourceAlreadyExist.BackendServer for
// one the group has.
Result<void> InsertAddedServers(const Domain& domain, StoreTx& tx, const ServerGroup& group,
                                const std::vector<ServerSpec>& specs, const std::string& job_id);
// Marks the servers `specs` name Removing under `job_id` (`list` names the parameter in
// errors); ResourceNotFound.BackendServer for one the group lacks.
Result<void> MarkServersRemoving(StoreTx& tx, std::string_view server_group_id,
                                 const std::vector<ServerSpec>& specs, std::string_view list,
                                 const std::string& job_id);
// UpdateServerGroupServersAttribute's job payload laid over the rows: each server's new
// weight and description.
Result<void> ApplyServerChanges(StoreTx& tx, const Job& job);
// `server` with a published UpdateServerGroupServersAttribute job's new weight, if it names it.
void OverlayServerChange(const Job& job, BackendServer& server);
std::string ServersFingerprint(std::string_view server_group_id,
                               const std::vector<ServerSpec>& servers);

}  // namespace openalb
