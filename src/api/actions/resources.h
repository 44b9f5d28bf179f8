// The resources RAM authorises actions against, as ARNs:
// `acs:<service>:<region>:<account>:<type>/<id>`. Listener actions are authorised on the
// listener's load balancer (as real ALB does); actions that cannot be granted per
// resource on `acs:<service>:<region>:<account>:*`, which a policy's `*` covers.
#pragma once

#include <cstdint>
#include <string_view>

#include "api/action_table.h"

namespace openalb {

// `acs:<service>:<region>:<account>:*` — lists, regions, jobs.
ResourceResolver AllResources(std::string_view service);
// `<type>/*` — an action that creates a resource not yet named.
ResourceResolver NewResource(std::string_view service, std::string_view type);
// `<type>/<the value of parameter param>`.
ResourceResolver ResourceNamedBy(std::string_view service, std::string_view type,
                                 std::string_view param);
// `<type>/<id>` when the list parameter `list` (`list.N`) names one resource, `<type>/*` when it
// names several (a batch needs the right to all of that type).
ResourceResolver ResourcesNamedBy(std::string_view service, std::string_view type,
                                  std::string_view list);
// `certificate/<the number in parameter param>`, the number in its canonical spelling;
// any other spelling is InvalidParameter (see ParseCanonicalCertificateNumber).
ResourceResolver CertificateNamedBy(std::string_view param);
// The certificate number a handler acts on: the same parse CertificateNamedBy authorised.
Result<std::int64_t> ReadCanonicalCertificateNumber(const ActionContext& context,
                                                    std::string_view param);
// `loadbalancer/<the load balancer of the ListenerId parameter>`; `listener/<id>` when the
// caller's account has no such listener (the handler then answers ResourceNotFound).
ResourceResolver ListenerLoadBalancer();

}  // namespace openalb
