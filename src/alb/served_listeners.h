// What the data plane must serve, as the store says: a listener is served when it is an
// HTTPS or HTTP listener that is running (or mid-change and returning to running); it serves its
// default certificate and every additional one that is Associated or still Dissociating
// (a certificate is served until its dissociation job applies, and from the moment its
// association job applies), and forwards to its server group's servers (see ForwardOf).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/api_error.h"
#include "dataplane/listener_config.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// nullopt when the listener should not be bound.
Result<std::optional<ListenerConfig>> ServedListener(StoreTx& tx, const Listener& listener);
// The same for the listener `listener_id` of `account_id`: nullopt when it is gone too.
Result<std::optional<ListenerConfig>> ServedListenerById(StoreTx& tx, std::string_view account_id,
                                                         std::string_view listener_id);
// Every listener of every account that should be bound (for start-up).
Result<std::vector<ListenerConfig>> AllServedListeners(StoreTx& tx);

}  // namespace openalb
