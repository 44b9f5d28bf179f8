#include "api/actions/action_support.h"

#include <cstdlib>
#include <map>

#include <charconv>

#include "alb/api_names.h"
#include "core/common_errors.h"
#include "core/time_format.h"

namespace openalb {

Result<WriteRequest> ReadWriteRequest(const ActionContext& context) {
  WriteRequest write;
  write.account_id = context.request.caller.account_id;
  write.request_id = context.request.request_id;
  write.audit = context.audit;
  write.client_token = std::string(context.params.Get("ClientToken").value_or(""));
  auto dry_run = context.params.Bool("DryRun");
  if (!dry_run) return Fail(dry_run.error());
  write.dry_run = dry_run->value_or(false);
  return write;
}

Result<PageRequest> ReadPage(const ParameterReader& params) {
  PageRequest page;
  auto max_results = params.Integer("MaxResults", 1, 100);
  if (!max_results) return Fail(max_results.error());
  page.limit = static_cast<int>(max_results->value_or(20));
  if (auto token = params.Get("NextToken"); token && !token->empty()) {
    std::int64_t after = 0;
    auto [end, ec] = std::from_chars(token->data(), token->data() + token->size(), after);
    if (ec != std::errc() || end != token->data() + token->size() || after <= 0) {
      return Fail(errors::InvalidParameter("NextToken", "it was not returned by this server"));
    }
    page.after = after;
  }
  return page;
}

void AddPageFields(Json& body, std::int64_t total, const PageRequest& page,
                   const std::optional<std::int64_t>& next) {
  body["TotalCount"] = total;
  body["MaxResults"] = page.limit;
  if (next) body["NextToken"] = std::to_string(*next);
}

Result<std::vector<std::string>> ReadCertificateIds(const ParameterReader& params,
                                                    std::string_view name, size_t max_items) {
  auto entries = params.ObjectList(name, max_items);
  if (!entries) return Fail(entries.error());
  std::vector<std::string> ids;
  for (const auto& entry : *entries) {
    auto it = entry.find("CertificateId");
    if (it == entry.end() || it->second.empty()) {
      return Fail(errors::MissingParameter(std::string(name) + ".CertificateId"));
    }
    ids.push_back(it->second);
  }
  return ids;
}

Json JobBody(const Job& job) {
  Json body;
  body["JobId"] = job.job_id;
  return body;
}

std::string IsoTime(std::int64_t ms) {
  return FormatIso8601(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

}  // namespace openalb

namespace openalb {

ActionSpec AlbAction(std::string_view name, AccessLevel access, std::vector<std::string> required,
                     ResourceResolver resource, ActionHandler handler) {
  return {.name = std::string(name),
          .version = std::string(api_name::kAlbVersion),
          .ram_action = "alb:" + std::string(name),
          .access = access,
          .required = std::move(required),
          .resource = std::move(resource),
          .handler = std::move(handler)};
}

ActionSpec CasAction(std::string_view name, AccessLevel access, std::vector<std::string> required,
                     ResourceResolver resource, ActionHandler handler) {
  return {.name = std::string(name),
          .version = std::string(api_name::kCasVersion),
          .ram_action = "yundun-cert:" + std::string(name),
          .access = access,
          .required = std::move(required),
          .resource = std::move(resource),
          .handler = std::move(handler)};
}

Result<Json> ReadNestedObject(const ParameterReader& params, std::string_view name) {
  Json out = Json::object();
  if (auto text = params.Get(name); text && !text->empty()) {
    out = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!out.is_object()) {
      return Fail(errors::InvalidParameter(std::string(name), "expected a JSON object"));
    }
  }
  std::map<std::string, std::map<long, std::string>> lists;
  for (const auto& [key, value] : params.WithPrefix(std::string(name) + ".")) {
    const auto dot = key.find('.');
    if (dot == std::string::npos) {
      out[key] = value;
      continue;
    }
    const std::string index = key.substr(dot + 1);
    char* end = nullptr;
    const long n = std::strtol(index.c_str(), &end, 10);
    if (index.empty() || *end != '\0' || n < 1) {
      return Fail(errors::InvalidParameter(std::string(name) + "." + key, "unexpected field"));
    }
    lists[key.substr(0, dot)][n] = value;
  }
  for (const auto& [field, items] : lists) {
    Json list = Json::array();
    for (const auto& [index, value] : items) list.push_back(value);
    out[field] = std::move(list);
  }
  return out;
}

}  // namespace openalb
