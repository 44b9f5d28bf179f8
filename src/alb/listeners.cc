#include "alb/listeners.h"

#include <nlohmann/json.hpp>

#include "alb/acls.h"
#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/listener_options.h"
#include "alb/load_balancers.h"
#include "alb/security_policies.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

bool ServesCertificates(std::string_view protocol) {
  return protocol == "HTTPS" || protocol == "QUIC";
}

Result<ListenerView> ViewOf(StoreTx& tx, Listener listener) {
  ListenerView view{std::move(listener), {}, {}};
  auto page =
      tx.ListListenerCertificates({view.listener.listener_id, {}}, {.after = 0, .limit = 1});
  if (!page) return Fail(page.error());
  if (!page->items.empty() && page->items.front().is_default) {
    view.default_certificate_id = page->items.front().certificate_id;
  }
  auto acls = AllListenerAcls(tx, view.listener.listener_id);
  if (!acls) return Fail(acls.error());
  view.acls = std::move(*acls);
  return view;
}

// The certificate, if the account owns it. Import already refused certificates that may not
// serve TLS (a key usage or extended key usage that excludes it); a self-signed certificate
// marked CA, as `openssl req -x509` makes by default, serves fine.
Result<Certificate> ServerCertificate(StoreTx& tx, std::string_view account_id,
                                      std::string_view certificate_id) {
  auto certificate = tx.FindCertificate(account_id, certificate_id);
  if (!certificate) return Fail(certificate.error());
  if (!*certificate) return Fail(errors::CertificateNotFound(certificate_id));
  return std::move(**certificate);
}

// Start and Stop: the listener goes Configuring and the job leaves it `target`.
Result<Job> ChangeRunState(const Domain& domain, const WriteRequest& write,
                           std::string_view listener_id, std::string_view api,
                           std::string_view target) {
  return RunJobWrite(domain, write, api, ParameterFingerprint({listener_id}),
                     [&](StoreTx& tx) -> Result<Job> {
                       auto listener = ListenerReadyForChange(tx, write.account_id, listener_id);
                       if (!listener) return Fail(listener.error());
                       listener->resting_status = target;
                       if (auto r = MarkListenerConfiguring(tx, *listener); !r)
                         return Fail(r.error());
                       Job job = MakeJob(domain, write.account_id, api, job_kind::kUpdate,
                                         job_kind::kListener, listener_id);
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

// A SecurityPolicyId the request names is a system policy or one of the account's.
Result<void> CheckSecurityPolicy(StoreTx& tx, std::string_view account_id,
                                 const nlohmann::json& attributes) {
  auto it = attributes.find("SecurityPolicyId");
  if (it == attributes.end() || !it->is_string()) return {};
  auto policy = ResolveSecurityPolicy(tx, account_id, it->get<std::string>());
  if (!policy) return Fail(policy.error());
  return {};
}

// QuicConfig: an HTTPS listener may advertise a QUIC listener of its own load balancer.
Result<void> CheckQuicConfig(StoreTx& tx, std::string_view account_id, std::string_view protocol,
                             std::string_view load_balancer_id, const ListenerOptions& options) {
  if (!options.quic_upgrade && options.quic_listener_id.empty()) return {};
  if (protocol != "HTTPS") {
    return Fail(errors::InvalidParameter("QuicConfig", "only an HTTPS listener upgrades to QUIC"));
  }
  if (options.quic_listener_id.empty()) {
    return Fail(errors::MissingParameter("QuicConfig.QuicListenerId"));
  }
  auto quic = FindListenerOrFail(tx, account_id, options.quic_listener_id);
  if (!quic) return Fail(quic.error());
  if (quic->protocol != "QUIC" || quic->load_balancer_id != load_balancer_id) {
    return Fail(errors::InvalidParameter("QuicConfig.QuicListenerId",
                                         "it must be a QUIC listener of the same load balancer"));
  }
  return {};
}

}  // namespace

Result<Listener> FindListenerOrFail(StoreTx& tx, std::string_view account_id,
                                    std::string_view listener_id) {
  auto listener = tx.FindListener(account_id, listener_id);
  if (!listener) return Fail(listener.error());
  if (!*listener) return Fail(errors::ListenerNotFound(listener_id));
  return std::move(**listener);
}

Result<Listener> ListenerReadyForChange(StoreTx& tx, std::string_view account_id,
                                        std::string_view listener_id) {
  auto listener = FindListenerOrFail(tx, account_id, listener_id);
  if (!listener) return listener;
  if (listener->status == status::kConfiguring) {
    return Fail(errors::ListenerInConfiguring(listener_id));
  }
  if (listener->status != status::kRunning && listener->status != status::kStopped) {
    return Fail(errors::IncorrectListenerStatus(listener_id, listener->status));
  }
  return listener;
}

Result<std::vector<ListenerCertificate>> AllListenerCertificates(StoreTx& tx,
                                                                 std::string_view listener_id) {
  std::vector<ListenerCertificate> out;
  PageRequest page{.after = 0, .limit = 1000};
  while (true) {
    auto rows = tx.ListListenerCertificates({std::string(listener_id), {}}, page);
    if (!rows) return Fail(rows.error());
    out.insert(out.end(), rows->items.begin(), rows->items.end());
    if (!rows->next) return out;
    page.after = *rows->next;
  }
}

Result<void> MarkListenerConfiguring(StoreTx& tx, Listener listener) {
  listener.status = status::kConfiguring;
  return tx.UpdateListener(listener);
}

Result<Job> CreateListener(const Domain& domain, const CreateListenerRequest& request) {
  if (request.protocol != "HTTP" && !ServesCertificates(request.protocol)) {
    return Fail(errors::InvalidParameter("ListenerProtocol", "it must be HTTP, HTTPS or QUIC"));
  }
  if (request.port < 1 || request.port > 65535) {
    return Fail(errors::InvalidParameter("ListenerPort", "it must be between 1 and 65535"));
  }
  if (ServesCertificates(request.protocol) && request.default_certificate_id.empty()) {
    return Fail(errors::MissingParameter("Certificates"));
  }
  if (request.protocol == "HTTP" && !request.default_certificate_id.empty()) {
    return Fail(errors::InvalidParameter("Certificates", "an HTTP listener serves no certificate"));
  }
  if (request.description.size() > 256) {
    return Fail(
        errors::InvalidParameter("ListenerDescription", "it is longer than 256 characters"));
  }
  auto options = MergeListenerOptions({}, request.attributes);
  if (!options) return Fail(options.error());
  const std::string& account = request.write.account_id;
  auto fingerprint = ParameterFingerprint(
      {request.load_balancer_id, request.protocol, std::to_string(request.port),
       request.default_certificate_id, request.description, request.forward_server_group_id,
       request.attributes.dump(), TagsFingerprint(request.tags)});
  return RunJobWrite(
      domain, request.write, api_name::kCreateListener, fingerprint,
      [&](StoreTx& tx) -> Result<Job> {
        if (auto lb = ActiveLoadBalancerOrFail(tx, account, request.load_balancer_id); !lb) {
          return Fail(lb.error());
        }
        if (auto r = CheckSecurityPolicy(tx, account, request.attributes); !r) {
          return Fail(r.error());
        }
        if (auto r =
                CheckQuicConfig(tx, account, request.protocol, request.load_balancer_id, *options);
            !r) {
          return Fail(r.error());
        }
        auto count = tx.CountListeners(request.load_balancer_id);
        if (!count) return Fail(count.error());
        if (*count >= domain.limits.listeners_per_load_balancer) {
          return Fail(errors::ListenerQuotaExceeded(request.load_balancer_id,
                                                    domain.limits.listeners_per_load_balancer));
        }
        auto taken = tx.ListenerPortTaken(request.load_balancer_id, request.port);
        if (!taken) return Fail(taken.error());
        if (*taken) return Fail(errors::ListenerPortInUse(request.load_balancer_id, request.port));
        Listener listener{NewListenerId(domain.random),
                          account,
                          request.load_balancer_id,
                          request.protocol,
                          request.port,
                          request.description,
                          std::string(status::kProvisioning),
                          std::string(status::kRunning),
                          domain.NowMs(),
                          request.forward_server_group_id,
                          ListenerOptionsJson(*options).dump()};
        if (!request.forward_server_group_id.empty()) {
          auto group = FindServerGroupOrFail(tx, account, request.forward_server_group_id);
          if (!group) return Fail(group.error());
        }
        if (auto r = tx.InsertListener(listener); !r) return Fail(r.error());
        if (auto r = PutResourceTags(tx, account, "listener", listener.listener_id, request.tags);
            !r) {
          return Fail(r.error());
        }
        Job job = MakeJob(domain, account, api_name::kCreateListener, job_kind::kCreate,
                          job_kind::kListener, listener.listener_id);
        if (!request.default_certificate_id.empty()) {
          auto certificate = ServerCertificate(tx, account, request.default_certificate_id);
          if (!certificate) return Fail(certificate.error());
          if (auto r = tx.InsertListenerCertificate({listener.listener_id,
                                                     request.default_certificate_id, true,
                                                     std::string(status::kAssociated), ""});
              !r) {
            return Fail(r.error());
          }
        }
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<ListenerView> GetListener(const Domain& domain, std::string_view account_id,
                                 std::string_view listener_id) {
  return InTransaction<ListenerView>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<ListenerView> {
        auto listener = FindListenerOrFail(tx, account_id, listener_id);
        if (!listener) return Fail(listener.error());
        return ViewOf(tx, std::move(*listener));
      });
}

Result<Page<ListenerView>> ListListeners(const Domain& domain, const ListenerFilter& filter,
                                         const PageRequest& page) {
  return InTransaction<Page<ListenerView>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<Page<ListenerView>> {
        auto listeners = tx.ListListeners(filter, page);
        if (!listeners) return Fail(listeners.error());
        Page<ListenerView> out{{}, listeners->total, listeners->next};
        for (auto& listener : listeners->items) {
          auto view = ViewOf(tx, std::move(listener));
          if (!view) return Fail(view.error());
          out.items.push_back(std::move(*view));
        }
        return out;
      });
}

Result<Job> UpdateListener(const Domain& domain, const UpdateListenerRequest& request) {
  if (request.description && request.description->size() > 256) {
    return Fail(
        errors::InvalidParameter("ListenerDescription", "it is longer than 256 characters"));
  }
  const std::string& account = request.write.account_id;
  auto fingerprint = ParameterFingerprint(
      {request.listener_id, request.default_certificate_id.value_or("\x01"),
       request.description.value_or("\x01"), request.forward_server_group_id.value_or("\x01"),
       request.attributes.dump()});
  return RunJobWrite(
      domain, request.write, api_name::kUpdateListenerAttribute, fingerprint,
      [&](StoreTx& tx) -> Result<Job> {
        auto listener = ListenerReadyForChange(tx, account, request.listener_id);
        if (!listener) return Fail(listener.error());
        nlohmann::json payload = nlohmann::json::object();
        if (request.default_certificate_id) {
          if (!ServesCertificates(listener->protocol)) {
            return Fail(errors::HttpListenerNotSupported(request.listener_id));
          }
          const std::string& id = *request.default_certificate_id;
          auto certificate = ServerCertificate(tx, account, id);
          if (!certificate) return Fail(certificate.error());
          auto rows = tx.ListListenerCertificates({request.listener_id, {id}}, {0, 1});
          if (!rows) return Fail(rows.error());
          if (!rows->items.empty() && !rows->items.front().is_default) {
            return Fail(errors::CertificateAlreadyAssociated(id));
          }
          payload["DefaultCertificateId"] = id;
        }
        if (request.forward_server_group_id) {
          const std::string& id = *request.forward_server_group_id;
          if (!id.empty()) {
            auto group = FindServerGroupOrFail(tx, account, id);
            if (!group) return Fail(group.error());
          }
          payload["ForwardServerGroupId"] = id;
        }
        if (!request.attributes.empty()) {
          auto merged = MergeListenerOptions(ListenerOptionsFromJson(listener->attributes),
                                             request.attributes);
          if (!merged) return Fail(merged.error());
          if (auto r = CheckSecurityPolicy(tx, account, request.attributes); !r) {
            return Fail(r.error());
          }
          if (auto r = CheckQuicConfig(tx, account, listener->protocol, listener->load_balancer_id,
                                       *merged);
              !r) {
            return Fail(r.error());
          }
          payload["Attributes"] = request.attributes;
        }
        if (request.description) listener->description = *request.description;
        if (auto r = MarkListenerConfiguring(tx, *listener); !r) return Fail(r.error());
        Job job = MakeJob(domain, account, api_name::kUpdateListenerAttribute, job_kind::kUpdate,
                          job_kind::kListener, request.listener_id, payload.dump());
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> UpdateListenerLogConfig(const Domain& domain, const WriteRequest& write,
                                    std::string_view listener_id,
                                    const nlohmann::json& log_config) {
  if (!log_config.is_object() || log_config.empty()) {
    return Fail(errors::MissingParameter("AccessLogRecordCustomizedHeadersEnabled"));
  }
  const nlohmann::json attributes = {{"LogConfig", log_config}};
  return RunJobWrite(
      domain, write, api_name::kUpdateListenerLogConfig,
      ParameterFingerprint({listener_id, log_config.dump()}), [&](StoreTx& tx) -> Result<Job> {
        auto listener = ListenerReadyForChange(tx, write.account_id, listener_id);
        if (!listener) return Fail(listener.error());
        auto merged =
            MergeListenerOptions(ListenerOptionsFromJson(listener->attributes), attributes);
        if (!merged) return Fail(merged.error());
        if (auto r = MarkListenerConfiguring(tx, *listener); !r) return Fail(r.error());
        Job job = MakeJob(domain, write.account_id, api_name::kUpdateListenerLogConfig,
                          job_kind::kUpdate, job_kind::kListener, listener_id,
                          nlohmann::json{{"Attributes", attributes}}.dump());
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> StartListener(const Domain& domain, const WriteRequest& write,
                          std::string_view listener_id) {
  return ChangeRunState(domain, write, listener_id, api_name::kStartListener, status::kRunning);
}

Result<Job> StopListener(const Domain& domain, const WriteRequest& write,
                         std::string_view listener_id) {
  return ChangeRunState(domain, write, listener_id, api_name::kStopListener, status::kStopped);
}

Result<Job> DeleteListener(const Domain& domain, const WriteRequest& write,
                           std::string_view listener_id) {
  return RunJobWrite(domain, write, api_name::kDeleteListener, ParameterFingerprint({listener_id}),
                     [&](StoreTx& tx) -> Result<Job> {
                       auto listener = ListenerReadyForChange(tx, write.account_id, listener_id);
                       if (!listener) return Fail(listener.error());
                       if (auto r = MarkListenerConfiguring(tx, *listener); !r)
                         return Fail(r.error());
                       Job job = MakeJob(domain, write.account_id, api_name::kDeleteListener,
                                         job_kind::kDelete, job_kind::kListener, listener_id);
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

}  // namespace openalb
