#include "api/parameter_reader.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>

#include "api/error_catalogue.h"

namespace openalb {
namespace {

// Parses the decimal index of a flattened array element; 0 on anything malformed.
size_t ParseIndex(std::string_view digits, size_t max_items) {
  if (digits.empty() || digits.size() > 6 || digits[0] == '0') return 0;
  size_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return 0;
  return value <= max_items ? value : 0;
}

std::string TooMany(size_t max_items) {
  return "at most " + std::to_string(max_items) + " entries are allowed";
}

// `Name.N<rest>` entries by index: index → (rest → value), `rest` being "" or ".Field".
using FlattenedItems = std::map<size_t, std::map<std::string, std::string, std::less<>>>;

Result<FlattenedItems> CollectFlattened(const ParameterMap& params, std::string_view name,
                                        size_t max_items) {
  FlattenedItems items;
  std::string prefix = std::string(name) + ".";
  for (auto it = params.lower_bound(prefix); it != params.end(); ++it) {
    std::string_view key = it->first;
    if (!key.starts_with(prefix)) break;
    std::string_view tail = key.substr(prefix.size());
    size_t dot = tail.find('.');
    std::string_view digits = tail.substr(0, dot);
    size_t index = ParseIndex(digits, max_items);
    if (index == 0) {
      bool numeric = !digits.empty() && digits.find_first_not_of("0123456789") == digits.npos;
      return Fail(errors::InvalidParameter(
          key, numeric ? TooMany(max_items) + " (indexes start at 1)" : "malformed array index"));
    }
    std::string rest = dot == std::string_view::npos ? "" : std::string(tail.substr(dot));
    items[index][rest] = it->second;
  }
  return items;
}

}  // namespace

std::optional<std::string_view> ParameterReader::Get(std::string_view name) const {
  auto it = params_.find(name);
  if (it == params_.end()) return std::nullopt;
  return std::string_view(it->second);
}

Result<std::string> ParameterReader::Required(std::string_view name) const {
  auto value = Get(name);
  if (!value || value->empty()) return Fail(errors::MissingParameter(name));
  return std::string(*value);
}

Result<std::optional<bool>> ParameterReader::Bool(std::string_view name) const {
  auto value = Get(name);
  if (!value) return std::optional<bool>{};
  std::string lower;
  for (char c : *value)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "true") return std::optional<bool>{true};
  if (lower == "false") return std::optional<bool>{false};
  return Fail(errors::InvalidParameter(name, "expected true or false"));
}

Result<std::optional<std::int64_t>> ParameterReader::Integer(std::string_view name,
                                                             std::int64_t min,
                                                             std::int64_t max) const {
  auto value = Get(name);
  if (!value) return std::optional<std::int64_t>{};
  std::int64_t parsed = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (value->empty() || ec != std::errc() || ptr != value->data() + value->size() || parsed < min ||
      parsed > max) {
    return Fail(errors::InvalidParameter(
        name, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max)));
  }
  return std::optional<std::int64_t>{parsed};
}

namespace {

// An array parameter as sent: either its JSON form, parsed and checked to be an array of
// at most `max_items`, or its flattened Name.N entries (both at once is refused).
struct ArrayParameter {
  std::optional<nlohmann::json> json;
  FlattenedItems flattened;
};

Result<ArrayParameter> ReadArrayParameter(const ParameterMap& params, std::string_view name,
                                          size_t max_items, std::string_view expected_shape) {
  auto flattened = CollectFlattened(params, name, max_items);
  if (!flattened) return Fail(flattened.error());
  auto json_form = params.find(name);
  if (json_form == params.end()) return ArrayParameter{std::nullopt, std::move(*flattened)};
  if (!flattened->empty()) {
    return Fail(errors::InvalidParameter(
        name, "given both as a JSON array and as " + std::string(name) + ".N entries"));
  }
  auto parsed = nlohmann::json::parse(json_form->second, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    return Fail(errors::InvalidParameter(name, expected_shape));
  }
  if (parsed.size() > max_items) return Fail(errors::InvalidParameter(name, TooMany(max_items)));
  return ArrayParameter{std::move(parsed), {}};
}

}  // namespace

namespace {

// Adds `value` under `path` to `object`, nested objects and arrays as dotted paths.
bool FlattenJson(const nlohmann::json& value, const std::string& path, int depth,
                 ParameterObject& object) {
  if (value.is_string()) {
    object[path] = value.get<std::string>();
    return true;
  }
  if (value.is_number_integer() || value.is_boolean()) {
    object[path] = value.dump();
    return true;
  }
  if (depth == 0) return false;
  if (value.is_object()) {
    for (const auto& [field, inner] : value.items()) {
      if (!FlattenJson(inner, path + "." + field, depth - 1, object)) return false;
    }
    return true;
  }
  if (value.is_array()) {
    size_t index = 0;
    for (const auto& inner : value) {
      if (!FlattenJson(inner, path + "." + std::to_string(++index), depth - 1, object)) {
        return false;
      }
    }
    return true;
  }
  return false;
}

}  // namespace

Result<std::vector<ParameterObject>> ParameterReader::NestedObjectList(std::string_view name,
                                                                       size_t max_items) const {
  constexpr std::string_view kShape = "expected a JSON array of objects";
  auto array = ReadArrayParameter(params_, name, max_items, kShape);
  if (!array) return Fail(array.error());
  std::vector<ParameterObject> out;
  if (array->json) {
    for (const auto& element : *array->json) {
      if (!element.is_object()) return Fail(errors::InvalidParameter(name, kShape));
      ParameterObject flat;
      if (!FlattenJson(element, "", 6, flat)) {
        return Fail(errors::InvalidParameter(name, "too deeply nested or a null/float field"));
      }
      ParameterObject object;
      for (auto& [path, value] : flat) object[path.substr(1)] = std::move(value);
      out.push_back(std::move(object));
    }
    return out;
  }
  for (auto& [index, fields] : array->flattened) {
    ParameterObject object;
    for (auto& [rest, value] : fields) {
      if (rest.size() < 2) {
        return Fail(errors::InvalidParameter(std::string(name) + "." + std::to_string(index),
                                             "expected Name.N.Field"));
      }
      object[rest.substr(1)] = value;
    }
    out.push_back(std::move(object));
  }
  return out;
}

Result<std::vector<ParameterObject>> ParameterReader::ObjectList(std::string_view name,
                                                                 size_t max_items) const {
  auto objects = NestedObjectList(name, max_items);
  if (!objects) return objects;
  for (size_t i = 0; i < objects->size(); ++i) {
    for (const auto& [field, value] : (*objects)[i]) {
      if (field.find('.') != std::string::npos) {  // a nested object or array
        return Fail(
            errors::InvalidParameter(std::string(name) + "." + std::to_string(i + 1) + "." + field,
                                     "expected Name.N.Field with a string value"));
      }
    }
  }
  return objects;
}

Result<std::vector<std::string>> ParameterReader::StringList(std::string_view name,
                                                             size_t max_items) const {
  constexpr std::string_view kShape = "expected a JSON array of strings";
  auto array = ReadArrayParameter(params_, name, max_items, kShape);
  if (!array) return Fail(array.error());
  std::vector<std::string> out;
  if (array->json) {
    for (const auto& element : *array->json) {
      if (!element.is_string()) return Fail(errors::InvalidParameter(name, kShape));
      out.push_back(element.get<std::string>());
    }
    return out;
  }
  for (auto& [index, fields] : array->flattened) {
    if (fields.size() != 1 || !fields.begin()->first.empty()) {
      return Fail(errors::InvalidParameter(std::string(name) + "." + std::to_string(index),
                                           "expected Name.N=value"));
    }
    out.push_back(fields.begin()->second);
  }
  return out;
}

}  // namespace openalb

namespace openalb {

std::vector<std::pair<std::string, std::string>> ParameterReader::WithPrefix(
    std::string_view prefix) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = params_.lower_bound(prefix); it != params_.end() && it->first.starts_with(prefix);
       ++it) {
    out.emplace_back(it->first.substr(prefix.size()), it->second);
  }
  return out;
}

}  // namespace openalb
