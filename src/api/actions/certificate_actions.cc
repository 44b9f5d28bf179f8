#include "api/actions/certificate_actions.h"

#include "alb/api_names.h"
#include "alb/certificates.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"

namespace openalb {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

// What CAS tells about a certificate; never its private key.
Json CertificateSummary(const Certificate& c, std::int64_t now_ms) {
  Json out;
  out["Name"] = c.name;
  out["Common"] = c.common_name;
  out["Sans"] = JoinNames(c.dns_names);
  out["Issuer"] = c.issuer;
  out["StartDate"] = IsoTime(c.not_before_ms).substr(0, 10);
  out["EndDate"] = IsoTime(c.not_after_ms).substr(0, 10);
  out["Expired"] = c.not_after_ms < now_ms;
  out["Fingerprint"] = c.fingerprint_sha256;
  out["CertIdentifier"] = c.certificate_id;  // the id ALB listeners take
  return out;
}

Result<Json> UploadUserCertificateAction(ActionContext& context) {
  CertificateImport request{.account_id = context.request.caller.account_id,
                            .name = std::string(*context.params.Get("Name")),
                            .chain_pem = std::string(*context.params.Get("Cert")),
                            .key_pem = std::string(*context.params.Get("Key"))};
  auto certificate = ImportCertificate(context.services.domain, request, context.audit);
  if (!certificate) return Fail(certificate.error());
  Json body;
  body["CertId"] = certificate->number;
  body["CertIdentifier"] = certificate->certificate_id;
  return body;
}

Result<Json> GetUserCertificateDetailAction(ActionContext& context) {
  auto number = ReadCanonicalCertificateNumber(context, "CertId");
  if (!number) return Fail(number.error());
  auto certificate =
      GetCertificate(context.services.domain, context.request.caller.account_id, *number);
  if (!certificate) return Fail(certificate.error());
  Json body = CertificateSummary(*certificate, context.services.domain.NowMs());
  body["Id"] = certificate->number;
  body["Cert"] = certificate->chain_pem;
  return body;
}

Result<Json> ListUserCertificateOrderAction(ActionContext& context) {
  auto current_page = context.params.Integer("CurrentPage", 1, 1'000'000);
  if (!current_page) return Fail(current_page.error());
  auto show_size = context.params.Integer("ShowSize", 1, 100);
  if (!show_size) return Fail(show_size.error());
  const int size = static_cast<int>(show_size->value_or(50));
  const std::int64_t wanted = current_page->value_or(1);
  // CAS pages by number; the store pages by position, so walk to the page asked for.
  PageRequest page{.after = 0, .limit = size};
  std::vector<Certificate> items;
  std::int64_t total = 0;
  for (std::int64_t n = 1;; ++n) {
    auto found = ListCertificates(context.services.domain, context.request.caller.account_id, page);
    if (!found) return Fail(found.error());
    total = found->total;
    if (n == wanted) {
      items = std::move(found->items);
      break;
    }
    if (!found->next) break;  // past the last page: an empty list
    page.after = *found->next;
  }
  Json body;
  body["CertificateOrderList"] = Json::array();
  for (const auto& certificate : items) {
    Json entry = CertificateSummary(certificate, context.services.domain.NowMs());
    entry["CertificateId"] = certificate.number;
    entry["CommonName"] = certificate.common_name;
    entry["Status"] = "ISSUED";
    entry["Upload"] = true;
    body["CertificateOrderList"].push_back(std::move(entry));
  }
  body["TotalCount"] = total;
  body["CurrentPage"] = wanted;
  body["ShowSize"] = size;
  return body;
}

Result<Json> DeleteUserCertificateAction(ActionContext& context) {
  auto number = ReadCanonicalCertificateNumber(context, "CertId");
  if (!number) return Fail(number.error());
  auto deleted = DeleteCertificate(context.services.domain, context.request.caller.account_id,
                                   *number, context.audit);
  if (!deleted) return Fail(deleted.error());
  return Json::object();
}

}  // namespace

void RegisterCertificateActions(ActionTable& table) {
  table.Add(CasAction(api_name::kUploadUserCertificate, AccessLevel::kWrite,
                      {"Name", "Cert", "Key"}, NewResource("yundun-cert", "certificate"),
                      UploadUserCertificateAction));
  table.Add(CasAction(api_name::kGetUserCertificateDetail, AccessLevel::kRead, {"CertId"},
                      CertificateNamedBy("CertId"), GetUserCertificateDetailAction));
  table.Add(CasAction(api_name::kListUserCertificateOrder, AccessLevel::kList, {},
                      AllResources("yundun-cert"), ListUserCertificateOrderAction));
  table.Add(CasAction(api_name::kDeleteUserCertificate, AccessLevel::kDelete, {"CertId"},
                      CertificateNamedBy("CertId"), DeleteUserCertificateAction));
}

}  // namespace openalb
