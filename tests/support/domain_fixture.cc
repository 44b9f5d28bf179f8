#include "support/domain_fixture.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

#include "alb/certificates.h"
#include "alb/jobs.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_certificates.h"
#include "support/test_postgres.h"

namespace openalb::testing {
namespace {

template <typename T>
T MustOrAbort(Result<T> result) {
  if (!result) {
    ADD_FAILURE() << result.error().code << ": " << result.error().message << " "
                  << result.error().internal;
    std::abort();
  }
  return std::move(*result);
}

void MustOrAbort(Result<void> result) {
  if (!result) {
    ADD_FAILURE() << result.error().code << ": " << result.error().message;
    std::abort();
  }
}

}  // namespace

namespace {

bool OnPostgres() {
  const char* engine = std::getenv("OPENALB_TEST_STORE");
  return engine != nullptr && std::string_view(engine) == "postgres";
}

}  // namespace

std::unique_ptr<Store> DomainFixture::OpenAgain() const {
  if (OnPostgres()) return MustOrAbort(PgStore::Create(location_));
  return MustOrAbort(SqliteStore::Create(location_));
}

DomainFixture::DomainFixture(DomainLimits limits)
    : location_(OnPostgres() ? FreshPostgresDatabase() : dir_.File("openalb.db")),
      clock_(std::chrono::system_clock::now()) {
  store_ = OpenAgain();
  MustOrAbort(store_->CreateAccount({kDomainAccount, "test", "2026-11-23T08:00:00Z"}));
  MustOrAbort(store_->CreateAccount({kOtherAccount, "other", "2026-11-23T08:00:00Z"}));
  SecretBox::Key key{};
  random_.Fill(key.data(), key.size());
  secrets_ = std::make_unique<SecretBox>(key, random_);
  domain_ = std::make_unique<Domain>(Domain{.store = *store_,
                                            .clock = clock_,
                                            .random = random_,
                                            .region = {"cn-hangzhou", "openalb"},
                                            .secrets = *secrets_,
                                            .limits = limits});
  worker_ = std::make_unique<JobWorker>(*domain_);
}

int DomainFixture::RunJobs() { return MustOrAbort(worker_->RunOnce()); }

WriteRequest DomainFixture::Write(const std::string& account, std::string token) {
  return {account, random_.UuidUpper(), std::move(token), false};
}

std::string DomainFixture::MakeLoadBalancer(const std::string& edition,
                                            const std::string& account) {
  auto job =
      MustOrAbort(CreateLoadBalancer(*domain_, {Write(account), "lb", edition, "vpc-1", ""}));
  RunJobs();
  return job.resource_id;
}

std::string DomainFixture::MakeCertificate(const std::string& name, const std::string& account) {
  CertSpec spec;
  spec.common_name = name;
  spec.dns_names = {name};
  GeneratedCert generated = testing::MakeCertificate(spec);
  return MustOrAbort(
             ImportCertificate(*domain_, {account, name, generated.cert_pem, generated.key_pem}))
      .certificate_id;
}

std::string DomainFixture::MakeHttpsListener(const std::string& load_balancer_id, int port,
                                             const std::string& account) {
  std::string default_cert = MakeCertificate("default-" + std::to_string(port) + ".test", account);
  auto job = MustOrAbort(CreateListener(
      *domain_, {Write(account), load_balancer_id, "HTTPS", port, default_cert, "web"}));
  RunJobs();
  return job.resource_id;
}

void DomainFixture::Associate(const std::string& listener_id, const std::vector<std::string>& ids) {
  MustOrAbort(AssociateAdditionalCertificates(*domain_, {Write(), listener_id, ids}));
  RunJobs();
}

std::vector<std::string> DomainFixture::CertificatesOf(const std::string& listener_id,
                                                       const std::string& account) {
  auto page = MustOrAbort(ListListenerCertificates(
      *domain_, {account, listener_id, "", {}, {.after = 0, .limit = 100}}));
  std::vector<std::string> out;
  for (const auto& row : page.items) {
    out.push_back((row.is_default ? "*" : "") + row.certificate_id + ":" + row.status);
  }
  return out;
}

std::string DomainFixture::ListenerStatus(const std::string& listener_id) {
  return MustOrAbort(GetListener(*domain_, kDomainAccount, listener_id)).listener.status;
}

Job DomainFixture::FindJob(const std::string& job_id) {
  auto page = MustOrAbort(ListJobs(*domain_, {.account_id = kDomainAccount, .ids = {job_id}},
                                   {.after = 0, .limit = 1}));
  if (page.items.empty()) {
    ADD_FAILURE() << "no job " << job_id;
    return {};
  }
  return page.items.front();
}

}  // namespace openalb::testing
