// Certificates and what each listener serves: SqlTx's statements for the certificates
// and listener_certificates tables.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::vector<std::string> SplitNames(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

constexpr std::string_view kCertificateColumns =
    "certificate_id, number, account_id, name, common_name, dns_names, issuer, not_before_ms, "
    "not_after_ms, key_type, key_bits, is_ca, fingerprint_sha256, chain_pem, "
    "sealed_private_key, created_ms";

Certificate ReadCertificate(const SqlStatement& s) {
  Certificate c;
  c.certificate_id = s.ColumnText(0);
  c.number = s.ColumnInt(1);
  c.account_id = s.ColumnText(2);
  c.name = s.ColumnText(3);
  c.common_name = s.ColumnText(4);
  c.dns_names = SplitNames(s.ColumnText(5));
  c.issuer = s.ColumnText(6);
  c.not_before_ms = s.ColumnInt(7);
  c.not_after_ms = s.ColumnInt(8);
  c.key_type = s.ColumnText(9);
  c.key_bits = static_cast<int>(s.ColumnInt(10));
  c.is_ca = s.ColumnInt(11) != 0;
  c.fingerprint_sha256 = s.ColumnText(12);
  c.chain_pem = s.ColumnText(13);
  c.sealed_private_key = s.ColumnText(14);
  c.created_ms = s.ColumnInt(15);
  return c;
}

constexpr std::string_view kListenerCertificateColumns =
    "listener_id, certificate_id, is_default, status, job_id";

ListenerCertificate ReadListenerCertificate(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnInt(2) != 0, s.ColumnText(3), s.ColumnText(4)};
}

}  // namespace

// Certificates.

Result<void> SqlTx::InsertCertificate(const Certificate& c) {
  return RunOne(db_,
                "INSERT INTO certificates(" + std::string(kCertificateColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, c.certificate_id)
                      .Bind(2, c.number)
                      .Bind(3, c.account_id)
                      .Bind(4, c.name)
                      .Bind(5, c.common_name)
                      .Bind(6, JoinNames(c.dns_names))
                      .Bind(7, c.issuer)
                      .Bind(8, c.not_before_ms)
                      .Bind(9, c.not_after_ms)
                      .Bind(10, c.key_type)
                      .Bind(11, std::int64_t{c.key_bits})
                      .Bind(12, std::int64_t{c.is_ca ? 1 : 0})
                      .Bind(13, c.fingerprint_sha256)
                      .Bind(14, c.chain_pem)
                      .BindBlob(15, c.sealed_private_key)
                      .Bind(16, c.created_ms);
                });
}

Result<std::optional<Certificate>> SqlTx::FindCertificate(std::string_view account_id,
                                                          std::string_view id) {
  return FindOne<Certificate>(
      db_,
      "SELECT " + std::string(kCertificateColumns) +
          " FROM certificates WHERE certificate_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadCertificate);
}

Result<std::optional<Certificate>> SqlTx::FindCertificateByNumber(std::string_view account_id,
                                                                  std::int64_t number) {
  return FindOne<Certificate>(
      db_,
      "SELECT " + std::string(kCertificateColumns) +
          " FROM certificates WHERE number = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, number).Bind(2, account_id); }, ReadCertificate);
}

Result<bool> SqlTx::CertificateNumberTaken(std::int64_t number) {
  auto n = CountOf(db_, "SELECT COUNT(*) FROM certificates WHERE number = ?",
                   [&](SqlStatement& s) { s.Bind(1, number); });
  if (!n) return Fail(n.error());
  return *n > 0;
}

Result<void> SqlTx::DeleteCertificate(std::string_view id) {
  return RunOne(db_, "DELETE FROM certificates WHERE certificate_id = ?",
                [&](SqlStatement& s) { s.Bind(1, id); });
}

Result<Page<Certificate>> SqlTx::ListCertificates(std::string_view account_id,
                                                  const PageRequest& page) {
  Where where;
  where.Eq("account_id", account_id);
  return ListPage<Certificate>(db_, "certificates", kCertificateColumns, where, "seq", false, page,
                               ReadCertificate);
}

Result<int> SqlTx::CountCertificateUses(std::string_view certificate_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM listener_certificates WHERE certificate_id = ?",
                 [&](SqlStatement& s) { s.Bind(1, certificate_id); });
}

// What listeners serve.

Result<Page<ListenerCertificate>> SqlTx::ListListenerCertificates(
    const ListenerCertificateFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("listener_id", filter.listener_id);
  where.In("certificate_id", filter.certificate_ids);
  // The default certificate sorts first (key 1); additional ones by association order.
  return ListPage<ListenerCertificate>(db_, "listener_certificates", kListenerCertificateColumns,
                                       where, "(CASE WHEN is_default = 1 THEN 1 ELSE seq + 1 END)",
                                       false, page, ReadListenerCertificate);
}

Result<void> SqlTx::InsertListenerCertificate(const ListenerCertificate& lc) {
  return RunOne(db_,
                "INSERT INTO listener_certificates(listener_id, certificate_id, is_default, "
                "status, job_id) VALUES (?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, lc.listener_id)
                      .Bind(2, lc.certificate_id)
                      .Bind(3, std::int64_t{lc.is_default ? 1 : 0})
                      .Bind(4, lc.status)
                      .Bind(5, lc.job_id);
                });
}

Result<void> SqlTx::UpdateListenerCertificate(const ListenerCertificate& lc) {
  return RunOne(db_,
                "UPDATE listener_certificates SET is_default = ?, status = ?, job_id = ? "
                "WHERE listener_id = ? AND certificate_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, std::int64_t{lc.is_default ? 1 : 0})
                      .Bind(2, lc.status)
                      .Bind(3, lc.job_id)
                      .Bind(4, lc.listener_id)
                      .Bind(5, lc.certificate_id);
                });
}

Result<void> SqlTx::DeleteListenerCertificate(std::string_view listener_id,
                                              std::string_view certificate_id) {
  return RunOne(db_,
                "DELETE FROM listener_certificates WHERE listener_id = ? AND certificate_id = ?",
                [&](SqlStatement& s) { s.Bind(1, listener_id).Bind(2, certificate_id); });
}

Result<int> SqlTx::CountAdditionalCertificates(std::string_view load_balancer_id) {
  return CountOf(
      db_,
      "SELECT COUNT(*) FROM listener_certificates lc JOIN listeners l USING (listener_id) "
      "WHERE l.load_balancer_id = ? AND lc.is_default = 0",
      [&](SqlStatement& s) { s.Bind(1, load_balancer_id); });
}

}  // namespace openalb
