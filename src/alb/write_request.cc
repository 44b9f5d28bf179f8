#include "alb/write_request.h"

#include <optional>

#include "alb/alb_errors.h"
#include "core/crypto.h"

namespace openalb {

Result<void> ValidateClientToken(std::string_view token) {
  if (token.size() > 64) {
    return Fail(errors::InvalidParameter("ClientToken", "it is longer than 64 characters"));
  }
  for (unsigned char c : token) {
    if (c < 0x20 || c > 0x7e) {
      return Fail(errors::InvalidParameter("ClientToken", "it may contain only ASCII characters"));
    }
  }
  return {};
}

std::string ParameterFingerprint(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (std::string_view part : parts) {
    joined += std::to_string(part.size());
    joined += ':';
    joined += part;
  }
  return HexLower(Sha256(joined));
}

Result<void> RecordAudit(StoreTx& tx, PendingAudit* audit) {
  if (audit == nullptr) return {};
  audit->entry.result = "Success";
  audit->entry.code.clear();
  return tx.InsertAuditEntry(audit->entry);
}

namespace {

// What every write does around its `body`, in one transaction: a repeated ClientToken answered
// by `replay` (from what the token remembers; nullopt: what it answered is gone, run anew), a
// reused token with other parameters refused, DryRun checked then rolled back, the token and
// the audit entry recorded. `*created` tells whether `body` ran and committed.
template <typename T>
Result<T> RunRememberedWrite(
    const Domain& domain, const WriteRequest& request, std::string_view api_name,
    std::string_view fingerprint,
    const std::function<Result<std::optional<T>>(StoreTx&, const std::string&)>& replay,
    const std::function<Result<T>(StoreTx&)>& body,
    const std::function<std::string(const T&)>& remembered, bool* created) {
  if (auto r = ValidateClientToken(request.client_token); !r) return Fail(r.error());
  auto result = InTransaction<T>(domain.store, TxMode::kWrite, [&](StoreTx& tx) -> Result<T> {
    const bool remember = !request.client_token.empty() && !request.dry_run;
    if (remember) {
      auto seen = tx.FindClientToken(request.account_id, api_name, request.client_token);
      if (!seen) return Fail(seen.error());
      if (*seen) {
        if ((*seen)->fingerprint != fingerprint) {
          return Fail(errors::IdempotentParameterMismatch(request.client_token));
        }
        auto first = replay(tx, (*seen)->job_id);
        if (!first) return Fail(first.error());
        if (*first) {
          if (auto r = RecordAudit(tx, request.audit); !r) return Fail(r.error());
          return std::move(**first);
        }
      }
    }
    auto made = body(tx);
    if (!made) return made;
    if (request.dry_run) return Fail(errors::DryRunOperation());
    if (remember) {
      ClientTokenRecord record{request.account_id,   std::string(api_name),
                               request.client_token, std::string(fingerprint),
                               remembered(*made),    domain.NowMs()};
      if (auto r = tx.InsertClientToken(record); !r) return Fail(r.error());
    }
    if (auto r = RecordAudit(tx, request.audit); !r) return Fail(r.error());
    *created = true;
    return made;
  });
  if (result) MarkAuditRecorded(request.audit);
  return result;
}

}  // namespace

Result<Job> RunJobWrite(const Domain& domain, const WriteRequest& request,
                        std::string_view api_name, std::string_view fingerprint,
                        const std::function<Result<Job>(StoreTx&)>& body) {
  bool created = false;
  auto job = RunRememberedWrite<Job>(
      domain, request, api_name, fingerprint,
      // The job the token's first request made; gone, the token protects nothing: run anew.
      [](StoreTx& tx, const std::string& job_id) { return tx.FindJob(job_id); }, body,
      [](const Job& job) { return job.job_id; }, &created);
  if (job && created) domain.wake_jobs();
  return job;
}

Result<std::string> RunDirectWrite(const Domain& domain, const WriteRequest& request,
                                   std::string_view api_name, std::string_view fingerprint,
                                   const std::function<Result<std::string>(StoreTx&)>& body) {
  bool created = false;
  return RunRememberedWrite<std::string>(
      domain, request, api_name, fingerprint,
      // The token remembers the id the first request answered.
      [](StoreTx&, const std::string& id) -> Result<std::optional<std::string>> { return id; },
      body, [](const std::string& id) { return id; }, &created);
}

}  // namespace openalb
