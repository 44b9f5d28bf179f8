// DomainFixture: the ALB domain over a real store — a SQLite file in a temp dir, or, with
// OPENALB_TEST_STORE=postgres (ctest's domain.postgres runs every domain test so), a fresh
// PostgreSQL database (support/test_postgres.h) — with a clock that
// moves only when told, one account (plus a second for isolation tests), a job worker the
// test steps by hand (RunOnce), and helpers that build the usual resources through the
// domain's own operations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alb/domain.h"
#include "alb/listener_certificates.h"
#include "alb/listeners.h"
#include "alb/load_balancers.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/secret_box.h"
#include "jobs/job_worker.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace openalb::testing {

inline constexpr char kDomainAccount[] = "1111222233334444";
inline constexpr char kOtherAccount[] = "5555666677778888";

class DomainFixture {
 public:
  explicit DomainFixture(DomainLimits limits = {});

  Domain& domain() { return *domain_; }
  Store& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  JobWorker& worker() { return *worker_; }
  // A second store on the same database: what a restarted process opens.
  std::unique_ptr<Store> OpenAgain() const;
  // How many jobs the worker finished in one pass; fails the test on a store error.
  int RunJobs();

  WriteRequest Write(const std::string& account = kDomainAccount, std::string token = {});

  // An Active load balancer (its create job run).
  std::string MakeLoadBalancer(const std::string& edition = "Standard",
                               const std::string& account = kDomainAccount);
  // A certificate for `name` imported into `account`; returns its ALB id.
  std::string MakeCertificate(const std::string& name, const std::string& account = kDomainAccount);
  // A Running HTTPS listener with a fresh default certificate.
  std::string MakeHttpsListener(const std::string& load_balancer_id, int port = 443,
                                const std::string& account = kDomainAccount);
  // Associates `ids` and runs the job.
  void Associate(const std::string& listener_id, const std::vector<std::string>& ids);
  // The listener's certificates as "id:Status" (default marked with a leading '*').
  std::vector<std::string> CertificatesOf(const std::string& listener_id,
                                          const std::string& account = kDomainAccount);
  std::string ListenerStatus(const std::string& listener_id);
  Job FindJob(const std::string& job_id);

 private:
  TempDir dir_;
  std::string location_;  // the SQLite file or the PostgreSQL URL
  ManualClock clock_;
  SecureRandom random_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<JobWorker> worker_;
  int next_port_ = 10000;
};

}  // namespace openalb::testing
