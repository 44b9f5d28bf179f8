#include "api/access_log.h"

#include <fmt/format.h>

namespace openalb {
namespace {

// Client-chosen text in a log line: at most 64 characters of [A-Za-z0-9._:-], anything else
// written as '?', "-" when empty. Formatted straight into the log buffer, allocating nothing.
struct Token {
  std::string_view raw;
};

}  // namespace
}  // namespace openalb

template <>
struct fmt::formatter<openalb::Token> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const openalb::Token& token, FormatContext& ctx) const -> decltype(ctx.out()) {
    auto out = ctx.out();
    if (token.raw.empty()) {
      *out++ = '-';
      return out;
    }
    for (char c : token.raw.substr(0, 64)) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == ':' || c == '-';
      *out++ = ok ? c : '?';
    }
    return out;
  }
};

namespace openalb {

void WriteAccessLog(spdlog::logger& log, const AccessLogEntry& e) {
  if (!log.should_log(spdlog::level::info)) return;
  log.info(
      "event=request request_id={} method={} action={} access_key_id={} remote={} status={} "
      "code={} latency_us={}",
      Token{e.request_id}, Token{e.method}, Token{e.action}, Token{e.access_key_id},
      Token{e.remote_ip}, e.status, Token{e.code}, e.latency.count());
}

}  // namespace openalb
