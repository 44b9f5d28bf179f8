#include "alb/write_request.h"

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

Result<Job> RunJobWrite(const Domain& domain, const WriteRequest& request,
                        std::string_view api_name, std::string_view fingerprint,
                        const std::function<Result<Job>(StoreTx&)>& body) {
  if (auto r = ValidateClientToken(request.client_token); !r) return Fail(r.error());
  bool created = false;
  auto job = InTransaction<Job>(domain.store, TxMode::kWrite, [&](StoreTx& tx) -> Result<Job> {
    const bool remember = !request.client_token.empty() && !request.dry_run;
    if (remember) {
      auto seen = tx.FindClientToken(request.account_id, api_name, request.client_token);
      if (!seen) return Fail(seen.error());
      if (*seen) {
        if ((*seen)->fingerprint != fingerprint) {
          return Fail(errors::IdempotentParameterMismatch(request.client_token));
        }
        auto first = tx.FindJob((*seen)->job_id);
        if (!first) return Fail(first.error());
        if (*first) {
          if (auto r = RecordAudit(tx, request.audit); !r) return Fail(r.error());
          return **first;
        }
        // Its job is gone; the token protects nothing any more. Run anew.
      }
    }
    auto job = body(tx);
    if (!job) return job;
    if (request.dry_run) return Fail(errors::DryRunOperation());
    if (remember) {
      ClientTokenRecord record{request.account_id,   std::string(api_name),
                               request.client_token, std::string(fingerprint),
                               job->job_id,          domain.NowMs()};
      if (auto r = tx.InsertClientToken(record); !r) return Fail(r.error());
    }
    if (auto r = RecordAudit(tx, request.audit); !r) return Fail(r.error());
    created = true;
    return job;
  });
  if (job) MarkAuditRecorded(request.audit);
  if (job && created) domain.wake_jobs();
  return job;
}

Result<std::string> RunDirectWrite(const Domain& domain, const WriteRequest& request,
                                   std::string_view api_name, std::string_view fingerprint,
                                   const std::function<Result<std::string>(StoreTx&)>& body) {
  if (auto r = ValidateClientToken(request.client_token); !r) return Fail(r.error());
  auto id = InTransaction<std::string>(
      domain.store, TxMode::kWrite, [&](StoreTx& tx) -> Result<std::string> {
        const bool remember = !request.client_token.empty() && !request.dry_run;
        if (remember) {
          auto seen = tx.FindClientToken(request.account_id, api_name, request.client_token);
          if (!seen) return Fail(seen.error());
          if (*seen) {
            if ((*seen)->fingerprint != fingerprint) {
              return Fail(errors::IdempotentParameterMismatch(request.client_token));
            }
            if (auto r = RecordAudit(tx, request.audit); !r) return Fail(r.error());
            return (*seen)->job_id;  // the id the first request answered
          }
        }
        auto made = body(tx);
        if (!made) return made;
        if (request.dry_run) return Fail(errors::DryRunOperation());
        if (remember) {
          ClientTokenRecord record{request.account_id,
                                   std::string(api_name),
                                   request.client_token,
                                   std::string(fingerprint),
                                   *made,
                                   domain.NowMs()};
          if (auto r = tx.InsertClientToken(record); !r) return Fail(r.error());
        }
        if (auto r = RecordAudit(tx, request.audit); !r) return Fail(r.error());
        return made;
      });
  if (id) MarkAuditRecorded(request.audit);
  return id;
}

}  // namespace openalb
