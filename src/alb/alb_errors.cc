#include "alb/alb_errors.h"

#include <fmt/format.h>

namespace openalb::errors {
namespace {

// Ids come from the client: an absurdly long one is cut, so an error never echoes a
// request-sized string back.
std::string_view Clip(std::string_view id) { return id.substr(0, 128); }

ApiError Error(std::string_view code, int status, std::string message) {
  return ApiError{std::string(code), status, std::move(message), {}};
}

std::string NotFound(std::string_view kind, std::string_view id) {
  return fmt::format("The specified resource {} {} is not found.", kind, id);
}

std::string NotAllowedBecauseOf(std::string_view reason) {
  return fmt::format("The operation is not allowed because of {}.", reason);
}

}  // namespace

ApiError BackendAddressNotAllowed(std::string_view address, int port, std::string_view why) {
  return Error("OperationDenied.BackendAddressNotAllowed", 400,
               fmt::format("The server {}:{} is not allowed as a backend: {}. The operator sets "
                           "which addresses servers may have with --backend-allow and "
                           "--backend-deny.",
                           Clip(address), port, why));
}

ApiError RuleNotFound(std::string_view rule_id) {
  return Error("ResourceNotFound.Rule", 404, NotFound("rule", Clip(rule_id)));
}

ApiError IncorrectRuleStatus(std::string_view rule_id, std::string_view status) {
  return Error(
      "IncorrectStatus.Rule", 400,
      fmt::format("The status of rule [{}] is incorrect: it is {}.", Clip(rule_id), status));
}

ApiError RulePriorityConflict(std::string_view listener_id, int priority) {
  return Error("Conflict.Priority", 400,
               fmt::format("The priority {} is already used by another rule of listener {}.",
                           priority, Clip(listener_id)));
}

ApiError RuleQuotaExceeded(std::string_view load_balancer_id, int quota) {
  return Error("QuotaExceeded.LoadBalancerRulesNum", 400,
               fmt::format("The quota of rules of loadbalancer {} is exceeded: at most {}.",
                           Clip(load_balancer_id), quota));
}

ApiError DeletionProtected(std::string_view load_balancer_id) {
  return Error("OperationDenied.DeletionProtection", 400,
               fmt::format("The operation is denied because deletion protection is enabled for "
                           "loadbalancer {}: DisableDeletionProtection first.",
                           Clip(load_balancer_id)));
}

ApiError SecurityPolicyNotFound(std::string_view policy_id) {
  return Error("ResourceNotFound.SecurityPolicy", 404, NotFound("securitypolicy", Clip(policy_id)));
}

ApiError SecurityPolicyInUse(std::string_view policy_id, std::string_view listener_id) {
  return Error("ResourceInUse.SecurityPolicy", 400,
               fmt::format("The specified resource securitypolicy {} is in use by listener {}.",
                           Clip(policy_id), listener_id));
}

ApiError AclNotFound(std::string_view acl_id) {
  return Error("ResourceNotFound.Acl", 404, NotFound("acl", Clip(acl_id)));
}

ApiError IncorrectAclStatus(std::string_view acl_id, std::string_view status) {
  return Error("IncorrectStatus.Acl", 400,
               fmt::format("The status of acl [{}] is incorrect: it is {}; wait until it is "
                           "Available.",
                           Clip(acl_id), status));
}

ApiError AclInUse(std::string_view acl_id, std::string_view listener_id) {
  return Error("ResourceInUse.Acl", 400,
               fmt::format("The specified resource acl {} is in use by listener {}.", Clip(acl_id),
                           listener_id));
}

ApiError AclEntryNotFound(std::string_view acl_id, std::string_view entry) {
  return Error("ResourceNotFound.AclEntry", 404,
               fmt::format("The specified entry {} is not found in acl {}.", entry.substr(0, 64),
                           Clip(acl_id)));
}

ApiError AclEntryExists(std::string_view acl_id, std::string_view entry) {
  return Error(
      "Conflict.AclEntry", 400,
      fmt::format("The entry {} is already in acl {}.", entry.substr(0, 64), Clip(acl_id)));
}

ApiError AclEntryQuotaExceeded(std::string_view acl_id, int quota) {
  return Error(
      "QuotaExceeded.AclEntriesNum", 400,
      fmt::format("The quota of entries of acl {} is exceeded: at most {}.", Clip(acl_id), quota));
}

ApiError AclAlreadyAssociated(std::string_view acl_id, std::string_view listener_id) {
  return Error("ResourceAlreadyAssociated.Acl", 400,
               fmt::format("The acl {} is already associated with listener {}.", Clip(acl_id),
                           Clip(listener_id)));
}

ApiError AclNotAssociated(std::string_view acl_id, std::string_view listener_id) {
  return Error("AssociationNotFound.Acl", 400,
               fmt::format("The acl {} is not associated with listener {}.", Clip(acl_id),
                           Clip(listener_id)));
}

ApiError AclTypeConflict(std::string_view listener_id, std::string_view current_type) {
  return Error("Conflict.AclType", 400,
               fmt::format("Listener {} already has {} ACLs: a listener's ACLs are all White or "
                           "all Black.",
                           Clip(listener_id), current_type));
}

ApiError ListenerAclQuotaExceeded(std::string_view listener_id, int quota) {
  return Error("QuotaExceeded.ListenerAclNum", 400,
               fmt::format("The quota of acls of listener {} is exceeded: at most {}.",
                           Clip(listener_id), quota));
}

ApiError TagQuotaExceeded(std::string_view resource_id, int quota) {
  return Error("QuotaExceeded.TagNum", 400,
               fmt::format("The quota of tags of resource {} is exceeded: at most {}.",
                           Clip(resource_id), quota));
}

ApiError ListenerNotFound(std::string_view listener_id) {
  return Error("ResourceNotFound.Listener", 404, NotFound("listener", Clip(listener_id)));
}

ApiError LoadBalancerNotFound(std::string_view load_balancer_id) {
  return Error("ResourceNotFound.LoadBalancer", 404,
               NotFound("loadbalancer", Clip(load_balancer_id)));
}

ApiError CertificateNotFound(std::string_view certificate_id) {
  return Error("ResourceNotFound.Certificate", 404, NotFound("certificate", Clip(certificate_id)));
}

ApiError ServerGroupNotFound(std::string_view server_group_id) {
  return Error("ResourceNotFound.ServerGroup", 404, NotFound("servergroup", Clip(server_group_id)));
}

ApiError HealthCheckTemplateNotFound(std::string_view template_id) {
  return Error("ResourceNotFound.HealthCheckTemplate", 404,
               NotFound("healthchecktemplate", Clip(template_id)));
}

ApiError BackendServerNotFound(std::string_view server_id, int port) {
  return Error("ResourceNotFound.BackendServer", 404,
               NotFound("backendserver", fmt::format("{}:{}", Clip(server_id), port)));
}

ApiError IncorrectServerGroupStatus(std::string_view server_group_id, std::string_view status) {
  return Error("IncorrectStatus.ServerGroup", 400,
               fmt::format("The status of servergroup [{}] is incorrect: it is {}.",
                           Clip(server_group_id), status));
}

ApiError BackendServerAlreadyExists(std::string_view server_id, int port) {
  return Error("ResourceAlreadyExist.BackendServer", 400,
               fmt::format("The specified resource backendserver {}:{} already exists.",
                           Clip(server_id), port));
}

ApiError ServerGroupInUse(std::string_view server_group_id, std::string_view listener_id) {
  return Error("ResourceInUse.ServerGroup", 400,
               fmt::format("The specified resource servergroup {} is in use by listener {}.",
                           Clip(server_group_id), listener_id));
}

ApiError BackendServerQuotaExceeded(std::string_view server_group_id, int quota) {
  return Error("QuotaExceeded.ServerGroupServersNum", 400,
               fmt::format("The quota of servers of servergroup {} is exceeded: at most {}.",
                           Clip(server_group_id), quota));
}

ApiError IncorrectListenerStatus(std::string_view listener_id, std::string_view status) {
  return Error("IncorrectStatus.Listener", 400,
               fmt::format("The status of listener [{}] is incorrect: it is {}.", Clip(listener_id),
                           status));
}

ApiError IncorrectLoadBalancerStatus(std::string_view load_balancer_id, std::string_view status) {
  return Error("IncorrectStatus.LoadBalancer", 400,
               fmt::format("The status of loadbalancer [{}] is incorrect: it is {}.",
                           Clip(load_balancer_id), status));
}

ApiError ListenerInConfiguring(std::string_view listener_id) {
  return Error("ResourceInConfiguring.Listener", 400,
               fmt::format("The specified resource of listener {} is being configured, please "
                           "try again later.",
                           Clip(listener_id)));
}

ApiError HttpListenerNotSupported(std::string_view listener_id) {
  return Error("OperationDenied.HttpListenerNotSupport", 400,
               NotAllowedBecauseOf(fmt::format("listener {} using protocol HTTP, which serves no "
                                               "certificates",
                                               Clip(listener_id))));
}

ApiError DefaultCertificateUsed(std::string_view certificate_id) {
  return Error(
      "OperationDenied.DefaultCertificateUsed", 400,
      NotAllowedBecauseOf(fmt::format("certificate {} being the listener's default certificate",
                                      Clip(certificate_id))));
}

ApiError CertificateNotAssociated(std::string_view certificate_id) {
  return Error("ResourceNotAssociated.Certificate", 400,
               fmt::format("The specified resource certificate {} is not associated.",
                           Clip(certificate_id)));
}

ApiError CertificateAlreadyAssociated(std::string_view certificate_id) {
  return Error("ResourceAlreadyAssociated.Certificate", 400,
               fmt::format("The specified resource certificate {} is already associated.",
                           Clip(certificate_id)));
}

ApiError CertificateQuotaExceeded(std::string_view load_balancer_id, int used, int quota) {
  return Error("ResourceQuotaExceeded.LoadBalancerCertificatesNum", 400,
               fmt::format("The quota of additional certificates of loadbalancer {} is exceeded: "
                           "{} would be associated, the quota is {}.",
                           Clip(load_balancer_id), used, quota));
}

ApiError CertificateInUse(std::string_view certificate_id) {
  return Error("OperationDenied.CertificateInUse", 400,
               NotAllowedBecauseOf(
                   fmt::format("certificate {} being served by a listener", Clip(certificate_id))));
}

ApiError ListenerPortInUse(std::string_view load_balancer_id, int port) {
  return Error("ResourceAlreadyExist.Listener", 400,
               fmt::format("The specified resource listener on port {} of loadbalancer {} "
                           "already exists.",
                           port, Clip(load_balancer_id)));
}

ApiError ListenerQuotaExceeded(std::string_view load_balancer_id, int quota) {
  return Error("QuotaExceeded.ListenersNum", 400,
               fmt::format("The quota of listeners of loadbalancer {} is exceeded: at most {}.",
                           Clip(load_balancer_id), quota));
}

ApiError IdempotentParameterMismatch(std::string_view client_token) {
  return Error("IdempotentParameterMismatch", 400,
               fmt::format("The request uses the same client token {} as a previous, but "
                           "non-identical request.",
                           Clip(client_token)));
}

ApiError DryRunOperation() {
  return Error("DryRunOperation", 400, "Request validation has been passed with DryRun flag set.");
}

}  // namespace openalb::errors
