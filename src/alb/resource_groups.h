// MoveResourceGroup: a load balancer, server group or security policy changes resource group.
// Resource groups are a cloud account's way of sorting resources; here the id is recorded and
// shown (ResourceGroupId on the Get and List of the resource) and means nothing else.
#pragma once

#include <string_view>

#include "alb/domain.h"
#include "alb/write_request.h"
#include "core/api_error.h"

namespace openalb {

// Immediate. ResourceNotFound.<Type> for a resource not the caller's; InvalidParameter for
// another ResourceType or an id longer than 64 characters.
Result<void> MoveResourceGroup(const Domain& domain, const WriteRequest& write,
                               std::string_view resource_type, std::string_view resource_id,
                               std::string_view new_resource_group_id);

}  // namespace openalb
