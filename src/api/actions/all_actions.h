// Builds the complete action table served by openalb.
#pragma once

#include "api/action_table.h"

namespace openalb {

ActionTable BuildActionTable();

}  // namespace openalb
