// Domain: what the ALB operations need from the outside world — the store, the clock, ids,
// the region served, the quotas, how long jobs wait, the sealing key for private keys and
// how to wake the job worker. Built once in server/ and passed by reference.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "alb/region.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/secret_box.h"
#include "store/store.h"

namespace openalb {

class BackendAddressPolicy;  // core/backend_address_policy.h

struct DomainLimits {
  int additional_certificates_basic = 10;     // per load balancer, Basic edition
  int additional_certificates_standard = 25;  // Standard and StandardWithWaf
  int listeners_per_load_balancer = 50;
  int certificates_per_call = 20;
  int servers_per_call = 200;
  int servers_per_server_group = 1000;
  int rules_per_load_balancer = 1000;
  int rules_per_call = 10;  // CreateRules, UpdateRulesAttribute, DeleteRules
};

struct Domain {
  Store& store;
  const Clock& clock;
  Random& random;
  RegionInfo region;
  const SecretBox& secrets;
  DomainLimits limits;
  // How long a new job waits before the worker may finish it (`--job-delay`).
  std::chrono::milliseconds job_delay{0};
  // Called after a transaction that created a job has committed.
  std::function<void()> wake_jobs = [] {};
  // Which addresses servers may have; null allows every address (tests).
  const BackendAddressPolicy* backend_policy = nullptr;

  std::int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
        .count();
  }
};

}  // namespace openalb
