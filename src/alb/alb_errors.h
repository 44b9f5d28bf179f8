// The error catalogue of the ALB resources: every domain error code, its HTTP status and
// its message, with the documented %s filled in with the resource. Gateway errors are in
// api/error_catalogue.h; MissingParameter and InvalidParameter in core/common_errors.h.
#pragma once

#include <string_view>

#include "core/api_error.h"
#include "core/common_errors.h"

namespace openalb::errors {

// 404: the resource does not exist in the caller's account.
ApiError ListenerNotFound(std::string_view listener_id);
ApiError LoadBalancerNotFound(std::string_view load_balancer_id);
ApiError CertificateNotFound(std::string_view certificate_id);
ApiError ServerGroupNotFound(std::string_view server_group_id);
ApiError BackendServerNotFound(std::string_view server_id, int port);
// A server address the operator's backend address policy refuses (core/backend_address_policy.h).
ApiError BackendAddressNotAllowed(std::string_view address, int port, std::string_view why);

// 400: the resource is in a status that does not allow the operation.
ApiError IncorrectListenerStatus(std::string_view listener_id, std::string_view status);
ApiError IncorrectLoadBalancerStatus(std::string_view load_balancer_id, std::string_view status);
ApiError IncorrectServerGroupStatus(std::string_view server_group_id, std::string_view status);
// 400: a change is already in flight on the listener.
ApiError ListenerInConfiguring(std::string_view listener_id);

// 400: certificate rules.
ApiError HttpListenerNotSupported(std::string_view listener_id);
ApiError DefaultCertificateUsed(std::string_view certificate_id);
ApiError CertificateNotAssociated(std::string_view certificate_id);
ApiError CertificateAlreadyAssociated(std::string_view certificate_id);
ApiError CertificateQuotaExceeded(std::string_view load_balancer_id, int used, int quota);
ApiError CertificateInUse(std::string_view certificate_id);

// 400: listener rules.
ApiError ListenerPortInUse(std::string_view load_balancer_id, int port);
ApiError ListenerQuotaExceeded(std::string_view load_balancer_id, int quota);

// 400: server group rules.
ApiError BackendServerAlreadyExists(std::string_view server_id, int port);
ApiError ServerGroupInUse(std::string_view server_group_id, std::string_view listener_id);
ApiError BackendServerQuotaExceeded(std::string_view server_group_id, int quota);

// Rules.
ApiError RuleNotFound(std::string_view rule_id);
ApiError HealthCheckTemplateNotFound(std::string_view template_id);
ApiError IncorrectRuleStatus(std::string_view rule_id, std::string_view status);
ApiError RulePriorityConflict(std::string_view listener_id, int priority);
ApiError RuleQuotaExceeded(std::string_view load_balancer_id, int quota);
// 400: DeleteLoadBalancer while deletion protection is on.
ApiError DeletionProtected(std::string_view load_balancer_id);

// Security policies.
ApiError SecurityPolicyNotFound(std::string_view policy_id);
ApiError SecurityPolicyInUse(std::string_view policy_id, std::string_view listener_id);

// Access control lists.
ApiError AclNotFound(std::string_view acl_id);
ApiError IncorrectAclStatus(std::string_view acl_id, std::string_view status);
ApiError AclInUse(std::string_view acl_id, std::string_view listener_id);
ApiError AclEntryNotFound(std::string_view acl_id, std::string_view entry);
ApiError AclEntryExists(std::string_view acl_id, std::string_view entry);
ApiError AclEntryQuotaExceeded(std::string_view acl_id, int quota);
ApiError AclAlreadyAssociated(std::string_view acl_id, std::string_view listener_id);
ApiError AclNotAssociated(std::string_view acl_id, std::string_view listener_id);
ApiError AclTypeConflict(std::string_view listener_id, std::string_view current_type);
ApiError ListenerAclQuotaExceeded(std::string_view listener_id, int quota);

// Tags.
ApiError TagQuotaExceeded(std::string_view resource_id, int quota);

// 400: idempotence and dry runs.
ApiError IdempotentParameterMismatch(std::string_view client_token);
ApiError DryRunOperation();

}  // namespace openalb::errors
