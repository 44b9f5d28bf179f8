// The additional (SNI) certificates of an HTTPS or QUIC listener: associate, dissociate
// (the seed operation) and list. Both changes are asynchronous and idempotent by
// ClientToken: the call marks the certificates Associating / Dissociating and the listener
// Configuring, records a job and returns its id; the worker then settles them
// (Associated, or gone from the list) and returns the listener to its resting status.
#pragma once

#include <string>
#include <vector>

#include "alb/domain.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

struct CertificateChange {
  WriteRequest write;
  std::string listener_id;
  std::vector<std::string> certificate_ids;  // 1..limits.certificates_per_call; repeats count once
};

// Returns the job id.
Result<std::string> AssociateAdditionalCertificates(const Domain& domain,
                                                    const CertificateChange& change);
Result<std::string> DissociateAdditionalCertificates(const Domain& domain,
                                                     const CertificateChange& change);

struct ListenerCertificateQuery {
  std::string account_id;
  std::string listener_id;
  std::string certificate_type;  // Server, Ca or empty (all)
  std::vector<std::string> certificate_ids;
  PageRequest page;
};

Result<Page<ListenerCertificate>> ListListenerCertificates(const Domain& domain,
                                                           const ListenerCertificateQuery& query);

}  // namespace openalb
