// libFuzzer target: the RAM policy parser, and evaluation of whatever it accepts; the
// compiled wildcard matcher must agree with the plain one on every pattern and text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/ram_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto policy = openalb::RamPolicy::Parse(input)) {
    for (std::string_view ip : {"10.1.2.3", "::ffff:10.1.2.3", "2001:db8::1", "not an ip"}) {
      openalb::RamRequest request{
          .action = "alb:DissociateAdditionalCertificatesFromListener",
          .resource = "acs:alb:cn-hangzhou:1234567890123456:loadbalancer/alb-1",
          .source_ip = ip,
          .secure_transport = ip.size() % 2 == 0,
          .now = std::chrono::system_clock::time_point(std::chrono::seconds(1795000000))};
      (void)policy->Evaluate(request);
    }
  }
  // "<pattern>\n<text>": both matchers, one answer.
  size_t newline = input.find('\n');
  if (newline != std::string_view::npos && newline < 256 && input.size() - newline < 1024) {
    std::string_view pattern = input.substr(0, newline);
    std::string_view text = input.substr(newline + 1);
    if (openalb::WildcardPattern(std::string(pattern)).Matches(text) !=
        openalb::WildcardMatch(pattern, text)) {
      std::abort();
    }
  }
  return 0;
}
