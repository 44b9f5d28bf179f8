// What the data plane must serve, as the store says: a listener is served when it is an
// HTTPS or HTTP listener that is running (or mid-change and returning to running); it serves its
// default certificate and every additional one that is Associated or still Dissociating
// (a certificate is served until its dissociation job applies, and from the moment its
// association job applies), forwards to its server group's servers (see ForwardOf), and
// routes by its rules (alb/rules.h: ServedRule), each with the servers of the groups it
// forwards to.
//
// On a fleet, a job is first *published* (a configuration version that nodes apply) and only
// settled in the store once every node has applied it (or undone if one could not). While it
// is published, what is served is the store's rows with that job's change laid over them:
// PublishedJobs carries those jobs to the functions below.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/api_error.h"
#include "dataplane/listener_config.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// Jobs published to a fleet and not yet settled (StoreTx::PublishedJobs); empty elsewhere.
class PublishedJobs {
 public:
  PublishedJobs() = default;
  explicit PublishedJobs(std::vector<Job> jobs) : jobs_(std::move(jobs)) {}

  bool Contains(std::string_view job_id) const { return Find(job_id) != nullptr; }
  const Job* Find(std::string_view job_id) const;
  // The published job changing `resource_id` itself (a listener or a load balancer), if any.
  const Job* On(std::string_view resource_id) const;

 private:
  std::vector<Job> jobs_;  // a handful: one per resource being changed
};

// nullopt when the listener should not be bound.
Result<std::optional<ListenerConfig>> ServedListener(StoreTx& tx, const Listener& listener,
                                                     const PublishedJobs& published = {});
// The same for the listener `listener_id` of `account_id`: nullopt when it is gone too.
Result<std::optional<ListenerConfig>> ServedListenerById(StoreTx& tx, std::string_view account_id,
                                                         std::string_view listener_id,
                                                         const PublishedJobs& published = {});
// Every listener of every account that should be bound (for start-up).
Result<std::vector<ListenerConfig>> AllServedListeners(StoreTx& tx,
                                                       const PublishedJobs& published = {});

}  // namespace openalb
