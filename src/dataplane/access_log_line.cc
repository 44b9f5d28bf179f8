#include "dataplane/access_log_line.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>

#include "core/utf8.h"

namespace openalb {
namespace {

// Whether a byte is written as it is (else escaped, or checked as UTF-8 first).
bool Plain(unsigned char byte) {
  return byte >= 0x20 && byte < 0x7f && byte != '"' && byte != '\\';
}

// Writes a line into memory sized beforehand (Bound): one copy per piece, no checks of
// capacity on the way, keys copied as constants of known length.
class LineWriter {
 public:
  explicit LineWriter(char* at) : at_(at) {}
  char* end() const { return at_; }

  template <std::size_t N>
  void Key(const char (&literal)[N]) {
    std::memcpy(at_, literal, N - 1);
    at_ += N - 1;
  }
  void Raw(std::string_view text) {
    if (text.empty()) return;  // an empty view's data() may be null: no memcpy from it
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  void Char(char c) { *at_++ = c; }
  void Digits(std::uint64_t value, int width = 0) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    for (auto n = end - digits.data(); n < width; ++n) *at_++ = '0';
    Raw(std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
  }
  // At most 6 bytes out per byte in (\u00XX).
  void Escaped(std::string_view text) {
    std::size_t plain = 0;
    while (plain < text.size() && Plain(static_cast<unsigned char>(text[plain]))) ++plain;
    Raw(text.substr(0, plain));
    if (plain == text.size()) return;
    const bool utf8 = IsValidUtf8(text.substr(plain));
    for (const char c : text.substr(plain)) {
      const auto byte = static_cast<unsigned char>(c);
      switch (c) {
        case '"':
          Key("\\\"");
          continue;
        case '\\':
          Key("\\\\");
          continue;
        case '\n':
          Key("\\n");
          continue;
        case '\r':
          Key("\\r");
          continue;
        case '\t':
          Key("\\t");
          continue;
        default:
          break;
      }
      if (byte < 0x20 || byte == 0x7f || (byte >= 0x80 && !utf8)) {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
        Raw(std::string_view(escaped, sizeof escaped));
      } else {
        *at_++ = c;
      }
    }
  }
  // Seconds with millisecond precision, as ALB's request_time is written ("0.012").
  void Seconds(std::chrono::microseconds value) {
    if (value.count() < 0) return Key("null");
    const auto millis = static_cast<std::uint64_t>((value.count() + 500) / 1000);
    Digits(millis / 1000);
    Char('.');
    Digits(millis % 1000, 3);
  }
  // ISO 8601 with milliseconds; the text up to the second is kept per thread, as most lines
  // of a busy second share it.
  void Time(std::chrono::system_clock::time_point time) {
    const auto since = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since - seconds);
    thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
    thread_local std::array<char, 64> cached{};
    thread_local std::size_t cached_size = 0;
    if (seconds.count() != cached_second) {
      const std::time_t t = seconds.count();
      std::tm utc{};
      gmtime_r(&t, &utc);
      const int n = std::snprintf(cached.data(), cached.size(), "%04d-%02d-%02dT%02d:%02d:%02d.",
                                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                                  utc.tm_min, utc.tm_sec);
      cached_size = n > 0 ? std::min(static_cast<std::size_t>(n), cached.size() - 1) : 0;
      cached_second = seconds.count();
    }
    Raw(std::string_view(cached.data(), cached_size));
    Digits(static_cast<std::uint64_t>(millis.count()), 3);
    Char('Z');
  }

 private:
  char* at_;
};

// Room enough for any line of `f`: the keys and numbers, and each text at its worst escaped.
std::size_t Bound(const AccessLogFields& f) {
  std::size_t text = f.load_balancer_id.size() + f.listener_id.size() + f.client_ip.size() +
                     f.sni.size() + f.tls_version.size() + f.tls_cipher.size() +
                     f.certificate_id.size() + f.method.size() + f.uri.size() + f.protocol.size() +
                     f.host.size() + f.upstream_addr.size() + f.x_forwarded_for.size() +
                     f.user_agent.size() + f.referer.size() + f.trace_id.size();
  std::size_t headers = 0;
  if (f.headers != nullptr) {
    for (const auto& [name, value] : *f.headers) headers += name.size() + value.size() + 6;
  }
  return 1024 + 6 * (text + headers);
}

}  // namespace

void AccessLogFields::SetRequest(const LoggedRequest& logged, bool with_headers) {
  method = logged.method;
  uri = logged.uri;
  host = logged.host;
  x_forwarded_for = logged.x_forwarded_for;
  user_agent = logged.user_agent;
  referer = logged.referer;
  trace_id = logged.trace_id;
  headers = with_headers ? &logged.header_views : nullptr;
}

void AccessLogFields::SetTime(std::chrono::system_clock::time_point wall) {
  time = wall != std::chrono::system_clock::time_point{}
             ? wall
             : std::chrono::system_clock::now() - request_time;
}

std::string FormatAccessLogLine(const AccessLogFields& fields) {
  std::string out;
  AppendAccessLogLine(out, fields);
  return out;
}

void AppendAccessLogLine(std::string& out, const AccessLogFields& f) {
  const std::size_t before = out.size();
  out.resize_and_overwrite(before + Bound(f), [&](char* data, std::size_t) {
    LineWriter w(data + before);
    w.Key("{\"time\":\"");
    w.Time(f.time);
    w.Key("\",\"slbid\":\"");
    w.Escaped(f.load_balancer_id);
    w.Key("\",\"listener_id\":\"");
    w.Escaped(f.listener_id);
    w.Key("\",\"slb_vport\":");
    w.Digits(static_cast<std::uint64_t>(f.listener_port));
    w.Key(",\"client_ip\":\"");
    w.Escaped(f.client_ip);
    w.Key("\",\"client_port\":");
    w.Digits(static_cast<std::uint64_t>(f.client_port));
    if (!f.tls_version.empty()) {
      w.Key(",\"sni\":\"");
      w.Escaped(f.sni);
      w.Key("\",\"ssl_protocol\":\"");
      w.Escaped(f.tls_version);
      w.Key("\",\"ssl_cipher\":\"");
      w.Escaped(f.tls_cipher);
      w.Key("\",\"certificate_id\":\"");
      w.Escaped(f.certificate_id);
      w.Char('"');
    }
    w.Key(",\"request_method\":\"");
    w.Escaped(f.method);
    w.Key("\",\"request_uri\":\"");
    w.Escaped(f.uri);
    w.Key("\",\"server_protocol\":\"");
    w.Escaped(f.protocol);
    w.Key("\",\"host\":\"");
    w.Escaped(f.host);
    w.Key("\",\"status\":");
    w.Digits(f.status);
    w.Key(",\"request_length\":");
    w.Digits(f.request_length);
    w.Key(",\"body_bytes_sent\":");
    w.Digits(f.body_bytes_sent);
    w.Key(",\"upstream_addr\":\"");
    w.Escaped(f.upstream_addr);
    w.Key("\",\"upstream_status\":");
    if (f.upstream_status == 0) {
      w.Key("null");
    } else {
      w.Digits(f.upstream_status);
    }
    w.Key(",\"request_time\":");
    w.Seconds(f.request_time);
    w.Key(",\"upstream_response_time\":");
    w.Seconds(f.upstream_response_time);
    w.Key(",\"http_x_forwarded_for\":\"");
    w.Escaped(f.x_forwarded_for);
    w.Key("\",\"http_user_agent\":\"");
    w.Escaped(f.user_agent);
    w.Key("\",\"http_referer\":\"");
    w.Escaped(f.referer);
    w.Key("\",\"xtrace\":\"");
    w.Escaped(f.trace_id);
    w.Char('"');
    if (f.headers != nullptr) {
      w.Key(",\"request_headers\":{");
      bool first = true;
      for (const auto& [name, value] : *f.headers) {
        if (IsCredentialHeader(name)) continue;
        if (!first) w.Char(',');
        first = false;
        w.Char('"');
        w.Escaped(name);
        w.Key("\":\"");
        w.Escaped(value);
        w.Char('"');
      }
      w.Char('}');
    }
    w.Key("}\n");
    return static_cast<std::size_t>(w.end() - data);
  });
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
