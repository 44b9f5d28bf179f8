// Health check templates: a HealthCheckConfig saved under a name and copied onto server groups
// by ApplyHealthCheckTemplateToServerGroup (a later change to the template does not reach the
// groups it was applied to, as on ALB). Creating, changing and deleting one is immediate (no
// job); applying one is a server-group job like UpdateServerGroupAttribute.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/tags.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

struct HealthCheckTemplateRequest {
  WriteRequest write;
  std::string template_id;                           // Update: the template
  std::optional<std::string> name;                   // Create: required
  nlohmann::json fields = nlohmann::json::object();  // HealthCheck* fields, as a patch
  std::vector<TagPair> tags;                         // Create
};

// Returns the new template's id.
Result<std::string> CreateHealthCheckTemplate(const Domain& domain,
                                              const HealthCheckTemplateRequest& request);
Result<void> UpdateHealthCheckTemplate(const Domain& domain,
                                       const HealthCheckTemplateRequest& request);
// All or none: ResourceNotFound.HealthCheckTemplate if one of them is not the account's.
Result<void> DeleteHealthCheckTemplates(const Domain& domain, const WriteRequest& write,
                                        const std::vector<std::string>& template_ids);
Result<HealthCheckTemplate> GetHealthCheckTemplate(const Domain& domain,
                                                   std::string_view account_id,
                                                   std::string_view template_id);
Result<Page<HealthCheckTemplate>> ListHealthCheckTemplates(const Domain& domain,
                                                           const HealthCheckTemplateFilter& filter,
                                                           const PageRequest& page);
// The template's fields with defaults, as GetHealthCheckTemplateAttribute shows them.
nlohmann::json HealthCheckTemplateFields(const HealthCheckTemplate& t);
// A job that turns on the group's health check with the template's fields.
Result<Job> ApplyHealthCheckTemplate(const Domain& domain, const WriteRequest& write,
                                     std::string_view template_id,
                                     std::string_view server_group_id);

}  // namespace openalb
