// The HTTP request and reply as the endpoint sees them: plain values with no socket or
// Beast type in sight, so the whole request pipeline is testable without a network.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openalb {

struct HttpRequestView {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query, as on the request line
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_ip;
  bool secure_transport = false;  // arrived over TLS

  // The first value of the header `lower_name`, if present.
  std::optional<std::string_view> Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return std::string_view(value);
    }
    return std::nullopt;
  }
};

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace openalb
