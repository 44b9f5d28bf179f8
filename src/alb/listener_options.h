// A listener's attributes beyond its certificates and default action — IdleTimeout,
// RequestTimeout, GzipEnabled, Http2Enabled, SecurityPolicyId and XForwardedForConfig —
// between the wire, the
// store (a JSON object in the listener's row) and the data plane (ListenerOptions). A request
// gives them as a patch (only the fields it sets), merged over what the listener has.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/api_error.h"
#include "dataplane/listener_config.h"

namespace openalb {

// What GetListenerAttribute shows: IdleTimeout, RequestTimeout, GzipEnabled, Http2Enabled and
// XForwardedForConfig, in ALB's field names.
nlohmann::json ListenerOptionsJson(const ListenerOptions& options);
// The stored object (written by ListenerOptionsJson); absent fields keep their defaults.
ListenerOptions ListenerOptionsFromJson(std::string_view json);
// `base` with `patch` (the same shape, any subset) laid over it; InvalidParameter for a value
// out of range (IdleTimeout 1..60, RequestTimeout 1..180, ProcessingMode append/remove).
Result<ListenerOptions> MergeListenerOptions(ListenerOptions base, const nlohmann::json& patch);

}  // namespace openalb
