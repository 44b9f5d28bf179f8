// How every ALB write runs: inside one durable transaction, answering a repeated
// ClientToken with the job it first produced, refusing a reused token whose parameters
// differ, and on DryRun running every check and then undoing everything.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "alb/domain.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

// Who asks, and the common write parameters.
struct WriteRequest {
  std::string account_id;
  std::string request_id;
  std::string client_token;  // empty: the request id is the token, so nothing is replayed
  bool dry_run = false;
  // The request's audit entry, recorded in the transaction that commits its effects.
  PendingAudit* audit = nullptr;
};

// Inside a write transaction about to commit the request's effects: appends its audit
// entry as a success. Call MarkAuditRecorded once the transaction has committed.
Result<void> RecordAudit(StoreTx& tx, PendingAudit* audit);
inline void MarkAuditRecorded(PendingAudit* audit) {
  if (audit != nullptr) audit->recorded = true;
}

// ClientToken: printable ASCII, at most 64 characters. InvalidParameter otherwise.
Result<void> ValidateClientToken(std::string_view token);

// A digest of an operation's parameters, to tell a replay from a different request that
// reuses a token. Order-sensitive; each part is length-prefixed.
std::string ParameterFingerprint(std::initializer_list<std::string_view> parts);

// Runs `body` — the operation's checks and writes, creating one job it returns — in a
// write transaction, with the rules above for `api_name`. After commit, wakes the worker.
Result<Job> RunJobWrite(const Domain& domain, const WriteRequest& request,
                        std::string_view api_name, std::string_view fingerprint,
                        const std::function<Result<Job>(StoreTx&)>& body);

// The same rules for a write answered at once, without a job (CreateHealthCheckTemplate):
// `body` returns the id of what it made or changed, and a replayed token answers that id.
Result<std::string> RunDirectWrite(const Domain& domain, const WriteRequest& request,
                                   std::string_view api_name, std::string_view fingerprint,
                                   const std::function<Result<std::string>(StoreTx&)>& body);

}  // namespace openalb
