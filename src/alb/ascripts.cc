#include "alb/ascripts.h"

#include <algorithm>

#include "alb/alb_errors.h"
#include "alb/api_names.h"
#include "alb/ids.h"
#include "alb/jobs.h"
#include "alb/json_fields.h"
#include "alb/listeners.h"
#include "alb/resource_name.h"

namespace openalb {
namespace {

using ScriptJson = nlohmann::json;

constexpr size_t kMaxScriptContent = 16 * 1024;
constexpr size_t kMaxExtAttributes = 10;

ApiError AScriptNotFound(std::string_view id) {
  return ApiError{
      "ResourceNotFound.AScript",
      404,
      "The specified resource ascript " + std::string(id.substr(0, 128)) + " is not found.",
      {}};
}

ApiError IncorrectAScriptStatus(std::string_view id, std::string_view status) {
  return ApiError{"IncorrectStatus.AScript",
                  400,
                  "The status of ascript [" + std::string(id.substr(0, 128)) +
                      "] is incorrect: it is " + std::string(status) + ".",
                  {}};
}

// `spec` with the input's fields laid over it; the name goes to `name`.
Result<ScriptJson> MergeSpec(ScriptJson spec, const AScriptInput& input, std::string& name) {
  ScriptJson attributes = ScriptJson::array();
  bool attributes_given = false;
  for (const auto& [field, value] : input) {
    if (field == "AScriptId") continue;
    if (field == "AScriptName") {
      if (auto r = ValidateResourceName(value, "AScripts.N.AScriptName"); !r) {
        return Fail(r.error());
      }
      name = value;
    } else if (field == "ScriptContent") {
      if (value.empty() || value.size() > kMaxScriptContent) {
        return Fail(errors::InvalidParameter("AScripts.N.ScriptContent", "1 to 16384 characters"));
      }
      spec[field] = value;
    } else if (field == "Enabled" || field == "ExtAttributeEnabled") {
      auto b = JsonBool(value, "AScripts.N." + field);
      if (!b) return Fail(b.error());
      spec[field] = *b;
    } else if (field == "Position") {
      if (value != "RequestHead" && value != "RequestFoot" && value != "ResponseHead") {
        return Fail(errors::InvalidParameter("AScripts.N.Position",
                                             "it is RequestHead, RequestFoot or ResponseHead"));
      }
      spec[field] = value;
    } else if (field.starts_with("ExtAttributes.")) {
      // ExtAttributes.<n>.AttributeKey / .AttributeValue
      const std::string rest = field.substr(14);
      const size_t dot = rest.find('.');
      const std::string index = rest.substr(0, dot);
      const std::string key = dot == std::string::npos ? "" : rest.substr(dot + 1);
      if (index.empty() || index.size() > 2 ||
          !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          std::stoul(index) < 1 || std::stoul(index) > kMaxExtAttributes ||
          (key != "AttributeKey" && key != "AttributeValue") || value.size() > 128) {
        return Fail(errors::InvalidParameter("AScripts.N." + field, "unknown or too long"));
      }
      attributes_given = true;
      const size_t i = std::stoul(index) - 1;
      while (attributes.size() <= i) attributes.push_back(ScriptJson::object());
      attributes[i][key] = value;
    } else {
      return Fail(errors::InvalidParameter("AScripts.N." + field, "unknown field"));
    }
  }
  if (attributes_given) spec["ExtAttributes"] = std::move(attributes);
  return spec;
}

// The request's scripts, 1..kAScriptsPerCall of them, as one string for its ClientToken.
Result<std::string> ScriptsFingerprint(const std::vector<AScriptInput>& scripts) {
  if (scripts.empty()) return Fail(errors::MissingParameter("AScripts"));
  if (static_cast<int>(scripts.size()) > kAScriptsPerCall) {
    return Fail(errors::InvalidParameter("AScripts", "at most 10 scripts per call"));
  }
  std::string fingerprint;
  for (const auto& input : scripts) {
    for (const auto& [k, v] : input) fingerprint += k + "=" + v + "\n";
    fingerprint += "\x01";
  }
  return fingerprint;
}

std::vector<std::string> ScriptIdsOf(const Job& job) {
  std::vector<std::string> ids;
  if (auto list = JobPayloadObject(job, "AScriptIds"); list && list->is_array()) {
    for (const auto& id : *list) ids.push_back(id.get<std::string>());
  }
  return ids;
}

}  // namespace

Result<CreatedAScripts> CreateAScripts(const Domain& domain, const WriteRequest& write,
                                       std::string_view listener_id,
                                       const std::vector<AScriptInput>& scripts) {
  auto fingerprint = ScriptsFingerprint(scripts);
  if (!fingerprint) return Fail(fingerprint.error());
  const std::string& account = write.account_id;
  auto job = RunJobWrite(
      domain, write, api_name::kCreateAScripts, ParameterFingerprint({listener_id, *fingerprint}),
      [&](StoreTx& tx) -> Result<Job> {
        auto listener = FindListenerOrFail(tx, account, listener_id);
        if (!listener) return Fail(listener.error());
        auto existing =
            tx.ListAScripts({.account_id = account, .listener_ids = {std::string(listener_id)}},
                            {.after = 0, .limit = 1});
        if (!existing) return Fail(existing.error());
        if (existing->total + static_cast<std::int64_t>(scripts.size()) > kAScriptsPerListener) {
          return Fail(ApiError{"QuotaExceeded.AScriptsNum",
                               400,
                               "The quota of ascripts of listener " + std::string(listener_id) +
                                   " is exceeded: at most 50.",
                               {}});
        }
        // The job is the scripts', not the listener's: nothing it does is served, and the
        // listener stays free for changes of its own. Its resource is the first script.
        Job job = MakeJob(domain, account, api_name::kCreateAScripts, job_kind::kCreate,
                          job_kind::kAScript, "");
        ScriptJson ids = ScriptJson::array();
        for (const auto& input : scripts) {
          std::string name;
          auto spec = MergeSpec({{"Enabled", false},
                                 {"Position", "RequestHead"},
                                 {"LoadBalancerId", listener->load_balancer_id}},
                                input, name);
          if (!spec) return Fail(spec.error());
          if (name.empty()) return Fail(errors::MissingParameter("AScripts.N.AScriptName"));
          if (!spec->contains("ScriptContent")) {
            return Fail(errors::MissingParameter("AScripts.N.ScriptContent"));
          }
          AScript script{NewAScriptId(domain.random),
                         account,
                         std::string(listener_id),
                         name,
                         std::string(status::kCreating),
                         spec->dump(),
                         job.job_id,
                         domain.NowMs()};
          if (auto r = tx.InsertAScript(script); !r) return Fail(r.error());
          if (ids.empty()) job.resource_id = script.ascript_id;
          ids.push_back(script.ascript_id);
        }
        job.payload = ScriptJson{{"AScriptIds", ids}}.dump();
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
  if (!job) return Fail(job.error());
  // The scripts the job made, read back (a replayed ClientToken answers the same ones).
  return InTransaction<CreatedAScripts>(domain.store, TxMode::kRead,
                                        [&](StoreTx& tx) -> Result<CreatedAScripts> {
                                          CreatedAScripts out{*job, {}};
                                          for (const auto& id : ScriptIdsOf(*job)) {
                                            auto script = tx.FindAScript(account, id);
                                            if (!script) return Fail(script.error());
                                            if (*script) out.scripts.push_back(std::move(**script));
                                          }
                                          return out;
                                        });
}

Result<Job> UpdateAScripts(const Domain& domain, const WriteRequest& write,
                           const std::vector<AScriptInput>& scripts) {
  auto fingerprint = ScriptsFingerprint(scripts);
  if (!fingerprint) return Fail(fingerprint.error());
  const std::string& account = write.account_id;
  return RunJobWrite(
      domain, write, api_name::kUpdateAScripts, ParameterFingerprint({*fingerprint}),
      [&](StoreTx& tx) -> Result<Job> {
        std::vector<AScript> changed;
        for (const auto& input : scripts) {
          auto id = input.find("AScriptId");
          if (id == input.end() || id->second.empty()) {
            return Fail(errors::MissingParameter("AScripts.N.AScriptId"));
          }
          auto found = tx.FindAScript(account, id->second);
          if (!found) return Fail(found.error());
          if (!*found) return Fail(AScriptNotFound(id->second));
          AScript script = std::move(**found);
          if (script.status != status::kAvailable) {
            return Fail(IncorrectAScriptStatus(script.ascript_id, script.status));
          }
          auto spec = MergeSpec(ScriptJson::parse(script.spec, nullptr, false), input, script.name);
          if (!spec) return Fail(spec.error());
          script.spec = spec->dump();
          changed.push_back(std::move(script));
        }
        Job job = MakeJob(domain, account, api_name::kUpdateAScripts, job_kind::kUpdate,
                          job_kind::kAScript, changed.front().ascript_id);
        ScriptJson ids = ScriptJson::array();
        for (auto& script : changed) {
          script.status = status::kConfiguring;
          script.job_id = job.job_id;
          if (auto r = tx.UpdateAScript(script); !r) return Fail(r.error());
          ids.push_back(script.ascript_id);
        }
        job.payload = ScriptJson{{"AScriptIds", ids}}.dump();
        if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
        return job;
      });
}

Result<Job> DeleteAScripts(const Domain& domain, const WriteRequest& write,
                           const std::vector<std::string>& ids) {
  if (ids.empty()) return Fail(errors::MissingParameter("AScriptIds"));
  if (static_cast<int>(ids.size()) > kAScriptsPerCall) {
    return Fail(errors::InvalidParameter("AScriptIds", "at most 10 scripts per call"));
  }
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  std::string joined;
  for (const auto& id : sorted) joined += id + "\n";
  const std::string& account = write.account_id;
  return RunJobWrite(domain, write, api_name::kDeleteAScripts, ParameterFingerprint({joined}),
                     [&](StoreTx& tx) -> Result<Job> {
                       std::vector<AScript> doomed;
                       for (const auto& id : ids) {
                         auto found = tx.FindAScript(account, id);
                         if (!found) return Fail(found.error());
                         if (!*found) return Fail(AScriptNotFound(id));
                         if ((*found)->status != status::kAvailable) {
                           return Fail(IncorrectAScriptStatus(id, (*found)->status));
                         }
                         doomed.push_back(std::move(**found));
                       }
                       Job job =
                           MakeJob(domain, account, api_name::kDeleteAScripts, job_kind::kDelete,
                                   job_kind::kAScript, doomed.front().ascript_id);
                       ScriptJson payload_ids = ScriptJson::array();
                       for (auto& script : doomed) {
                         script.status = status::kDeleting;
                         script.job_id = job.job_id;
                         if (auto r = tx.UpdateAScript(script); !r) return Fail(r.error());
                         payload_ids.push_back(script.ascript_id);
                       }
                       job.payload = ScriptJson{{"AScriptIds", payload_ids}}.dump();
                       if (auto r = tx.InsertJob(job); !r) return Fail(r.error());
                       return job;
                     });
}

Result<Page<AScript>> ListAScripts(const Domain& domain, const AScriptFilter& filter,
                                   const PageRequest& page) {
  return InTransaction<Page<AScript>>(domain.store, TxMode::kRead,
                                      [&](StoreTx& tx) { return tx.ListAScripts(filter, page); });
}

nlohmann::json AScriptSpecJson(const AScript& script) {
  ScriptJson spec = ScriptJson::parse(script.spec, nullptr, false);
  if (!spec.is_object()) spec = ScriptJson::object();
  if (!spec.contains("ExtAttributeEnabled")) spec["ExtAttributeEnabled"] = false;
  if (!spec.contains("ExtAttributes")) spec["ExtAttributes"] = ScriptJson::array();
  return spec;
}

bool IsAScriptJob(std::string_view api) {
  return api == api_name::kCreateAScripts || api == api_name::kUpdateAScripts ||
         api == api_name::kDeleteAScripts;
}

namespace {

// The scripts `job` marked: each becomes Available again, or goes — on success the ones it
// deletes, on failure the ones it was creating.
Result<void> SettleAScripts(StoreTx& tx, const Job& job, bool succeeded) {
  const std::string_view removed_by =
      succeeded ? api_name::kDeleteAScripts : api_name::kCreateAScripts;
  for (const auto& id : ScriptIdsOf(job)) {
    auto found = tx.FindAScript(job.account_id, id);
    if (!found) return Fail(found.error());
    if (!*found || (*found)->job_id != job.job_id) continue;  // gone with its listener
    if (job.api_name == removed_by) {
      if (auto r = tx.DeleteAScript(id); !r) return r;
      continue;
    }
    (*found)->status = status::kAvailable;
    (*found)->job_id.clear();
    if (auto r = tx.UpdateAScript(**found); !r) return r;
  }
  return {};
}

}  // namespace

Result<void> FinishAScriptJob(StoreTx& tx, const Job& job) {
  return SettleAScripts(tx, job, /*succeeded=*/true);
}

Result<void> UndoAScriptJob(StoreTx& tx, const Job& job) {
  return SettleAScripts(tx, job, /*succeeded=*/false);
}

}  // namespace openalb
