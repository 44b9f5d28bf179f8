// The health actions of ALB 2020-06-16: GetListenerHealthStatus, and the health check
// templates — CreateHealthCheckTemplate, GetHealthCheckTemplateAttribute,
// ListHealthCheckTemplates, UpdateHealthCheckTemplateAttribute, DeleteHealthCheckTemplates,
// ApplyHealthCheckTemplateToServerGroup.
#pragma once

#include "api/action_table.h"

namespace openalb {

void RegisterHealthActions(ActionTable& table);

}  // namespace openalb
