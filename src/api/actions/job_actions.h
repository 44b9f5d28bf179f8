// Job actions: ListAsynJobs, how clients follow what the asynchronous writes do.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterJobActions(ActionTable& table);

}  // namespace openalb
