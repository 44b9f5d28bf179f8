#include "alb/load_balancers.h"

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/load_balancer_attributes.h"

namespace openalb {

int AdditionalCertificateQuota(const DomainLimits& limits, std::string_view edition) {
  return edition == "Basic" ? limits.additional_certificates_basic
                            : limits.additional_certificates_standard;
}

Result<LoadBalancer> FindLoadBalancerOrFail(StoreTx& tx, std::string_view account_id,
                                            std::string_view load_balancer_id) {
  auto lb = tx.FindLoadBalancer(account_id, load_balancer_id);
  if (!lb) return Fail(lb.error());
  if (!*lb) return Fail(errors::LoadBalancerNotFound(load_balancer_id));
  return std::move(**lb);
}

Result<LoadBalancer> ActiveLoadBalancerOrFail(StoreTx& tx, std::string_view account_id,
                                              std::string_view load_balancer_id) {
  auto lb = FindLoadBalancerOrFail(tx, account_id, load_balancer_id);
  if (!lb) return Fail(lb.error());
  if (lb->status != status::kActive) {
    return Fail(errors::IncorrectLoadBalancerStatus(load_balancer_id, lb->status));
  }
  return lb;
}

Result<Job> CreateLoadBalancer(const Domain& domain, const CreateLoadBalancerRequest& request) {
  const std::string& edition = request.edition;
  if (edition != "Basic" && edition != "Standard" && edition != "StandardWithWaf") {
    return Fail(errors::InvalidParameter("LoadBalancerEdition",
                                         "it must be Basic, Standard or StandardWithWaf"));
  }
  std::string address_type = request.address_type.empty() ? "Internet" : request.address_type;
  if (address_type != "Internet" && address_type != "Intranet") {
    return Fail(errors::InvalidParameter("AddressType", "it must be Internet or Intranet"));
  }
  if (request.name.size() > 128) {
    return Fail(errors::InvalidParameter("LoadBalancerName", "it is longer than 128 characters"));
  }
  auto attributes = MergeLoadBalancerAttributes("{}", request.attributes, domain.NowMs());
  if (!attributes) return Fail(attributes.error());
  auto fingerprint =
      ParameterFingerprint({request.name, edition, request.vpc_id, address_type,
                            TagsFingerprint(request.tags), request.attributes.dump()});
  return RunJobWrite(domain, request.write, api_name::kCreateLoadBalancer, fingerprint,
                     [&](StoreTx& tx) -> Result<Job> {
                       LoadBalancer lb{NewLoadBalancerId(domain.random),
                                       request.write.account_id,
                                       request.name,
                                       edition,
                                       std::string(status::kProvisioning),
                                       request.vpc_id,
                                       address_type,
                                       domain.NowMs(),
                                       attributes->dump()};
                       if (auto r = tx.InsertLoadBalancer(lb); !r) return Fail(r.error());
                       if (auto r = PutResourceTags(tx, lb.account_id, "loadbalancer",
                                                    lb.load_balancer_id, request.tags);
                           !r) {
                         return Fail(r.error());
                       }
                       Job job =
                           MakeJob(domain, lb.account_id, api_name::kCreateLoadBalancer,
                                   job_kind::kCreate, job_kind::kLoadBalancer, lb.load_balancer_id);
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

Result<LoadBalancer> GetLoadBalancer(const Domain& domain, std::string_view account_id,
                                     std::string_view load_balancer_id) {
  return InTransaction<LoadBalancer>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<LoadBalancer> {
        return FindLoadBalancerOrFail(tx, account_id, load_balancer_id);
      });
}

Result<Page<LoadBalancer>> ListLoadBalancers(const Domain& domain, const LoadBalancerFilter& filter,
                                             const PageRequest& page) {
  return InTransaction<Page<LoadBalancer>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) { return tx.ListLoadBalancers(filter, page); });
}

Result<Job> UpdateLoadBalancer(const Domain& domain, const UpdateLoadBalancerRequest& request) {
  if (request.name && request.name->size() > 128) {
    return Fail(errors::InvalidParameter("LoadBalancerName", "it is longer than 128 characters"));
  }
  if (auto probe = MergeLoadBalancerAttributes("{}", request.attributes, 0); !probe) {
    return Fail(probe.error());
  }
  const std::string& account = request.write.account_id;
  return RunJobWrite(
      domain, request.write, api_name::kUpdateLoadBalancerAttribute,
      ParameterFingerprint(
          {request.load_balancer_id, request.name.value_or("\x01"), request.attributes.dump()}),
      [&](StoreTx& tx) -> Result<Job> {
        auto lb = ActiveLoadBalancerOrFail(tx, account, request.load_balancer_id);
        if (!lb) return Fail(lb.error());
        auto merged =
            MergeLoadBalancerAttributes(lb->attributes, request.attributes, domain.NowMs());
        if (!merged) return Fail(merged.error());
        lb->attributes = merged->dump();
        if (request.name) lb->name = *request.name;
        lb->status = status::kConfiguring;
        if (auto r = tx.UpdateLoadBalancer(*lb); !r) return Fail(r.error());
        Job job = MakeJob(domain, account, api_name::kUpdateLoadBalancerAttribute,
                          job_kind::kUpdate, job_kind::kLoadBalancer, request.load_balancer_id);
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<void> SetDeletionProtection(const Domain& domain, const WriteRequest& write,
                                   std::string_view load_balancer_id, bool enabled) {
  auto done = RunDirectWrite(
      domain, write,
      enabled ? api_name::kEnableDeletionProtection : api_name::kDisableDeletionProtection,
      ParameterFingerprint({load_balancer_id}), [&](StoreTx& tx) -> Result<std::string> {
        auto lb = FindLoadBalancerOrFail(tx, write.account_id, load_balancer_id);
        if (!lb) return Fail(lb.error());
        auto merged = MergeLoadBalancerAttributes(
            lb->attributes, {{"DeletionProtectionEnabled", enabled}}, domain.NowMs());
        if (!merged) return Fail(merged.error());
        lb->attributes = merged->dump();
        if (auto r = tx.UpdateLoadBalancer(*lb); !r) return Fail(r.error());
        return std::string(load_balancer_id);
      });
  if (!done) return Fail(done.error());
  return {};
}

Result<Job> DeleteLoadBalancer(const Domain& domain, const WriteRequest& write,
                               std::string_view load_balancer_id) {
  return RunJobWrite(
      domain, write, api_name::kDeleteLoadBalancer, ParameterFingerprint({load_balancer_id}),
      [&](StoreTx& tx) -> Result<Job> {
        auto lb = FindLoadBalancerOrFail(tx, write.account_id, load_balancer_id);
        if (!lb) return Fail(lb.error());
        if (DeletionProtectionEnabled(lb->attributes)) {
          return Fail(errors::DeletionProtected(load_balancer_id));
        }
        if (lb->status != status::kActive) {
          return Fail(errors::IncorrectLoadBalancerStatus(load_balancer_id, lb->status));
        }
        // No listener may be mid-change: its job would finish on a deleted listener.
        PageRequest page{.after = 0, .limit = 100};
        ListenerFilter filter{.account_id = write.account_id,
                              .load_balancer_ids = {std::string(load_balancer_id)}};
        while (true) {
          auto listeners = tx.ListListeners(filter, page);
          if (!listeners) return Fail(listeners.error());
          for (const auto& listener : listeners->items) {
            if (listener.status == status::kConfiguring ||
                listener.status == status::kProvisioning) {
              return Fail(errors::ListenerInConfiguring(listener.listener_id));
            }
          }
          if (!listeners->next) break;
          page.after = *listeners->next;
        }
        lb->status = status::kConfiguring;
        if (auto r = tx.UpdateLoadBalancer(*lb); !r) return Fail(r.error());
        Job job = MakeJob(domain, write.account_id, api_name::kDeleteLoadBalancer,
                          job_kind::kDelete, job_kind::kLoadBalancer, load_balancer_id);
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

}  // namespace openalb
