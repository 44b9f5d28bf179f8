// The AScript actions of ALB 2020-06-16: CreateAScripts, UpdateAScripts, DeleteAScripts and
// ListAScripts (recorded and shown; openalb runs no scripts).
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterAScriptActions(ActionTable& table);

}  // namespace openalb
