// libFuzzer target: what the signature checks parse before any key is known — the V3
// Authorization header, query strings and form bodies, percent-escapes — and the canonical
// strings both families build from them. Also holds PercentDecode(PercentEncode(x)) == x.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/parameters.h"
#include "api/signature_v1.h"
#include "api/signature_v3.h"
#include "core/percent_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The input is "<authorization header>\n<query string>"; either part may be anything.
  size_t newline = input.find('\n');
  std::string_view header = input.substr(0, newline);
  std::string_view query = newline == std::string_view::npos ? "" : input.substr(newline + 1);

  auto authorization = openalb::ParseV3Authorization(header);
  openalb::ParameterMap params;
  if (openalb::ParseUrlEncoded(query, params)) {
    openalb::HttpRequestView request;
    request.method = "POST";
    request.headers = {{"host", "alb.test"}, {"x-acs-date", std::string(header.substr(0, 64))}};
    const std::vector<std::string> signed_headers =
        authorization ? authorization->signed_headers : std::vector<std::string>{"host"};
    std::string canonical =
        openalb::CanonicalRequestV3("POST", "/", params, request, signed_headers, "e3b0c442");
    (void)openalb::SignV3("secret", openalb::StringToSignV3(canonical));
    (void)openalb::SignV1("secret&", openalb::StringToSignV1("GET", params));
  }
  auto decoded = openalb::PercentDecode(openalb::PercentEncode(input));
  if (!decoded || *decoded != input) std::abort();
  return 0;
}
