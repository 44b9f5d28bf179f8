#include "dataplane/request_rules.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace openalb {
namespace {

namespace http = boost::beast::http;

constexpr RequestRefusal kBadRequest{http::status::bad_request, "400 Bad Request.\n"};
constexpr RequestRefusal kNotImplemented{http::status::not_implemented,
                                         "501 Not Implemented: unsupported transfer coding.\n"};
constexpr RequestRefusal kMethodNotAllowed{http::status::method_not_allowed,
                                           "405 Method Not Allowed.\n"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The transfer codings of every Transfer-Encoding field, in order, lower-cased, without
// parameters; empty list elements skipped as RFC 9110 §5.6.1 allows.
std::vector<std::string> TransferCodings(const RequestHead& head) {
  std::vector<std::string> codings;
  auto [first, last] = head.equal_range(http::field::transfer_encoding);
  for (auto it = first; it != last; ++it) {
    std::string_view value = it->value();
    while (!value.empty()) {
      size_t comma = value.find(',');
      std::string_view element = Trim(value.substr(0, comma));
      value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
      element = Trim(element.substr(0, element.find(';')));
      if (element.empty()) continue;
      std::string lower(element);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      codings.push_back(std::move(lower));
    }
  }
  return codings;
}

std::optional<RequestRefusal> CheckFraming(const RequestHead& head) {
  if (head.count(http::field::content_length) > 1) return kBadRequest;
  if (head.count(http::field::transfer_encoding) == 0) return std::nullopt;
  if (head.version() < 11 || head.count(http::field::content_length) > 0) return kBadRequest;
  const auto codings = TransferCodings(head);
  if (codings.empty() || codings.back() != "chunked" ||
      std::count(codings.begin(), codings.end(), "chunked") > 1) {
    return kBadRequest;
  }
  if (codings.size() > 1) return kNotImplemented;  // e.g. gzip, chunked: not decoded here
  return std::nullopt;
}

// host [ ":" port ], a reg-name, IPv4 or [IPv6] — no userinfo, spaces or controls.
bool IsValidAuthority(std::string_view authority) {
  if (authority.empty() || authority.size() > 255) return false;
  return std::all_of(authority.begin(), authority.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("-._~%!$&'()*+,;=:[]").find(static_cast<char>(c)) !=
                                  std::string_view::npos;
  });
}

std::optional<RequestRefusal> CheckTargetAndHost(RequestHead& head) {
  if (head.method() == http::verb::connect) return kMethodNotAllowed;
  std::string_view target = head.target();
  std::optional<std::string> authority_from_target;
  if (target.empty()) return kBadRequest;
  if (target.front() == '/') {
    // origin-form
  } else if (target == "*") {
    if (head.method() != http::verb::options) return kBadRequest;
  } else {
    std::string_view rest;
    for (std::string_view scheme : {"http://", "https://"}) {
      if (target.size() > scheme.size() &&
          boost::beast::iequals(target.substr(0, scheme.size()), scheme)) {
        rest = target.substr(scheme.size());
      }
    }
    if (rest.empty()) return kBadRequest;
    const size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    if (!IsValidAuthority(authority)) return kBadRequest;
    const std::string_view after = end == std::string_view::npos ? "" : rest.substr(end);
    std::string origin_form = after.starts_with('/') ? "" : "/";
    origin_form += after;
    authority_from_target = std::string(authority);
    head.target(origin_form);
  }

  const size_t hosts = head.count(http::field::host);
  if (hosts > 1) return kBadRequest;
  if (hosts == 1 && !IsValidAuthority(head[http::field::host])) return kBadRequest;
  if (authority_from_target) {
    head.set(http::field::host, *authority_from_target);  // §3.2.2: the target's wins
  } else if (hosts == 0 && head.version() >= 11) {
    return kBadRequest;
  }
  return std::nullopt;
}

}  // namespace

std::optional<RequestRefusal> CheckRequestHead(RequestHead& head) {
  if (auto refusal = CheckFraming(head)) return refusal;
  return CheckTargetAndHost(head);
}

void SetForwardingHeaders(RequestHead& head, std::string_view client_ip, bool tls) {
  SetForwardingHeaders(head, ForwardingFacts{.client_ip = client_ip, .tls = tls}, {});
}

void SetForwardingHeaders(RequestHead& head, const ForwardingFacts& facts,
                          const ListenerOptions& options) {
  std::string forwarded_for;
  auto [first, last] = head.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) {
    std::string_view value = Trim(it->value());
    if (value.empty()) continue;
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += value;
  }
  if (!forwarded_for.empty()) forwarded_for += ", ";
  forwarded_for += facts.client_ip;
  if (options.xff_remove || !options.xff_enabled) {
    head.erase("X-Forwarded-For");
  } else {
    head.set("X-Forwarded-For", forwarded_for);
  }
  head.set("X-Real-IP", facts.client_ip);
  head.erase("X-Forwarded-Proto");
  if (options.xff_proto) head.set("X-Forwarded-Proto", facts.tls ? "https" : "http");
  head.erase("X-Forwarded-Host");
  if (options.xff_host && !facts.client_host.empty()) {
    head.set("X-Forwarded-Host", facts.client_host);
  }
  head.erase("X-Forwarded-Port");
  if (options.xff_slb_port) head.set("X-Forwarded-Port", std::to_string(facts.listener_port));
  head.erase("X-Forwarded-Client-srcport");
  if (options.xff_client_src_port) {
    head.set("X-Forwarded-Client-srcport", std::to_string(facts.client_port));
  }
  head.erase("SLB-ID");
  if (options.xff_slb_id) head.set("SLB-ID", facts.load_balancer_id);
  head.erase(http::field::forwarded);
}

}  // namespace openalb
