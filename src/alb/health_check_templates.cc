#include "alb/health_check_templates.h"

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/resource_name.h"
#include "alb/server_group_attributes.h"
#include "alb/server_groups.h"

namespace openalb {
namespace {

Result<HealthCheckTemplate> FindTemplateOrFail(StoreTx& tx, std::string_view account_id,
                                               std::string_view template_id) {
  auto found = tx.FindHealthCheckTemplate(account_id, template_id);
  if (!found) return Fail(found.error());
  if (!*found) return Fail(errors::HealthCheckTemplateNotFound(template_id));
  return std::move(**found);
}

}  // namespace

nlohmann::json HealthCheckTemplateFields(const HealthCheckTemplate& t) {
  auto stored = nlohmann::json::parse(t.config, nullptr, /*allow_exceptions=*/false);
  auto merged = MergeHealthCheckFields(stored, nlohmann::json::object(), "");
  return merged ? *merged : nlohmann::json::object();
}

Result<std::string> CreateHealthCheckTemplate(const Domain& domain,
                                              const HealthCheckTemplateRequest& request) {
  if (!request.name || request.name->empty()) {
    return Fail(errors::MissingParameter("HealthCheckTemplateName"));
  }
  if (auto r = ValidateResourceName(*request.name, "HealthCheckTemplateName"); !r)
    return Fail(r.error());
  auto fields = MergeHealthCheckFields(nlohmann::json::object(), request.fields, "");
  if (!fields) return Fail(fields.error());
  const std::string& account = request.write.account_id;
  return RunDirectWrite(
      domain, request.write, api_name::kCreateHealthCheckTemplate,
      ParameterFingerprint({*request.name, request.fields.dump(), TagsFingerprint(request.tags)}),
      [&](StoreTx& tx) -> Result<std::string> {
        HealthCheckTemplate t{NewHealthCheckTemplateId(domain.random), account, *request.name,
                              fields->dump(), domain.NowMs()};
        if (auto r = tx.InsertHealthCheckTemplate(t); !r) return Fail(r.error());
        if (auto r =
                PutResourceTags(tx, account, "healthchecktemplate", t.template_id, request.tags);
            !r) {
          return Fail(r.error());
        }
        return t.template_id;
      });
}

Result<void> UpdateHealthCheckTemplate(const Domain& domain,
                                       const HealthCheckTemplateRequest& request) {
  if (request.name) {
    if (auto r = ValidateResourceName(*request.name, "HealthCheckTemplateName"); !r)
      return Fail(r.error());
  }
  auto done = RunDirectWrite(
      domain, request.write, api_name::kUpdateHealthCheckTemplateAttribute,
      ParameterFingerprint(
          {request.template_id, request.name.value_or("\x01"), request.fields.dump()}),
      [&](StoreTx& tx) -> Result<std::string> {
        auto t = FindTemplateOrFail(tx, request.write.account_id, request.template_id);
        if (!t) return Fail(t.error());
        auto stored = nlohmann::json::parse(t->config, nullptr, /*allow_exceptions=*/false);
        auto fields = MergeHealthCheckFields(stored, request.fields, "");
        if (!fields) return Fail(fields.error());
        if (request.name) t->name = *request.name;
        t->config = fields->dump();
        if (auto r = tx.UpdateHealthCheckTemplate(*t); !r) return Fail(r.error());
        return t->template_id;
      });
  if (!done) return Fail(done.error());
  return {};
}

Result<void> DeleteHealthCheckTemplates(const Domain& domain, const WriteRequest& write,
                                        const std::vector<std::string>& template_ids) {
  if (template_ids.empty()) return Fail(errors::MissingParameter("HealthCheckTemplateIds"));
  std::string joined;
  for (const auto& id : template_ids) joined += id + ",";
  auto done =
      RunDirectWrite(domain, write, api_name::kDeleteHealthCheckTemplates,
                     ParameterFingerprint({joined}), [&](StoreTx& tx) -> Result<std::string> {
                       for (const auto& id : template_ids) {
                         auto t = FindTemplateOrFail(tx, write.account_id, id);
                         if (!t) return Fail(t.error());
                         if (auto r = tx.DeleteHealthCheckTemplate(id); !r) {
                           return Fail(r.error());
                         }
                       }
                       return joined;
                     });
  if (!done) return Fail(done.error());
  return {};
}

Result<HealthCheckTemplate> GetHealthCheckTemplate(const Domain& domain,
                                                   std::string_view account_id,
                                                   std::string_view template_id) {
  return InTransaction<HealthCheckTemplate>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<HealthCheckTemplate> {
        return FindTemplateOrFail(tx, account_id, template_id);
      });
}

Result<Page<HealthCheckTemplate>> ListHealthCheckTemplates(const Domain& domain,
                                                           const HealthCheckTemplateFilter& filter,
                                                           const PageRequest& page) {
  return InTransaction<Page<HealthCheckTemplate>>(
      domain.store, TxMode::kRead, [&](StoreTx& tx) -> Result<Page<HealthCheckTemplate>> {
        return tx.ListHealthCheckTemplates(filter, page);
      });
}

Result<Job> ApplyHealthCheckTemplate(const Domain& domain, const WriteRequest& write,
                                     std::string_view template_id,
                                     std::string_view server_group_id) {
  auto t = GetHealthCheckTemplate(domain, write.account_id, template_id);
  if (!t) return Fail(t.error());
  nlohmann::json health = HealthCheckTemplateFields(*t);
  health["HealthCheckEnabled"] = true;
  UpdateServerGroupRequest request{.write = write,
                                   .server_group_id = std::string(server_group_id),
                                   .name = std::nullopt,
                                   .scheduler = std::nullopt,
                                   .attributes = {{"HealthCheckConfig", health}}};
  return UpdateServerGroupAttributeAs(domain, request,
                                      api_name::kApplyHealthCheckTemplateToServerGroup);
}

}  // namespace openalb
