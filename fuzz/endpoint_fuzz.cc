// libFuzzer target: the whole OpenAPI request path, bytes to reply, over a real SQLite
// store (tests/support/api_harness). The first input byte chooses how the rest is read:
//   even: a raw request — "METHOD TARGET\n", then "name: value" header lines, a blank line,
//         then the body — sent unsigned (parsing, format choice, authentication refusals);
//   odd:  "name=value" lines signed with the harness's key (V1), so every action handler
//         meets arbitrary parameters: flattened and JSON arrays, escapes, huge numbers.
// Any crash, sanitizer report or a reply without a status is a finding.
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "support/api_harness.h"

namespace {

openalb::testing::ApiHarness& Harness() {
  static auto* harness = new openalb::testing::ApiHarness();
  return *harness;
}

std::string_view NextLine(std::string_view& rest) {
  size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

openalb::HttpReply Raw(std::string_view input) {
  std::string_view rest = input;
  std::string_view first = NextLine(rest);
  size_t space = first.find(' ');
  openalb::HttpRequestView request;
  request.method = std::string(first.substr(0, space));
  request.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  while (!rest.empty()) {
    std::string_view line = NextLine(rest);
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(value));
  }
  request.body = std::string(rest);
  request.remote_ip = "127.0.0.1";
  return Harness().Send(request);
}

openalb::HttpReply Signed(std::string_view input) {
  std::map<std::string, std::string> params;
  std::string_view rest = input;
  while (!rest.empty() && params.size() < 2000) {
    std::string_view line = NextLine(rest);
    size_t equals = line.find('=');
    params[std::string(line.substr(0, equals))] =
        equals == std::string_view::npos ? "" : std::string(line.substr(equals + 1));
  }
  auto& harness = Harness();
  // Nonces are remembered for the skew window and the cache is bounded: move the clock on
  // now and then, or after enough inputs every signed request would meet a full cache.
  static int signed_inputs = 0;
  if (++signed_inputs % 10000 == 0) harness.clock().Advance(std::chrono::hours(1));
  params["SignatureNonce"] = harness.NextNonce();
  return harness.Send(harness.SignedPost(std::move(params)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  openalb::HttpReply reply = (data[0] & 1) != 0 ? Signed(input) : Raw(input);
  if (reply.status < 200 || reply.status > 599 || reply.body.empty()) std::abort();
  return 0;
}
