#include "alb/jobs.h"

#include <nlohmann/json.hpp>

#include "alb/acls.h"
#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ascripts.h"
#include "alb/ids.h"
#include "alb/listener_options.h"
#include "alb/listeners.h"
#include "alb/load_balancer_cloud_settings.h"
#include "alb/rules.h"
#include "alb/security_policies.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

bool IsListenerJob(std::string_view api) {
  return api == api_name::kCreateListener || api == api_name::kStartListener ||
         api == api_name::kStopListener || api == api_name::kUpdateListenerAttribute ||
         api == api_name::kUpdateListenerLogConfig ||
         api == api_name::kAssociateAdditionalCertificates ||
         api == api_name::kDissociateAdditionalCertificates ||
         api == api_name::kAssociateAclsWithListener ||
         api == api_name::kDissociateAclsFromListener;
}

Result<void> ReplaceDefaultCertificate(StoreTx& tx, const Job& job,
                                       const std::string& certificate_id) {
  auto certificate = tx.FindCertificate(job.account_id, certificate_id);
  if (!certificate) return Fail(certificate.error());
  if (!*certificate) return Fail(errors::CertificateNotFound(certificate_id));
  auto rows = AllListenerCertificates(tx, job.resource_id);
  if (!rows) return Fail(rows.error());
  for (const auto& row : *rows) {
    if (!row.is_default) continue;
    if (row.certificate_id == certificate_id) return {};  // already done
    if (auto r = tx.DeleteListenerCertificate(job.resource_id, row.certificate_id); !r) return r;
  }
  return tx.InsertListenerCertificate(
      {job.resource_id, certificate_id, true, std::string(status::kAssociated), ""});
}

// Settles the certificate rows `job` marked: on success Associating → Associated and
// Dissociating → gone; on failure the reverse.
Result<void> SettleCertificates(StoreTx& tx, const Job& job, bool succeeded) {
  auto rows = AllListenerCertificates(tx, job.resource_id);
  if (!rows) return Fail(rows.error());
  for (auto row : *rows) {
    if (row.job_id != job.job_id) continue;
    const bool associating = row.status == status::kAssociating;
    if (associating == succeeded) {
      row.status = status::kAssociated;
      row.job_id.clear();
      if (auto r = tx.UpdateListenerCertificate(row); !r) return r;
    } else {
      if (auto r = tx.DeleteListenerCertificate(row.listener_id, row.certificate_id); !r) {
        return r;
      }
    }
  }
  return {};
}

Result<void> FinishListenerJob(StoreTx& tx, const Job& job) {
  auto listener = FindListenerOrFail(tx, job.account_id, job.resource_id);
  if (!listener) return Fail(listener.error());
  if (job.api_name == api_name::kUpdateListenerAttribute) {
    if (auto certificate_id = JobPayloadString(job, "DefaultCertificateId")) {
      if (auto r = ReplaceDefaultCertificate(tx, job, *certificate_id); !r) return r;
    }
    if (auto group_id = JobPayloadString(job, "ForwardServerGroupId")) {
      if (!group_id->empty()) {
        auto group = FindServerGroupOrFail(tx, job.account_id, *group_id);
        if (!group) return Fail(group.error());
      }
      listener->forward_server_group_id = *group_id;
    }
  }
  if (job.api_name == api_name::kUpdateListenerAttribute ||
      job.api_name == api_name::kUpdateListenerLogConfig) {
    if (auto attributes = JobPayloadObject(job, "Attributes")) {
      auto merged =
          MergeListenerOptions(ListenerOptionsFromJson(listener->attributes), *attributes);
      if (!merged) return Fail(merged.error());
      listener->attributes = ListenerOptionsJson(*merged).dump();
    }
  }
  if (auto r = SettleCertificates(tx, job, /*succeeded=*/true); !r) return r;
  if (auto r = SettleListenerAcls(tx, job, /*succeeded=*/true); !r) return r;
  listener->status = listener->resting_status;
  return tx.UpdateListener(*listener);
}

Result<void> FinishLoadBalancerJob(StoreTx& tx, const Job& job) {
  auto lb = tx.FindLoadBalancer(job.account_id, job.resource_id);
  if (!lb) return Fail(lb.error());
  if (!*lb) return Fail(errors::LoadBalancerNotFound(job.resource_id));
  // It never made the load balancer Configuring (ALB answers it without a job).
  if (job.api_name == api_name::kDisableLoadBalancerAccessLog) return {};
  if (job.api_name == api_name::kCreateLoadBalancer ||
      job.api_name == api_name::kUpdateLoadBalancerAttribute || IsCloudSettingJob(job.api_name)) {
    (*lb)->status = status::kActive;  // an update's change was recorded with its job
    return tx.UpdateLoadBalancer(**lb);
  }
  // DeleteLoadBalancer: its listeners first (their certificate rows go with them).
  ListenerFilter filter{.account_id = job.account_id, .load_balancer_ids = {job.resource_id}};
  while (true) {
    auto page = tx.ListListeners(filter, {.after = 0, .limit = 100});
    if (!page) return Fail(page.error());
    if (page->items.empty()) break;
    for (const auto& listener : page->items) {
      if (auto r = tx.DeleteListener(listener.listener_id); !r) return r;
    }
  }
  return tx.DeleteLoadBalancer(job.resource_id);
}

Result<void> ApplyJob(StoreTx& tx, const Job& job) {
  if (IsListenerJob(job.api_name)) return FinishListenerJob(tx, job);
  if (job.api_name == api_name::kDeleteListener) {
    // Already gone (its load balancer's deletion took it): the deletion asked for is done.
    return tx.DeleteListener(job.resource_id);
  }
  if (IsServerGroupJob(job.api_name)) return FinishServerGroupJob(tx, job);
  if (IsRuleJob(job.api_name)) return FinishRuleJob(tx, job);
  if (job.api_name == api_name::kUpdateSecurityPolicyAttribute) {
    return FinishSecurityPolicyJob(tx, job);
  }
  if (IsAclJob(job.api_name)) return FinishAclJob(tx, job);
  if (IsAScriptJob(job.api_name)) return FinishAScriptJob(tx, job);
  if (job.api_name == api_name::kCreateLoadBalancer ||
      job.api_name == api_name::kUpdateLoadBalancerAttribute ||
      job.api_name == api_name::kDeleteLoadBalancer || IsCloudSettingJob(job.api_name)) {
    return FinishLoadBalancerJob(tx, job);
  }
  return Fail(ApiError{"UnknownJob", 500, "The job's action is not known to this server.", {}});
}

}  // namespace

std::optional<nlohmann::json> JobPayloadObject(const Job& job, std::string_view key) {
  auto payload = nlohmann::json::parse(job.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return std::nullopt;
  auto it = payload.find(key);
  if (it == payload.end() || !(it->is_object() || it->is_array())) return std::nullopt;
  return *it;
}

std::optional<std::string> JobPayloadString(const Job& job, std::string_view key) {
  auto payload = nlohmann::json::parse(job.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return std::nullopt;
  auto it = payload.find(key);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Job MakeJob(const Domain& domain, std::string_view account_id, std::string_view api_name,
            std::string_view operate_type, std::string_view resource_type,
            std::string_view resource_id, std::string payload) {
  Job job;
  job.job_id = NewJobId(domain.random);
  job.account_id = account_id;
  job.api_name = api_name;
  job.operate_type = operate_type;
  job.resource_type = resource_type;
  job.resource_id = resource_id;
  job.status = status::kProcessing;
  job.payload = std::move(payload);
  job.created_ms = domain.NowMs();
  job.modified_ms = job.created_ms;
  job.run_after_ms = job.created_ms + domain.job_delay.count();
  return job;
}

Result<void> CompleteJob(StoreTx& tx, const Job& job, std::int64_t now_ms) {
  if (auto r = ApplyJob(tx, job); !r) return r;
  Job done = job;
  done.status = status::kSucceeded;
  done.modified_ms = now_ms;
  return tx.UpdateJob(done);
}

Result<void> FailJob(StoreTx& tx, const Job& job, const ApiError& error, std::int64_t now_ms) {
  if (IsListenerJob(job.api_name) || job.api_name == api_name::kDeleteListener) {
    auto listener = tx.FindListener(job.account_id, job.resource_id);
    if (!listener) return Fail(listener.error());
    if (*listener) {
      if (auto r = SettleCertificates(tx, job, /*succeeded=*/false); !r) return r;
      if (auto r = SettleListenerAcls(tx, job, /*succeeded=*/false); !r) return r;
      // A listener that could not be created or started serves nothing: it is Stopped.
      // Any other change failed before it was applied, so the listener is as it was.
      if (job.api_name == api_name::kCreateListener || job.api_name == api_name::kStartListener) {
        (*listener)->resting_status = status::kStopped;
      }
      (*listener)->status = (*listener)->resting_status;
      if (auto r = tx.UpdateListener(**listener); !r) return r;
    }
  }
  if (IsServerGroupJob(job.api_name)) {
    if (auto r = UndoServerGroupJob(tx, job); !r) return r;
  }
  if ((job.api_name == api_name::kUpdateLoadBalancerAttribute || IsCloudSettingJob(job.api_name)) &&
      job.api_name != api_name::kDisableLoadBalancerAccessLog) {
    // The load balancer rests again.
    auto lb = tx.FindLoadBalancer(job.account_id, job.resource_id);
    if (!lb) return Fail(lb.error());
    if (*lb) {
      (*lb)->status = status::kActive;
      if (auto r = tx.UpdateLoadBalancer(**lb); !r) return r;
    }
  }
  if (IsRuleJob(job.api_name)) {
    if (auto r = UndoRuleJob(tx, job); !r) return r;
  }
  if (IsAclJob(job.api_name)) {
    if (auto r = UndoAclJob(tx, job); !r) return r;
  }
  if (IsAScriptJob(job.api_name)) {
    if (auto r = UndoAScriptJob(tx, job); !r) return r;
  }
  Job failed = job;
  failed.status = status::kFailed;
  failed.error_code = error.code;
  failed.error_message = error.message;
  failed.modified_ms = now_ms;
  return tx.UpdateJob(failed);
}

Result<Page<Job>> ListJobs(const Domain& domain, const JobFilter& filter, const PageRequest& page) {
  return InTransaction<Page<Job>>(domain.store, TxMode::kRead,
                                  [&](StoreTx& tx) { return tx.ListJobs(filter, page); });
}

}  // namespace openalb
