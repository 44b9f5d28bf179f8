// Region actions: DescribeRegions, the read-only action that proves the request path.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterRegionActions(ActionTable& table);

}  // namespace openalb
