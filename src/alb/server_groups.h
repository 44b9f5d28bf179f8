// Server groups and their backend servers: create, list, delete a group; add and remove
// servers. Every change is asynchronous like ALB's: the group shows Creating or Configuring
// and the servers Adding or Removing until the worker completes the job; a server is
// forwarded to from the moment its Add job applies until its Remove job applies.
// openalb reaches servers by address over HTTP: Ip servers by their id, Ecs/Eni/Eci servers
// by the ServerIp the request gives.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/tags.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

struct CreateServerGroupRequest {
  WriteRequest write;
  std::string name;
  std::string server_group_type;  // empty: Instance
  std::string protocol;           // empty: HTTP
  std::string scheduler;          // empty: Wrr
  std::string vpc_id;
  nlohmann::json attributes = nlohmann::json::object();  // server_group_attributes.h: a patch
  std::vector<TagPair> tags;
};

// UpdateServerGroupAttribute: what it changes (absent: left as it is).
struct UpdateServerGroupRequest {
  WriteRequest write;
  std::string server_group_id;
  std::optional<std::string> name;
  std::optional<std::string> scheduler;
  nlohmann::json attributes = nlohmann::json::object();
};

// One entry of Servers. For a removal only server_id, server_type and port count.
struct ServerSpec {
  std::string server_id;
  std::string server_ip;
  std::string server_type;
  int port = 0;
  int weight = 100;
  std::string description;
  bool weight_given = false;  // UpdateServerGroupServersAttribute changes only what is given
  bool description_given = false;
};

struct ChangeServersRequest {
  WriteRequest write;
  std::string server_group_id;
  std::vector<ServerSpec> servers;
};

struct ReplaceServersRequest {
  WriteRequest write;
  std::string server_group_id;
  std::vector<ServerSpec> added;
  std::vector<ServerSpec> removed;
};

// A group as ListServerGroups shows it: with its server count and who forwards to it.
struct ServerGroupView {
  ServerGroup group;
  int server_count = 0;
  std::vector<std::string> listener_ids;
  std::vector<std::string> load_balancer_ids;
};

// Returns the job; its resource_id is the new group's id.
Result<Job> CreateServerGroup(const Domain& domain, const CreateServerGroupRequest& request);
Result<Job> DeleteServerGroup(const Domain& domain, const WriteRequest& write,
                              std::string_view server_group_id);
Result<Job> AddServersToServerGroup(const Domain& domain, const ChangeServersRequest& request);
Result<Job> RemoveServersFromServerGroup(const Domain& domain, const ChangeServersRequest& request);
// Changes its name at once, and its scheduler and attributes (health check, stickiness, …)
// by a job: served from the job's publication, stored when it completes.
Result<Job> UpdateServerGroupAttribute(const Domain& domain,
                                       const UpdateServerGroupRequest& request);
// The same job recorded under another action (ApplyHealthCheckTemplateToServerGroup).
Result<Job> UpdateServerGroupAttributeAs(const Domain& domain,
                                         const UpdateServerGroupRequest& request,
                                         std::string_view api_name);
// Whether the job changes a group's scheduler and attributes (its payload has them).
bool ChangesServerGroupAttributes(std::string_view api_name);
// One job that adds `added` and removes `removed`.
Result<Job> ReplaceServersInServerGroup(const Domain& domain, const ReplaceServersRequest& request);
// New weights and descriptions of servers of the group (ServerId, ServerType, Port name one).
Result<Job> UpdateServerGroupServersAttribute(const Domain& domain,
                                              const ChangeServersRequest& request);
Result<Page<ServerGroupView>> ListServerGroups(const Domain& domain,
                                               const ServerGroupFilter& filter,
                                               const PageRequest& page);
// ResourceNotFound.ServerGroup unless the account owns the group.
Result<Page<BackendServer>> ListServerGroupServers(const Domain& domain,
                                                   std::string_view account_id,
                                                   const BackendServerFilter& filter,
                                                   const PageRequest& page);

// Shared with listeners and jobs.
Result<ServerGroup> FindServerGroupOrFail(StoreTx& tx, std::string_view account_id,
                                          std::string_view server_group_id);
// Every server of the group, in the order they were added.
Result<std::vector<BackendServer>> AllBackendServers(StoreTx& tx, std::string_view server_group_id);
bool IsServerGroupJob(std::string_view api_name);
// Applies the job's change: the group Available, its servers settled (Adding → Available,
// Removing → gone), or the group deleted.
Result<void> FinishServerGroupJob(StoreTx& tx, const Job& job);
// Undoes the job's marks: Adding servers go, Removing ones stay Available, the group is
// Available again.
Result<void> UndoServerGroupJob(StoreTx& tx, const Job& job);

}  // namespace openalb
