#include "api/parameters.h"

#include "api/error_catalogue.h"
#include "core/percent_encoding.h"

namespace openalb {

Result<void> ParseUrlEncoded(std::string_view encoded, ParameterMap& out) {
  while (!encoded.empty()) {
    size_t amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    auto value =
        PercentDecode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) {
      return Fail(errors::InvalidParameter("query", "malformed percent-encoding"));
    }
    if (name->empty()) return Fail(errors::InvalidParameter("query", "empty parameter name"));
    if (out.size() >= kMaxParameters) {
      return Fail(errors::InvalidParameter(
          "query", "more than " + std::to_string(kMaxParameters) + " parameters"));
    }
    if (!out.emplace(std::move(*name), std::move(*value)).second) {
      return Fail(errors::InvalidParameter(pair.substr(0, eq), "given more than once"));
    }
  }
  return {};
}

}  // namespace openalb
