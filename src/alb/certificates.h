// Certificates: imported from PEM (chain + private key), validated once at import, stored
// with the private key sealed under the data directory's key; listed, read (never the key)
// and deleted (not while a listener serves it). The CAS-compatible actions and
// `openalb certs` both come here.
#pragma once

#include <cstdint>
#include <string>

#include "alb/domain.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

struct CertificateImport {
  std::string account_id;
  std::string name;
  std::string chain_pem;
  std::string key_pem;
};

// `audit`, when given, is recorded in the transaction that stores or deletes (write_request.h).
Result<Certificate> ImportCertificate(const Domain& domain, const CertificateImport& request,
                                      PendingAudit* audit = nullptr);
// By CAS number (CertId).
Result<Certificate> GetCertificate(const Domain& domain, std::string_view account_id,
                                   std::int64_t number);
Result<Page<Certificate>> ListCertificates(const Domain& domain, std::string_view account_id,
                                           const PageRequest& page);
Result<void> DeleteCertificate(const Domain& domain, std::string_view account_id,
                               std::int64_t number, PendingAudit* audit = nullptr);
// The private key in PEM, for the data plane. Never rendered in any response.
Result<std::string> OpenPrivateKey(const Domain& domain, const Certificate& certificate);

}  // namespace openalb
