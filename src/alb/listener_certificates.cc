#include "alb/listener_certificates.h"

#include <algorithm>
#include <map>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/jobs.h"
#include "alb/listeners.h"
#include "alb/load_balancers.h"

namespace openalb {
namespace {

// The certificate ids in first-seen order, each once. MissingParameter / InvalidParameter
// when the list is empty, too long or holds an empty id.
Result<std::vector<std::string>> DistinctCertificateIds(const Domain& domain,
                                                        const std::vector<std::string>& ids) {
  if (ids.empty()) return Fail(errors::MissingParameter("Certificates"));
  if (static_cast<int>(ids.size()) > domain.limits.certificates_per_call) {
    return Fail(errors::InvalidParameter(
        "Certificates", "at most " + std::to_string(domain.limits.certificates_per_call) +
                            " certificates per call"));
  }
  std::vector<std::string> out;
  for (const auto& id : ids) {
    if (id.empty()) return Fail(errors::MissingParameter("Certificates.CertificateId"));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

// A listener that may have its additional certificates changed now.
Result<Listener> CertificateListener(StoreTx& tx, const CertificateChange& change) {
  auto listener = FindListenerOrFail(tx, change.write.account_id, change.listener_id);
  if (!listener) return listener;
  if (listener->protocol == "HTTP") {
    return Fail(errors::HttpListenerNotSupported(change.listener_id));
  }
  return ListenerReadyForChange(tx, change.write.account_id, change.listener_id);
}

std::string Fingerprint(const CertificateChange& change, const std::vector<std::string>& ids) {
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  std::string joined;
  for (const auto& id : sorted) joined += id + "\n";
  return ParameterFingerprint({change.listener_id, joined});
}

// Marks the listener Configuring and records the job.
Result<Job> StartCertificateJob(StoreTx& tx, const Listener& listener, const Job& job) {
  if (auto r = MarkListenerConfiguring(tx, listener); !r) return Fail(r.error());
  if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
  return job;
}

}  // namespace

Result<std::string> AssociateAdditionalCertificates(const Domain& domain,
                                                    const CertificateChange& change) {
  auto ids = DistinctCertificateIds(domain, change.certificate_ids);
  if (!ids) return Fail(ids.error());
  const std::string& account = change.write.account_id;
  auto job = RunJobWrite(
      domain, change.write, api_name::kAssociateAdditionalCertificates, Fingerprint(change, *ids),
      [&](StoreTx& tx) -> Result<Job> {
        auto listener = CertificateListener(tx, change);
        if (!listener) return Fail(listener.error());
        auto current =
            tx.ListListenerCertificates({change.listener_id, *ids}, {.after = 0, .limit = 1000});
        if (!current) return Fail(current.error());
        for (const auto& id : *ids) {
          auto certificate = tx.FindCertificate(account, id);
          if (!certificate) return Fail(certificate.error());
          if (!*certificate) return Fail(errors::CertificateNotFound(id));
          for (const auto& row : current->items) {
            if (row.certificate_id == id) return Fail(errors::CertificateAlreadyAssociated(id));
          }
        }
        auto lb = FindLoadBalancerOrFail(tx, account, listener->load_balancer_id);
        if (!lb) return Fail(lb.error());
        auto used = tx.CountAdditionalCertificates(listener->load_balancer_id);
        if (!used) return Fail(used.error());
        const int quota = AdditionalCertificateQuota(domain.limits, lb->edition);
        const int after = *used + static_cast<int>(ids->size());
        if (after > quota) {
          return Fail(errors::CertificateQuotaExceeded(listener->load_balancer_id, after, quota));
        }
        Job job = MakeJob(domain, account, api_name::kAssociateAdditionalCertificates,
                          job_kind::kUpdate, job_kind::kListener, change.listener_id);
        for (const auto& id : *ids) {
          if (auto r = tx.InsertListenerCertificate(
                  {change.listener_id, id, false, std::string(status::kAssociating), job.job_id});
              !r) {
            return Fail(r.error());
          }
        }
        return StartCertificateJob(tx, *listener, job);
      });
  if (!job) return Fail(job.error());
  return job->job_id;
}

Result<std::string> DissociateAdditionalCertificates(const Domain& domain,
                                                     const CertificateChange& change) {
  auto ids = DistinctCertificateIds(domain, change.certificate_ids);
  if (!ids) return Fail(ids.error());
  const std::string& account = change.write.account_id;
  auto job = RunJobWrite(domain, change.write, api_name::kDissociateAdditionalCertificates,
                         Fingerprint(change, *ids), [&](StoreTx& tx) -> Result<Job> {
                           auto listener = CertificateListener(tx, change);
                           if (!listener) return Fail(listener.error());
                           auto current = tx.ListListenerCertificates({change.listener_id, *ids},
                                                                      {.after = 0, .limit = 1000});
                           if (!current) return Fail(current.error());
                           std::map<std::string, ListenerCertificate, std::less<>> rows;
                           for (auto& row : current->items)
                             rows.emplace(row.certificate_id, std::move(row));
                           for (const auto& id : *ids) {
                             auto it = rows.find(id);
                             if (it == rows.end())
                               return Fail(errors::CertificateNotAssociated(id));
                             if (it->second.is_default)
                               return Fail(errors::DefaultCertificateUsed(id));
                           }
                           Job job =
                               MakeJob(domain, account, api_name::kDissociateAdditionalCertificates,
                                       job_kind::kUpdate, job_kind::kListener, change.listener_id);
                           for (auto& [id, row] : rows) {
                             row.status = status::kDissociating;
                             row.job_id = job.job_id;
                             if (auto r = tx.UpdateListenerCertificate(row); !r)
                               return Fail(r.error());
                           }
                           return StartCertificateJob(tx, *listener, job);
                         });
  if (!job) return Fail(job.error());
  return job->job_id;
}

Result<Page<ListenerCertificate>> ListListenerCertificates(const Domain& domain,
                                                           const ListenerCertificateQuery& query) {
  const std::string& type = query.certificate_type;
  if (!type.empty() && type != "Server" && type != "Ca") {
    return Fail(errors::InvalidParameter("CertificateType", "it must be Server or Ca"));
  }
  return InTransaction<Page<ListenerCertificate>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<Page<ListenerCertificate>> {
        auto listener = FindListenerOrFail(tx, query.account_id, query.listener_id);
        if (!listener) return Fail(listener.error());
        // Listeners here serve server certificates only; mutual-TLS CA certificates are
        // not supported, so a Ca query finds none.
        if (type == "Ca") return Page<ListenerCertificate>{};
        return tx.ListListenerCertificates({query.listener_id, query.certificate_ids}, query.page);
      });
}

}  // namespace openalb
