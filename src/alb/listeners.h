// Listeners: create, read, list, update (description, default certificate), start, stop,
// delete. Every change is asynchronous: the listener shows Configuring (Provisioning when
// new) until the worker completes the job. Also the checks every listener change shares.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "alb/domain.h"
#include "alb/tags.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// A listener with the certificate it serves by default (empty for HTTP).
struct ListenerView {
  Listener listener;
  std::string default_certificate_id;
  std::vector<ListenerAcl> acls;  // AclConfig: its ACL relations, in association order
};

struct CreateListenerRequest {
  WriteRequest write;
  std::string load_balancer_id;
  std::string protocol;  // HTTP, HTTPS, QUIC
  int port = 0;
  std::string default_certificate_id;  // required for HTTPS and QUIC
  std::string description;
  std::string forward_server_group_id;  // DefaultActions ForwardGroup; empty: none
  // IdleTimeout, RequestTimeout, GzipEnabled, Http2Enabled, XForwardedForConfig as given
  // (alb/listener_options.h); an empty object for none.
  nlohmann::json attributes = nlohmann::json::object();
  std::vector<TagPair> tags;
};

struct UpdateListenerRequest {
  WriteRequest write;
  std::string listener_id;
  std::optional<std::string> default_certificate_id;
  std::optional<std::string> description;
  std::optional<std::string> forward_server_group_id;
  nlohmann::json attributes = nlohmann::json::object();  // the attributes it changes
};

// Returns the job; its resource_id is the new listener's id.
Result<Job> CreateListener(const Domain& domain, const CreateListenerRequest& request);
Result<ListenerView> GetListener(const Domain& domain, std::string_view account_id,
                                 std::string_view listener_id);
Result<Page<ListenerView>> ListListeners(const Domain& domain, const ListenerFilter& filter,
                                         const PageRequest& page);
Result<Job> UpdateListener(const Domain& domain, const UpdateListenerRequest& request);
Result<Job> StartListener(const Domain& domain, const WriteRequest& write,
                          std::string_view listener_id);
Result<Job> StopListener(const Domain& domain, const WriteRequest& write,
                         std::string_view listener_id);
Result<Job> DeleteListener(const Domain& domain, const WriteRequest& write,
                           std::string_view listener_id);
// UpdateListenerLogConfig: LogConfig's fields (AccessLogRecordCustomizedHeadersEnabled,
// AccessLogTracingConfig) as a patch, recorded by a listener job and shown in LogConfig.
Result<Job> UpdateListenerLogConfig(const Domain& domain, const WriteRequest& write,
                                    std::string_view listener_id, const nlohmann::json& log_config);

// Shared by the listener operations.

// ResourceNotFound.Listener unless it exists in the account.
Result<Listener> FindListenerOrFail(StoreTx& tx, std::string_view account_id,
                                    std::string_view listener_id);
// The listener, if a change may start on it now: ResourceInConfiguring.Listener while a
// job is in flight, IncorrectStatus.Listener while it is being provisioned.
Result<Listener> ListenerReadyForChange(StoreTx& tx, std::string_view account_id,
                                        std::string_view listener_id);
// Every certificate the listener serves, default first.
Result<std::vector<ListenerCertificate>> AllListenerCertificates(StoreTx& tx,
                                                                 std::string_view listener_id);
// Marks the listener Configuring (its resting status is kept for the job to restore).
Result<void> MarkListenerConfiguring(StoreTx& tx, Listener listener);

}  // namespace openalb
