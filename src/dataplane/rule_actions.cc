#include "dataplane/rule_actions.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <random>

#include "core/ascii_case.h"

namespace openalb {
namespace {

namespace http = boost::beast::http;

// The parts of the request a Redirect or Rewrite may keep: ${host}, ${path}, ${port},
// ${protocol}, ${query} anywhere in the configured text stand for them.
struct RequestParts {
  std::string host, path, port, protocol, query;
};

std::string Substitute(std::string_view text, const RequestParts& parts) {
  std::string out;
  while (!text.empty()) {
    auto open = text.find("${");
    if (open == text.npos) break;
    auto close = text.find('}', open);
    if (close == text.npos) break;
    out.append(text.substr(0, open));
    const std::string_view name = text.substr(open + 2, close - open - 2);
    if (name == "host") {
      out += parts.host;
    } else if (name == "path") {
      out += parts.path;
    } else if (name == "port") {
      out += parts.port;
    } else if (name == "protocol") {
      out += parts.protocol;
    } else if (name == "query") {
      out += parts.query;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    text.remove_prefix(close + 1);
  }
  out.append(text);
  return out;
}

RequestParts PartsOf(const RuleRequestHead& head, const RequestOrigin& origin) {
  RequestParts parts;
  std::string_view target = head.target();
  auto question = target.find('?');
  parts.path = std::string(target.substr(0, question));
  if (question != target.npos) parts.query = std::string(target.substr(question + 1));
  std::string_view host = head[http::field::host];
  if (!host.empty() && host.front() != '[') {
    host = host.substr(0, host.find(':'));
  } else if (!host.empty()) {
    host = host.substr(0, host.find(']') + 1);
  }
  parts.host = AsciiLower(host);
  parts.port = std::to_string(origin.local_port);
  parts.protocol = origin.tls ? "https" : "http";
  return parts;
}

bool OriginAllowed(const RuleAction& cors, std::string_view origin) {
  return std::any_of(cors.allow_origin.begin(), cors.allow_origin.end(),
                     [&](const std::string& allowed) {
                       return allowed == "*" || boost::beast::iequals(allowed, origin);
                     });
}

std::string Joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// CORS headers for an allowed origin: Allow-Origin (the origin itself unless every origin is
// allowed without credentials), Allow-Credentials, Vary.
void AddCorsOrigin(const RuleAction& cors, std::string_view origin,
                   std::vector<std::pair<std::string, std::string>>& out) {
  const bool any =
      std::find(cors.allow_origin.begin(), cors.allow_origin.end(), "*") != cors.allow_origin.end();
  out.emplace_back("Access-Control-Allow-Origin", any ? "*" : std::string(origin));
  if (cors.allow_credentials) out.emplace_back("Access-Control-Allow-Credentials", "true");
  if (!any) out.emplace_back("Vary", "Origin");
}

std::string SystemValue(std::string_view name, const RouteTable& table,
                        const RequestOrigin& origin) {
  if (name == "ClientSrcIp") return origin.client_ip;
  if (name == "ClientSrcPort") return std::to_string(origin.client_port);
  if (name == "Protocol") return origin.tls ? "https" : "http";
  if (name == "SLBId") return table.load_balancer_id();
  if (name == "SLBPort") return std::to_string(table.port());
  return {};
}

// Sets or adds `key`: an existing field is replaced only when `cover`.
void InsertField(http::fields& fields, const std::string& key, const std::string& value,
                 bool cover) {
  if (fields.find(key) != fields.end()) {
    if (!cover) return;
    fields.erase(key);
  }
  fields.insert(key, value);
}

// The sticky cookie's group, if the request carries one of `rule`'s.
const BackendPool* StickyGroup(const CompiledRule& rule, const RuleRequestHead& head) {
  const BackendPool* chosen = nullptr;
  AnyCookie(head, [&](std::string_view name, std::string_view id) {
    if (name != kStickyGroupCookie) return false;
    for (const auto& [pool, weight] : rule.forward) {
      if (weight > 0 && pool->server_group_id() == id) chosen = pool;
    }
    return chosen != nullptr;
  });
  return chosen;
}

const BackendPool* WeightedGroup(const CompiledRule& rule) {
  int total = 0;
  for (const auto& entry : rule.forward) total += entry.second;
  if (total <= 0) return nullptr;
  if (rule.forward.size() == 1) return rule.forward.front().first;
  thread_local std::minstd_rand random{std::random_device{}()};
  int pick = static_cast<int>(random() % static_cast<unsigned>(total));
  for (const auto& [pool, weight] : rule.forward) {
    if (pick < weight) return pool;
    pick -= weight;
  }
  return rule.forward.back().first;
}

}  // namespace

RequestFacts FactsOf(const RuleRequestHead& head, std::string& host,
                     const boost::asio::ip::address* client) {
  std::string_view target = head.target();
  auto question = target.find('?');
  std::string_view host_field = head[http::field::host];
  if (!host_field.empty() && host_field.front() != '[') {
    host_field = host_field.substr(0, host_field.find(':'));
  }
  host = AsciiLower(host_field);
  return RequestFacts{
      .host = host,
      .path = target.substr(0, question),
      .query = question == target.npos ? std::string_view() : target.substr(question + 1),
      .method = head.method_string(),
      .headers = &head,
      .client = client};
}

RuleOutcome ApplyRequestRule(const CompiledRule& rule, const RouteTable& table,
                             RuleRequestHead& head, const RequestOrigin& origin,
                             std::chrono::steady_clock::time_point now) {
  RuleOutcome out;
  for (const auto& action : rule.config->actions) {
    if (action.type == "TrafficLimit") {
      if (rule.limiter && !rule.limiter->Admit(origin.client_ip, now)) {
        out.answer = true;
        out.status = http::status::service_unavailable;
        out.content_type = "text/plain; charset=utf-8";
        out.body = "503 Service Unavailable: the rule's traffic limit is reached; retry.\n";
        return out;
      }
    } else if (action.type == "Cors") {
      const std::string request_origin(head["Origin"]);
      if (request_origin.empty()) continue;
      const bool preflight =
          head.method() == http::verb::options && !head["Access-Control-Request-Method"].empty();
      if (!OriginAllowed(action, request_origin)) {
        if (!preflight) continue;  // the browser refuses the answer itself
        out.answer = true;
        out.status = http::status::forbidden;
        out.content_type = "text/plain; charset=utf-8";
        out.body = "403 Forbidden: this origin may not make cross-origin requests here.\n";
        return out;
      }
      if (preflight) {
        out.answer = true;
        out.status = http::status::no_content;
        AddCorsOrigin(action, request_origin, out.headers);
        if (!action.allow_methods.empty()) {
          out.headers.emplace_back("Access-Control-Allow-Methods", Joined(action.allow_methods));
        }
        if (!action.allow_headers.empty()) {
          out.headers.emplace_back("Access-Control-Allow-Headers", Joined(action.allow_headers));
        }
        if (action.max_age >= 0) {
          out.headers.emplace_back("Access-Control-Max-Age", std::to_string(action.max_age));
        }
        return out;
      }
      AddCorsOrigin(action, request_origin, out.response_headers);
      if (!action.expose_headers.empty()) {
        out.response_headers.emplace_back("Access-Control-Expose-Headers",
                                          Joined(action.expose_headers));
      }
    } else if (action.type == "Rewrite") {
      const RequestParts parts = PartsOf(head, origin);
      const std::string host = Substitute(action.host, parts);
      const std::string path = Substitute(action.path, parts);
      const std::string query = Substitute(action.query, parts);
      head.set(http::field::host, host);
      head.target(query.empty() ? path : path + "?" + query);
    } else if (action.type == "InsertHeader") {
      std::string value = action.value;
      if (action.value_type == "ReferenceHeader") {
        value = std::string(head[action.value]);
      } else if (action.value_type == "SystemDefined") {
        value = SystemValue(action.value, table, origin);
      }
      InsertField(head, action.key, value, action.cover);
    } else if (action.type == "RemoveHeader") {
      head.erase(action.key);
    } else if (action.type == "Redirect") {
      const RequestParts parts = PartsOf(head, origin);
      const std::string protocol = AsciiLower(Substitute(action.protocol, parts));
      const std::string port = Substitute(action.port, parts);
      const std::string query = Substitute(action.query, parts);
      std::string location = protocol + "://" + Substitute(action.host, parts);
      if (!((protocol == "http" && port == "80") || (protocol == "https" && port == "443"))) {
        location += ":" + port;
      }
      location += Substitute(action.path, parts);
      if (!query.empty()) location += "?" + query;
      out.answer = true;
      out.status = static_cast<http::status>(std::stoi(action.http_code));
      out.headers.emplace_back("Location", std::move(location));
      return out;
    } else if (action.type == "FixedResponse") {
      out.answer = true;
      out.status = static_cast<http::status>(std::stoi(action.http_code));
      out.content_type = action.content_type;
      out.body = action.content;
      return out;
    } else if (action.type == "ForwardGroup") {
      const BackendPool* pool = action.sticky ? StickyGroup(rule, head) : nullptr;
      if (pool == nullptr) {
        pool = WeightedGroup(rule);
        if (pool != nullptr && action.sticky) {
          out.response_headers.emplace_back(
              "Set-Cookie", std::string(kStickyGroupCookie) + "=" + pool->server_group_id() +
                                "; Max-Age=" + std::to_string(action.sticky_timeout) +
                                "; Path=/; HttpOnly");
        }
      }
      out.pool = pool;
      return out;
    }
  }
  return out;
}

void ApplyResponseRule(const CompiledRule& rule, http::fields& response) {
  for (const auto& action : rule.config->actions) {
    if (action.type == "InsertHeader") {
      std::string value = action.value;
      if (action.value_type == "ReferenceHeader") value = std::string(response[action.value]);
      InsertField(response, action.key, value, action.cover);
    } else if (action.type == "RemoveHeader") {
      response.erase(action.key);
    }
  }
}

}  // namespace openalb
