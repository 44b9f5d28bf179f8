// ParameterReader: typed, validated access to an action's parameters for the handlers,
// so every action reports a missing or malformed parameter the same way. Arrays are
// accepted in both forms real clients send: flattened (`Certificates.1.CertificateId=…`,
// `CertificateIds.1=…`) and JSON (`Certificates=[{"CertificateId":"…"}]`, `CertificateIds=["…"]`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/parameters.h"
#include "core/api_error.h"

namespace openalb {

using ParameterObject = std::map<std::string, std::string, std::less<>>;

class ParameterReader {
 public:
  explicit ParameterReader(const ParameterMap& params) : params_(params) {}

  std::optional<std::string_view> Get(std::string_view name) const;
  // MissingParameter when absent or empty.
  Result<std::string> Required(std::string_view name) const;
  // "true"/"false" (any case); anything else is InvalidParameter.
  Result<std::optional<bool>> Bool(std::string_view name) const;
  // A decimal integer in [min, max]; anything else is InvalidParameter.
  Result<std::optional<std::int64_t>> Integer(std::string_view name, std::int64_t min,
                                              std::int64_t max) const;
  // Objects of string fields, in index order. Empty when absent. More than
  // `max_items`, an index that is not 1..max_items, a non-string field or both forms
  // at once is InvalidParameter.
  Result<std::vector<ParameterObject>> ObjectList(std::string_view name, size_t max_items) const;
  // Objects whose fields may themselves be objects or arrays (ALB's DefaultActions), each
  // flattened to dotted paths as the flattened form sends them:
  // `ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId`. The JSON form is flattened the
  // same way (arrays from 1), at most six levels deep (CreateRules:
  // Rules.N.RuleActions.M.ForwardGroupConfig.ServerGroupTuples.K.ServerGroupId).
  Result<std::vector<ParameterObject>> NestedObjectList(std::string_view name,
                                                        size_t max_items) const;
  // The parameters named `prefix` + something, as (something, value), for one flattened
  // object parameter (`XForwardedForConfig.XForwardedForEnabled=true`).
  std::vector<std::pair<std::string, std::string>> WithPrefix(std::string_view prefix) const;
  // Strings, in index order; same rules as ObjectList.
  Result<std::vector<std::string>> StringList(std::string_view name, size_t max_items) const;

 private:
  const ParameterMap& params_;
};

}  // namespace openalb
