// AScripts, ALB's programmable scripts on a listener: CreateAScripts, UpdateAScripts and
// DeleteAScripts (jobs: the scripts Creating / Configuring / Deleting until they complete,
// then Available or gone) and ListAScripts. openalb stores and shows them, validated as ALB
// validates them, and runs none: its data plane has no script engine (the README says so).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "alb/domain.h"
#include "alb/write_request.h"
#include "core/api_error.h"
#include "store/records.h"
#include "store/store.h"

namespace openalb {

inline constexpr int kAScriptsPerCall = 10;
inline constexpr int kAScriptsPerListener = 50;

// One script of a request: AScriptName, ScriptContent, Enabled, Position,
// ExtAttributeEnabled and ExtAttributes.N.AttributeKey/AttributeValue as given (dotted paths);
// AScriptId names the script to change on Update.
using AScriptInput = std::map<std::string, std::string, std::less<>>;

struct CreatedAScripts {
  Job job;
  std::vector<AScript> scripts;  // in the order given
};
Result<CreatedAScripts> CreateAScripts(const Domain& domain, const WriteRequest& write,
                                       std::string_view listener_id,
                                       const std::vector<AScriptInput>& scripts);
Result<Job> UpdateAScripts(const Domain& domain, const WriteRequest& write,
                           const std::vector<AScriptInput>& scripts);
Result<Job> DeleteAScripts(const Domain& domain, const WriteRequest& write,
                           const std::vector<std::string>& ids);
Result<Page<AScript>> ListAScripts(const Domain& domain, const AScriptFilter& filter,
                                   const PageRequest& page);

// The spec as ListAScripts shows it (Enabled, Position, ScriptContent, ExtAttributeEnabled,
// ExtAttributes).
nlohmann::json AScriptSpecJson(const AScript& script);

bool IsAScriptJob(std::string_view api_name);
Result<void> FinishAScriptJob(StoreTx& tx, const Job& job);
Result<void> UndoAScriptJob(StoreTx& tx, const Job& job);

}  // namespace openalb
