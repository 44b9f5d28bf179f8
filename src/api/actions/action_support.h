// What the ALB action handlers share: reading the common write parameters (ClientToken,
// DryRun) and pagination (MaxResults, NextToken), and rendering a page's NextToken.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alb/write_request.h"
#include "api/action_table.h"
#include "store/store.h"

namespace openalb {

// The caller's account and request id, ClientToken and DryRun.
Result<WriteRequest> ReadWriteRequest(const ActionContext& context);

// MaxResults (1..100, default 20) and NextToken (from a previous page).
Result<PageRequest> ReadPage(const ParameterReader& params);

// Adds TotalCount, MaxResults and, when another page follows, NextToken.
void AddPageFields(Json& body, std::int64_t total, const PageRequest& page,
                   const std::optional<std::int64_t>& next);

// The CertificateId of each entry of the object array `name` (Certificates.N.CertificateId
// or the JSON form); an entry without one is Missing<name>.CertificateId.
Result<std::vector<std::string>> ReadCertificateIds(const ParameterReader& params,
                                                    std::string_view name, size_t max_items);

// A nested object parameter (HealthCheckConfig, StickySessionConfig, …) as JSON, from its
// flattened form (`Name.Field=…`, lists as `Name.Field.N=…`) or the JSON text some clients
// send as `Name`. An empty object when absent; InvalidParameter when the text is not JSON.
Result<Json> ReadNestedObject(const ParameterReader& params, std::string_view name);

// A row of the action table for an ALB (2020-06-16) action: its RAM action is "alb:<name>".
ActionSpec AlbAction(std::string_view name, AccessLevel access, std::vector<std::string> required,
                     ResourceResolver resource, ActionHandler handler);
// The same for a certificate service (CAS 2020-04-07) action: "yundun-cert:<name>".
ActionSpec CasAction(std::string_view name, AccessLevel access, std::vector<std::string> required,
                     ResourceResolver resource, ActionHandler handler);

// The answer of an asynchronous write: {"JobId": …}.
Json JobBody(const Job& job);

// Milliseconds since the epoch as ISO 8601 UTC, as ALB renders CreateTime.
std::string IsoTime(std::int64_t ms);

}  // namespace openalb
