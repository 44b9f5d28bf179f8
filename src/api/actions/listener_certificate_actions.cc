#include "api/actions/listener_certificate_actions.h"

#include "alb/api_names.h"
#include "alb/listener_certificates.h"
#include "api/actions/action_support.h"
#include "api/actions/resources.h"
#include "api/services.h"

namespace openalb {
namespace {

// Certificates may name more than the per-call limit; the domain reports that clearly, so
// the reader's own bound is only a guard against absurd indexes.
constexpr size_t kMaxCertificateEntries = 1000;

template <Result<std::string> (*Operation)(const Domain&, const CertificateChange&)>
Result<Json> CertificateChangeAction(ActionContext& context) {
  auto write = ReadWriteRequest(context);
  if (!write) return Fail(write.error());
  auto ids = ReadCertificateIds(context.params, "Certificates", kMaxCertificateEntries);
  if (!ids) return Fail(ids.error());
  CertificateChange change{.write = std::move(*write),
                           .listener_id = std::string(*context.params.Get("ListenerId")),
                           .certificate_ids = std::move(*ids)};
  auto job_id = Operation(context.services.domain, change);
  if (!job_id) return Fail(job_id.error());
  Json body;
  body["JobId"] = *job_id;
  return body;
}

Result<Json> ListListenerCertificatesAction(ActionContext& context) {
  auto page = ReadPage(context.params);
  if (!page) return Fail(page.error());
  auto ids = context.params.StringList("CertificateIds", 100);
  if (!ids) return Fail(ids.error());
  ListenerCertificateQuery query{
      .account_id = context.request.caller.account_id,
      .listener_id = std::string(*context.params.Get("ListenerId")),
      .certificate_type = std::string(context.params.Get("CertificateType").value_or("")),
      .certificate_ids = std::move(*ids),
      .page = *page};
  auto found = ListListenerCertificates(context.services.domain, query);
  if (!found) return Fail(found.error());
  Json body;
  body["Certificates"] = Json::array();
  for (const auto& row : found->items) {
    Json entry;
    entry["CertificateId"] = row.certificate_id;
    entry["CertificateType"] = "Server";
    entry["IsDefault"] = row.is_default;
    entry["Status"] = row.status;
    body["Certificates"].push_back(std::move(entry));
  }
  AddPageFields(body, found->total, *page, found->next);
  return body;
}

}  // namespace

void RegisterListenerCertificateActions(ActionTable& table) {
  table.Add(AlbAction(api_name::kAssociateAdditionalCertificates, AccessLevel::kWrite,
                      {"ListenerId"}, ListenerLoadBalancer(),
                      CertificateChangeAction<AssociateAdditionalCertificates>));
  table.Add(AlbAction(api_name::kDissociateAdditionalCertificates, AccessLevel::kDelete,
                      {"ListenerId"}, ListenerLoadBalancer(),
                      CertificateChangeAction<DissociateAdditionalCertificates>));
  table.Add(AlbAction(api_name::kListListenerCertificates, AccessLevel::kList, {"ListenerId"},
                      ListenerLoadBalancer(), ListListenerCertificatesAction));
}

}  // namespace openalb
