// Listener actions: CreateListener, GetListenerAttribute, ListListeners,
// UpdateListenerAttribute, StartListener, StopListener, DeleteListener.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterListenerActions(ActionTable& table);

}  // namespace openalb
