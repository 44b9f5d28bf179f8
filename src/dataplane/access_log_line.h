// One data-plane access-log line: a request as ALB's access logs describe it, in their field
// names (slbid, client_ip, ssl_protocol, request_uri, upstream_addr, request_time, …) plus
// openalb's listener and served certificate ids, written as one JSON object on one line.
// Whatever a client sent (the request line, host, SNI, headers) is escaped so a line stays one
// valid JSON object: quotes, backslashes and control characters escaped, bytes that are not
// UTF-8 written as \u00XX. Credentials never reach a line: Authorization, Proxy-Authorization
// and Cookie are left out of the recorded headers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openalb {

// Whether a header is a credential that never goes into an access log.
bool IsCredentialHeader(std::string_view name);
// Case-insensitive header name comparison with a lower-case name.
bool IsNamed(std::string_view name, std::string_view lower);
// The trace id a request carries: X-B3-TraceId's value, else the trace id of a W3C
// `traceparent` (its second dash-separated field); empty when neither is there.
std::string_view TraceIdOf(std::string_view b3_trace_id, std::string_view traceparent);
// "ip:port", an IPv6 address in brackets.
std::string AddressPort(std::string_view ip, int port);

struct LoggedRequest;

struct AccessLogFields {
  std::chrono::system_clock::time_point time;  // when the request's head was read
  std::string_view load_balancer_id;
  std::string_view listener_id;
  int listener_port = 0;  // as configured (slb_vport)
  std::string_view client_ip;
  int client_port = 0;
  std::string_view sni;             // empty: none sent (or plain HTTP)
  std::string_view tls_version;     // TLSv1.3; empty on plain HTTP
  std::string_view tls_cipher;      // as OpenSSL (or GnuTLS) names it
  std::string_view certificate_id;  // the certificate served
  std::string_view method;
  std::string_view uri;       // the request target as sent
  std::string_view protocol;  // HTTP/1.1, HTTP/2.0, HTTP/3.0
  std::string_view host;
  unsigned status = 0;                // 0: no answer (the client left)
  std::uint64_t request_length = 0;   // request body bytes
  std::uint64_t body_bytes_sent = 0;  // answer body bytes
  std::string_view upstream_addr;     // ip:port of the server, empty if none was tried
  unsigned upstream_status = 0;       // the server's status; 0: none came
  std::chrono::microseconds request_time{0};
  std::chrono::microseconds upstream_response_time{-1};  // negative: no server answered
  std::string_view x_forwarded_for;                      // as the client sent it
  std::string_view user_agent;
  std::string_view referer;
  std::string_view trace_id;  // X-B3-TraceId, or traceparent's trace id
  // AccessLogRecordCustomizedHeadersEnabled: the request's headers (credentials left out).
  const std::vector<std::pair<std::string_view, std::string_view>>* headers = nullptr;

  // The request's own fields, from what was copied of it (LoggedRequest, below).
  void SetRequest(const LoggedRequest& logged, bool with_headers);
  void SetTls(std::string_view sni_sent, std::string_view version, std::string_view cipher,
              std::string_view certificate) {
    sni = sni_sent;
    tls_version = version;
    tls_cipher = cipher;
    certificate_id = certificate;
  }
  // `time`: when the request began (`wall`), or — taken only once logging was on, so unset
  // for a request that began before — now less its duration.
  void SetTime(std::chrono::system_clock::time_point wall);
};

std::string FormatAccessLogLine(const AccessLogFields& fields);
// The same, appended to `out` (a buffer the caller reuses: no allocation per line).
void AppendAccessLogLine(std::string& out, const AccessLogFields& fields);

// What a line needs of a request, copied as the client sent it (before forwarding adds its
// headers), only when the listener logs.
struct LoggedRequest {
  std::string method, uri, host, x_forwarded_for, user_agent, referer, trace_id;
  std::vector<std::pair<std::string, std::string>> headers;  // when the listener records them
  std::vector<std::pair<std::string_view, std::string_view>> header_views;  // into `headers`
};

// `fields`: the request's header fields (Beast's, or anything iterable the same way).
template <typename Fields>
LoggedRequest CaptureForLog(std::string_view method, std::string_view uri, const Fields& fields,
                            bool with_headers) {
  LoggedRequest out;
  out.method = std::string(method.substr(0, 64));
  out.uri = std::string(uri.substr(0, 8192));
  for (const auto& field : fields) {
    const std::string_view name = field.name_string();
    const std::string_view value = field.value();
    if (out.host.empty() && (IsNamed(name, "host") || IsNamed(name, ":authority"))) {
      out.host = std::string(value.substr(0, 512));
    } else if (IsNamed(name, "x-forwarded-for")) {
      out.x_forwarded_for = std::string(value.substr(0, 1024));
    } else if (IsNamed(name, "user-agent")) {
      out.user_agent = std::string(value.substr(0, 1024));
    } else if (IsNamed(name, "referer")) {
      out.referer = std::string(value.substr(0, 2048));
    } else if (IsNamed(name, "x-b3-traceid") ||
               (out.trace_id.empty() && IsNamed(name, "traceparent"))) {
      out.trace_id =
          std::string(IsNamed(name, "traceparent") ? TraceIdOf({}, value) : TraceIdOf(value, {}));
    }
    if (with_headers && !IsCredentialHeader(name)) out.headers.emplace_back(name, value);
  }
  for (const auto& [name, value] : out.headers) out.header_views.emplace_back(name, value);
  return out;
}

}  // namespace openalb
