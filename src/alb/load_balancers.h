// Load balancers: create (Provisioning until its job completes, then Active), read, list,
// change (name and modification protection: Configuring until its job completes), deletion
// protection, delete (with its listeners). The edition sets the additional-certificate quota.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "alb/domain.h"
#include "alb/tags.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

struct CreateLoadBalancerRequest {
  WriteRequest write;
  std::string name;
  std::string edition;       // Basic, Standard, StandardWithWaf
  std::string vpc_id;        // recorded as given
  std::string address_type;  // Internet or Intranet; default Internet
  std::vector<TagPair> tags;
  // ZoneMappings, LoadBalancerBillingConfig, … as given (alb/load_balancer_attributes.h).
  nlohmann::json attributes = nlohmann::json::object();
};

struct UpdateLoadBalancerRequest {
  WriteRequest write;
  std::string load_balancer_id;
  std::optional<std::string> name;
  nlohmann::json attributes = nlohmann::json::object();  // ModificationProtectionConfig
};

// Returns the job; its resource_id is the new load balancer's id.
Result<Job> CreateLoadBalancer(const Domain& domain, const CreateLoadBalancerRequest& request);
Result<LoadBalancer> GetLoadBalancer(const Domain& domain, std::string_view account_id,
                                     std::string_view load_balancer_id);
Result<Page<LoadBalancer>> ListLoadBalancers(const Domain& domain, const LoadBalancerFilter& filter,
                                             const PageRequest& page);
// UpdateLoadBalancerAttribute: the change is recorded at once and the job settles it.
Result<Job> UpdateLoadBalancer(const Domain& domain, const UpdateLoadBalancerRequest& request);
// Enable/DisableDeletionProtection: immediate. While it is on, DeleteLoadBalancer is refused
// with OperationDenied.DeletionProtection.
Result<void> SetDeletionProtection(const Domain& domain, const WriteRequest& write,
                                   std::string_view load_balancer_id, bool enabled);
Result<Job> DeleteLoadBalancer(const Domain& domain, const WriteRequest& write,
                               std::string_view load_balancer_id);

// The account's load balancer; ResourceNotFound.LoadBalancer when it has none by that id.
Result<LoadBalancer> FindLoadBalancerOrFail(StoreTx& tx, std::string_view account_id,
                                            std::string_view load_balancer_id);
// The same, and IncorrectStatus.LoadBalancer unless it is Active (what a change on it or its
// listeners and rules needs).
Result<LoadBalancer> ActiveLoadBalancerOrFail(StoreTx& tx, std::string_view account_id,
                                              std::string_view load_balancer_id);

// The additional-certificate quota of an edition.
int AdditionalCertificateQuota(const DomainLimits& limits, std::string_view edition);

}  // namespace openalb
