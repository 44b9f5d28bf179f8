// The OpenAPI action names the domain records as a job's ApiName and a ClientToken's scope.
// The action table (api/actions/) registers its handlers under these same constants.
#pragma once

#include <string_view>

namespace openalb::api_name {

inline constexpr std::string_view kAlbVersion = "2020-06-16";
inline constexpr std::string_view kCasVersion = "2020-04-07";

inline constexpr std::string_view kCreateLoadBalancer = "CreateLoadBalancer";
inline constexpr std::string_view kGetLoadBalancerAttribute = "GetLoadBalancerAttribute";
inline constexpr std::string_view kListLoadBalancers = "ListLoadBalancers";
inline constexpr std::string_view kDeleteLoadBalancer = "DeleteLoadBalancer";
inline constexpr std::string_view kUpdateLoadBalancerAttribute = "UpdateLoadBalancerAttribute";
inline constexpr std::string_view kEnableDeletionProtection = "EnableDeletionProtection";
// Cloud-only load balancer settings, recorded (alb/load_balancer_cloud_settings.h).
inline constexpr std::string_view kAttachCommonBandwidthPackage =
    "AttachCommonBandwidthPackageToLoadBalancer";
inline constexpr std::string_view kDetachCommonBandwidthPackage =
    "DetachCommonBandwidthPackageFromLoadBalancer";
inline constexpr std::string_view kEnableLoadBalancerAccessLog = "EnableLoadBalancerAccessLog";
inline constexpr std::string_view kDisableLoadBalancerAccessLog = "DisableLoadBalancerAccessLog";
inline constexpr std::string_view kEnableLoadBalancerIpv6Internet =
    "EnableLoadBalancerIpv6Internet";
inline constexpr std::string_view kDisableLoadBalancerIpv6Internet =
    "DisableLoadBalancerIpv6Internet";
inline constexpr std::string_view kLoadBalancerJoinSecurityGroup = "LoadBalancerJoinSecurityGroup";
inline constexpr std::string_view kLoadBalancerLeaveSecurityGroup =
    "LoadBalancerLeaveSecurityGroup";
inline constexpr std::string_view kUpdateLoadBalancerAddressTypeConfig =
    "UpdateLoadBalancerAddressTypeConfig";
inline constexpr std::string_view kUpdateLoadBalancerEdition = "UpdateLoadBalancerEdition";
inline constexpr std::string_view kUpdateLoadBalancerZones = "UpdateLoadBalancerZones";
inline constexpr std::string_view kStartShiftLoadBalancerZones = "StartShiftLoadBalancerZones";
inline constexpr std::string_view kCancelShiftLoadBalancerZones = "CancelShiftLoadBalancerZones";
inline constexpr std::string_view kModifyCapacityReservation = "ModifyCapacityReservation";
inline constexpr std::string_view kDescribeCapacityReservation = "DescribeCapacityReservation";
inline constexpr std::string_view kDisableDeletionProtection = "DisableDeletionProtection";

inline constexpr std::string_view kCreateListener = "CreateListener";
inline constexpr std::string_view kGetListenerAttribute = "GetListenerAttribute";
inline constexpr std::string_view kListListeners = "ListListeners";
inline constexpr std::string_view kUpdateListenerAttribute = "UpdateListenerAttribute";
inline constexpr std::string_view kUpdateListenerLogConfig = "UpdateListenerLogConfig";
inline constexpr std::string_view kStartListener = "StartListener";
inline constexpr std::string_view kStopListener = "StopListener";
inline constexpr std::string_view kDeleteListener = "DeleteListener";

inline constexpr std::string_view kAssociateAdditionalCertificates =
    "AssociateAdditionalCertificatesWithListener";
inline constexpr std::string_view kDissociateAdditionalCertificates =
    "DissociateAdditionalCertificatesFromListener";
inline constexpr std::string_view kListListenerCertificates = "ListListenerCertificates";
inline constexpr std::string_view kListAsynJobs = "ListAsynJobs";

inline constexpr std::string_view kCreateServerGroup = "CreateServerGroup";
inline constexpr std::string_view kDeleteServerGroup = "DeleteServerGroup";
inline constexpr std::string_view kListServerGroups = "ListServerGroups";
inline constexpr std::string_view kAddServersToServerGroup = "AddServersToServerGroup";
inline constexpr std::string_view kRemoveServersFromServerGroup = "RemoveServersFromServerGroup";
inline constexpr std::string_view kListServerGroupServers = "ListServerGroupServers";
inline constexpr std::string_view kUpdateServerGroupAttribute = "UpdateServerGroupAttribute";
inline constexpr std::string_view kReplaceServersInServerGroup = "ReplaceServersInServerGroup";
inline constexpr std::string_view kUpdateServerGroupServersAttribute =
    "UpdateServerGroupServersAttribute";
inline constexpr std::string_view kGetListenerHealthStatus = "GetListenerHealthStatus";

inline constexpr std::string_view kCreateHealthCheckTemplate = "CreateHealthCheckTemplate";
inline constexpr std::string_view kGetHealthCheckTemplateAttribute =
    "GetHealthCheckTemplateAttribute";
inline constexpr std::string_view kListHealthCheckTemplates = "ListHealthCheckTemplates";
inline constexpr std::string_view kUpdateHealthCheckTemplateAttribute =
    "UpdateHealthCheckTemplateAttribute";
inline constexpr std::string_view kDeleteHealthCheckTemplates = "DeleteHealthCheckTemplates";
inline constexpr std::string_view kApplyHealthCheckTemplateToServerGroup =
    "ApplyHealthCheckTemplateToServerGroup";
inline constexpr std::string_view kCreateSecurityPolicy = "CreateSecurityPolicy";
inline constexpr std::string_view kUpdateSecurityPolicyAttribute = "UpdateSecurityPolicyAttribute";
inline constexpr std::string_view kDeleteSecurityPolicy = "DeleteSecurityPolicy";
inline constexpr std::string_view kListSecurityPolicies = "ListSecurityPolicies";
inline constexpr std::string_view kListSecurityPolicyRelations = "ListSecurityPolicyRelations";
inline constexpr std::string_view kListSystemSecurityPolicies = "ListSystemSecurityPolicies";
inline constexpr std::string_view kCreateAcl = "CreateAcl";
inline constexpr std::string_view kUpdateAclAttribute = "UpdateAclAttribute";
inline constexpr std::string_view kDeleteAcl = "DeleteAcl";
inline constexpr std::string_view kListAcls = "ListAcls";
inline constexpr std::string_view kAddEntriesToAcl = "AddEntriesToAcl";
inline constexpr std::string_view kRemoveEntriesFromAcl = "RemoveEntriesFromAcl";
inline constexpr std::string_view kListAclEntries = "ListAclEntries";
inline constexpr std::string_view kAssociateAclsWithListener = "AssociateAclsWithListener";
inline constexpr std::string_view kDissociateAclsFromListener = "DissociateAclsFromListener";
inline constexpr std::string_view kListAclRelations = "ListAclRelations";
inline constexpr std::string_view kCreateAScripts = "CreateAScripts";
inline constexpr std::string_view kUpdateAScripts = "UpdateAScripts";
inline constexpr std::string_view kDeleteAScripts = "DeleteAScripts";
inline constexpr std::string_view kListAScripts = "ListAScripts";
inline constexpr std::string_view kMoveResourceGroup = "MoveResourceGroup";
inline constexpr std::string_view kTagResources = "TagResources";
inline constexpr std::string_view kUnTagResources = "UnTagResources";
inline constexpr std::string_view kListTagResources = "ListTagResources";
inline constexpr std::string_view kListTagKeys = "ListTagKeys";
inline constexpr std::string_view kListTagValues = "ListTagValues";

inline constexpr std::string_view kCreateRule = "CreateRule";
inline constexpr std::string_view kCreateRules = "CreateRules";
inline constexpr std::string_view kUpdateRuleAttribute = "UpdateRuleAttribute";
inline constexpr std::string_view kUpdateRulesAttribute = "UpdateRulesAttribute";
inline constexpr std::string_view kDeleteRule = "DeleteRule";
inline constexpr std::string_view kDeleteRules = "DeleteRules";
inline constexpr std::string_view kListRules = "ListRules";
// Certificate service (CAS), version 2020-04-07.
inline constexpr std::string_view kUploadUserCertificate = "UploadUserCertificate";
inline constexpr std::string_view kGetUserCertificateDetail = "GetUserCertificateDetail";
inline constexpr std::string_view kListUserCertificateOrder = "ListUserCertificateOrder";
inline constexpr std::string_view kDeleteUserCertificate = "DeleteUserCertificate";

}  // namespace openalb::api_name
