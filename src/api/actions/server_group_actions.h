// The server group actions of ALB 2020-06-16: CreateServerGroup, DeleteServerGroup,
// ListServerGroups, AddServersToServerGroup, RemoveServersFromServerGroup,
// ListServerGroupServers, UpdateServerGroupAttribute, ReplaceServersInServerGroup,
// UpdateServerGroupServersAttribute.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterServerGroupActions(ActionTable& table);

}  // namespace openalb
