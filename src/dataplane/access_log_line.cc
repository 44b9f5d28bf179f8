#include "dataplane/access_log_line.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "core/utf8.h"

namespace openalb {
namespace {

// Whether a byte must be written escaped (or checked as UTF-8 first).
bool Plain(unsigned char byte) {
  return byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\';
}

void AppendEscaped(std::string& out, std::string_view text) {
  // Most values (ids, addresses, paths, user agents) need nothing: one append.
  std::size_t plain = 0;
  while (plain < text.size() && Plain(static_cast<unsigned char>(text[plain]))) ++plain;
  out.append(text.data(), plain);
  if (plain == text.size()) return;
  const bool utf8 = IsValidUtf8(text.substr(plain));
  for (const char c : text.substr(plain)) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (byte < 0x20 || byte == 0x7f || (byte >= 0x80 && !utf8)) {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
      out.append(escaped, sizeof escaped);
    } else {
      out += c;
    }
  }
}

void Text(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":\"";
  AppendEscaped(out, value);
  out += '"';
}

void AppendDigits(std::string& out, std::uint64_t value, int width = 0) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  for (auto n = end - digits.data(); n < width; ++n) out += '0';
  out.append(digits.data(), end);
}

void Number(std::string& out, std::string_view name, std::uint64_t value) {
  out += ",\"";
  out += name;
  out += "\":";
  AppendDigits(out, value);
}

// Seconds with millisecond precision, as ALB's request_time is written ("0.012").
void Seconds(std::string& out, std::string_view name, std::chrono::microseconds value) {
  out += ",\"";
  out += name;
  out += "\":";
  if (value.count() < 0) {
    out += "null";
    return;
  }
  const auto millis = static_cast<std::uint64_t>((value.count() + 500) / 1000);
  AppendDigits(out, millis / 1000);
  out += '.';
  AppendDigits(out, millis % 1000, 3);
}

// ISO 8601 with milliseconds; the text up to the second is kept per thread, as most lines
// of a busy second share it.
void Time(std::string& out, std::chrono::system_clock::time_point time) {
  const auto since = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds);
  thread_local std::int64_t cached_second = -1;
  thread_local std::array<char, 64> cached{};
  if (seconds.count() != cached_second) {
    const std::time_t t = seconds.count();
    std::tm utc{};
    gmtime_r(&t, &utc);
    std::snprintf(cached.data(), cached.size(), "%04d-%02d-%02dT%02d:%02d:%02d.",
                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                  utc.tm_sec);
    cached_second = seconds.count();
  }
  out += "{\"time\":\"";
  out += cached.data();
  AppendDigits(out, static_cast<std::uint64_t>(millis.count()), 3);
  out += "Z\"";
}

}  // namespace

std::string FormatAccessLogLine(const AccessLogFields& fields) {
  std::string out;
  out.reserve(512);
  AppendAccessLogLine(out, fields);
  return out;
}

void AppendAccessLogLine(std::string& out, const AccessLogFields& f) {
  Time(out, f.time);
  Text(out, "slbid", f.load_balancer_id);
  Text(out, "listener_id", f.listener_id);
  Number(out, "slb_vport", static_cast<std::uint64_t>(f.listener_port));
  Text(out, "client_ip", f.client_ip);
  Number(out, "client_port", static_cast<std::uint64_t>(f.client_port));
  if (!f.tls_version.empty()) {
    Text(out, "sni", f.sni);
    Text(out, "ssl_protocol", f.tls_version);
    Text(out, "ssl_cipher", f.tls_cipher);
    Text(out, "certificate_id", f.certificate_id);
  }
  Text(out, "request_method", f.method);
  Text(out, "request_uri", f.uri);
  Text(out, "server_protocol", f.protocol);
  Text(out, "host", f.host);
  Number(out, "status", f.status);
  Number(out, "request_length", f.request_length);
  Number(out, "body_bytes_sent", f.body_bytes_sent);
  Text(out, "upstream_addr", f.upstream_addr);
  if (f.upstream_status == 0) {
    out += ",\"upstream_status\":null";
  } else {
    Number(out, "upstream_status", f.upstream_status);
  }
  Seconds(out, "request_time", f.request_time);
  Seconds(out, "upstream_response_time", f.upstream_response_time);
  Text(out, "http_x_forwarded_for", f.x_forwarded_for);
  Text(out, "http_user_agent", f.user_agent);
  Text(out, "http_referer", f.referer);
  Text(out, "xtrace", f.trace_id);
  if (f.headers != nullptr) {
    out += ",\"request_headers\":{";
    bool first = true;
    for (const auto& [name, value] : *f.headers) {
      if (IsCredentialHeader(name)) continue;
      if (!first) out += ',';
      first = false;
      out += '"';
      AppendEscaped(out, name);
      out += "\":\"";
      AppendEscaped(out, value);
      out += '"';
    }
    out += '}';
  }
  out += "}\n";
}

std::string_view TraceIdOf(std::string_view b3_trace_id, std::string_view traceparent) {
  if (!b3_trace_id.empty()) return b3_trace_id.substr(0, 64);
  // version "-" trace-id "-" parent-id "-" flags
  const auto first = traceparent.find('-');
  if (first == std::string_view::npos) return {};
  const auto second = traceparent.find('-', first + 1);
  if (second == std::string_view::npos) return {};
  return traceparent.substr(first + 1, std::min<std::size_t>(second - first - 1, 64));
}

std::string AddressPort(std::string_view ip, int port) {
  std::string out;
  if (ip.find(':') != std::string_view::npos) {
    out.append("[").append(ip).append("]");
  } else {
    out.append(ip);
  }
  return out.append(":").append(std::to_string(port));
}

bool IsNamed(std::string_view name, std::string_view lower) {
  return boost::beast::iequals(name, lower);
}

bool IsCredentialHeader(std::string_view name) {
  return IsNamed(name, "authorization") || IsNamed(name, "proxy-authorization") ||
         IsNamed(name, "cookie");
}

}  // namespace openalb
