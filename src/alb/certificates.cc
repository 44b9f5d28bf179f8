#include "alb/certificates.h"

#include "alb/alb_errors.h"
#include "alb/certificate_pem.h"
#include "alb/ids.h"
#include "alb/write_request.h"

namespace openalb {
namespace {

std::int64_t ToMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string NumberText(std::int64_t number) { return std::to_string(number); }

}  // namespace

Result<Certificate> ImportCertificate(const Domain& domain, const CertificateImport& request,
                                      PendingAudit* audit) {
  if (request.name.empty()) return Fail(errors::MissingParameter("Name"));
  if (request.name.size() > 128) {
    return Fail(errors::InvalidParameter("Name", "it is longer than 128 characters"));
  }
  auto validated = ValidateCertificatePem(request.chain_pem, request.key_pem, domain.clock.Now());
  if (!validated) return Fail(validated.error());
  Certificate certificate;
  certificate.account_id = request.account_id;
  certificate.name = request.name;
  certificate.common_name = validated->common_name;
  certificate.dns_names = validated->dns_names;
  certificate.issuer = validated->issuer;
  certificate.not_before_ms = ToMs(validated->not_before);
  certificate.not_after_ms = ToMs(validated->not_after);
  certificate.key_type = validated->key_type == CertificateKeyType::kRsa ? "RSA" : "ECC";
  certificate.key_bits = validated->key_bits;
  certificate.is_ca = validated->is_ca;
  certificate.fingerprint_sha256 = validated->fingerprint_sha256;
  certificate.chain_pem = validated->chain_pem;
  certificate.created_ms = domain.NowMs();
  auto imported = InTransaction<Certificate>(
      domain.store, TxMode::kWrite, [&](StoreTx& tx) -> Result<Certificate> {
        Certificate stored = certificate;
        do {  // 90 million numbers: a clash is rare, but possible
          stored.number = NewCertificateNumber(domain.random);
          auto taken = tx.CertificateNumberTaken(stored.number);
          if (!taken) return Fail(taken.error());
          if (!*taken) break;
        } while (true);
        stored.certificate_id = CertificateIdFor(stored.number, domain.region.region_id);
        stored.sealed_private_key =
            domain.secrets.Seal(validated->private_key_pem, stored.certificate_id);
        if (auto r = tx.InsertCertificate(stored); !r) return Fail(r.error());
        if (auto r = RecordAudit(tx, audit); !r) return Fail(r.error());
        return stored;
      });
  if (imported) MarkAuditRecorded(audit);
  return imported;
}

Result<Certificate> GetCertificate(const Domain& domain, std::string_view account_id,
                                   std::int64_t number) {
  return InTransaction<Certificate>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<Certificate> {
        auto certificate = tx.FindCertificateByNumber(account_id, number);
        if (!certificate) return Fail(certificate.error());
        if (!*certificate) return Fail(errors::CertificateNotFound(NumberText(number)));
        return std::move(**certificate);
      });
}

Result<Page<Certificate>> ListCertificates(const Domain& domain, std::string_view account_id,
                                           const PageRequest& page) {
  return InTransaction<Page<Certificate>>(domain.store, TxMode::kRead, [&](StoreTx& tx) {
    return tx.ListCertificates(account_id, page);
  });
}

Result<void> DeleteCertificate(const Domain& domain, std::string_view account_id,
                               std::int64_t number, PendingAudit* audit) {
  auto deleted = domain.store.Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    auto certificate = tx.FindCertificateByNumber(account_id, number);
    if (!certificate) return Fail(certificate.error());
    if (!*certificate) return Fail(errors::CertificateNotFound(NumberText(number)));
    auto uses = tx.CountCertificateUses((*certificate)->certificate_id);
    if (!uses) return Fail(uses.error());
    if (*uses > 0) return Fail(errors::CertificateInUse((*certificate)->certificate_id));
    if (auto r = tx.DeleteCertificate((*certificate)->certificate_id); !r) return r;
    return RecordAudit(tx, audit);
  });
  if (deleted) MarkAuditRecorded(audit);
  return deleted;
}

Result<std::string> OpenPrivateKey(const Domain& domain, const Certificate& certificate) {
  return domain.secrets.Open(certificate.sealed_private_key, certificate.certificate_id);
}

}  // namespace openalb
