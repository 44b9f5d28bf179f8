#include "dataplane/route_table.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace openalb {
namespace {

namespace http = boost::beast::http;
using RouteAddress = boost::asio::ip::address;

char RouteFoldCase(char c, bool ignore_case) {
  return ignore_case ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

bool RouteHasGlob(std::string_view text) { return text.find_first_of("*?") != text.npos; }

// Decodes %XX and '+' (a query string's space); malformed escapes stay as they are.
std::string QueryDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      int value = 0;
      std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool QueryHas(std::string_view query, const KeyValue& wanted) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == query.npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string key = QueryDecode(pair.substr(0, eq));
    std::string value = eq == pair.npos ? std::string() : QueryDecode(pair.substr(eq + 1));
    if (GlobMatch(wanted.first, key, false) && GlobMatch(wanted.second, value, false)) return true;
  }
  return false;
}

bool CookieHas(const http::fields& headers, const KeyValue& wanted) {
  return AnyCookie(headers, [&](std::string_view name, std::string_view value) {
    return GlobMatch(wanted.first, name, false) && GlobMatch(wanted.second, value, false);
  });
}

bool HeaderHas(const http::fields& headers, std::string_view key,
               const std::vector<std::string>& values) {
  for (const auto& field : FieldsNamed(headers, key)) {
    for (const auto& value : values) {
      if (GlobMatch(value, field.value(), true)) return true;
    }
  }
  return false;
}

bool InNetwork(const RouteAddress& client, const RouteAddress& network, int bits) {
  RouteAddress address = client;
  if (address.is_v6() && address.to_v6().is_v4_mapped() && network.is_v4()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4() != network.is_v4()) return false;
  auto a = address.is_v4() ? std::vector<unsigned char>(4) : std::vector<unsigned char>(16);
  auto n = a;
  if (address.is_v4()) {
    auto x = address.to_v4().to_bytes(), y = network.to_v4().to_bytes();
    std::copy(x.begin(), x.end(), a.begin());
    std::copy(y.begin(), y.end(), n.begin());
  } else {
    auto x = address.to_v6().to_bytes(), y = network.to_v6().to_bytes();
    std::copy(x.begin(), x.end(), a.begin());
    std::copy(y.begin(), y.end(), n.begin());
  }
  for (size_t i = 0; i < a.size() && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((a[i] & mask) != (n[i] & mask)) return false;
  }
  return true;
}

CompiledRule CompileRule(const RuleConfig& rule,
                         const std::map<std::string, std::shared_ptr<const BackendPool>>& pools,
                         std::vector<std::shared_ptr<const BackendPool>>& keep) {
  CompiledRule out;
  out.config = &rule;
  for (const auto& action : rule.actions) {
    if (action.type == "ForwardGroup") {
      for (const auto& group : action.groups) {
        auto it = pools.find(group.server_group_id);
        if (it == pools.end() || !it->second) continue;
        keep.push_back(it->second);
        out.forward.emplace_back(it->second.get(), group.weight);
      }
    } else if (action.type == "TrafficLimit") {
      out.limiter = std::make_unique<TrafficLimiter>(action.qps, action.per_ip_qps);
    }
  }
  for (const auto& condition : rule.conditions) {
    if (condition.type != "SourceIp") continue;
    for (const auto& value : condition.values) {
      auto slash = value.find('/');
      boost::system::error_code ec;
      auto network = boost::asio::ip::make_address(value.substr(0, slash), ec);
      if (ec) continue;
      int bits = network.is_v4() ? 32 : 128;
      if (slash != std::string::npos) bits = std::atoi(value.c_str() + slash + 1);
      out.networks.emplace_back(network, bits);
    }
  }
  return out;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || (pattern[p] != '*' && RouteFoldCase(pattern[p], ignore_case) ==
                                                        RouteFoldCase(text[t], ignore_case)))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool RateBucket::Take(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (last_ != std::chrono::steady_clock::time_point{}) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(rate_, tokens_ + elapsed * rate_);
  }
  last_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

TrafficLimiter::TrafficLimiter(int qps, int per_ip_qps)
    : total_(qps > 0 ? std::make_unique<RateBucket>(qps) : nullptr), per_ip_qps_(per_ip_qps) {}

bool TrafficLimiter::Admit(std::string_view client_ip, std::chrono::steady_clock::time_point now) {
  if (per_ip_qps_ > 0) {
    RateBucket* bucket = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (clients_.size() >= kMaxClients) clients_.clear();
      auto& slot = clients_[std::string(client_ip)];
      if (!slot) slot = std::make_unique<RateBucket>(per_ip_qps_);
      bucket = slot.get();
      if (!bucket->Take(now)) return false;
    }
  }
  return total_ == nullptr || total_->Take(now);
}

RouteTable::RouteTable(std::vector<RuleConfig> rules,
                       const std::map<std::string, std::shared_ptr<const BackendPool>>& pools,
                       std::string load_balancer_id, int port)
    : rules_(std::move(rules)), load_balancer_id_(std::move(load_balancer_id)), port_(port) {
  std::stable_sort(rules_.begin(), rules_.end(), [](const RuleConfig& a, const RuleConfig& b) {
    return a.priority < b.priority;
  });
  for (const auto& rule : rules_) {
    auto compiled = CompileRule(rule, pools, pools_);
    if (rule.response) {
      response_.push_back(std::move(compiled));
      continue;
    }
    const auto index = static_cast<std::uint32_t>(request_.size());
    request_.push_back(std::move(compiled));
    const RuleCondition* host = nullptr;
    for (const auto& condition : rule.conditions) {
      if (condition.type == "Host") host = &condition;
    }
    const bool exact =
        host != nullptr && std::none_of(host->values.begin(), host->values.end(),
                                        [](const auto& v) { return RouteHasGlob(v); });
    if (!exact) {
      other_hosts_.push_back(index);
      continue;
    }
    for (const auto& value : host->values) {
      auto& list = by_exact_host_[value];
      if (list.empty() || list.back() != index) list.push_back(index);
    }
  }
}

bool RouteTable::Holds(const CompiledRule& rule, const RequestFacts& request,
                       bool skip_host) const {
  for (const auto& c : rule.config->conditions) {
    bool ok = false;
    if (c.type == "Host") {
      ok = skip_host || std::any_of(c.values.begin(), c.values.end(), [&](const auto& v) {
             return GlobMatch(v, request.host, true);
           });
    } else if (c.type == "Path") {
      ok = std::any_of(c.values.begin(), c.values.end(),
                       [&](const auto& v) { return GlobMatch(v, request.path, false); });
    } else if (c.type == "Method") {
      ok = std::find(c.values.begin(), c.values.end(), request.method) != c.values.end();
    } else if (c.type == "Header") {
      ok = request.headers != nullptr && HeaderHas(*request.headers, c.key, c.values);
    } else if (c.type == "QueryString") {
      ok = std::any_of(c.pairs.begin(), c.pairs.end(),
                       [&](const auto& pair) { return QueryHas(request.query, pair); });
    } else if (c.type == "Cookie") {
      ok = request.headers != nullptr &&
           std::any_of(c.pairs.begin(), c.pairs.end(),
                       [&](const auto& pair) { return CookieHas(*request.headers, pair); });
    } else if (c.type == "SourceIp") {
      ok = request.client != nullptr &&
           std::any_of(rule.networks.begin(), rule.networks.end(), [&](const auto& network) {
             return InNetwork(*request.client, network.first, network.second);
           });
    }
    if (!ok) return false;
  }
  return true;
}

const CompiledRule* RouteTable::Match(const RequestFacts& request) const {
  static const std::vector<std::uint32_t> kNone;
  const std::vector<std::uint32_t>* exact = &kNone;
  if (!by_exact_host_.empty()) {
    if (auto it = by_exact_host_.find(std::string(request.host)); it != by_exact_host_.end()) {
      exact = &it->second;
    }
  }
  size_t e = 0, o = 0;
  while (e < exact->size() || o < other_hosts_.size()) {
    const bool take_exact =
        o >= other_hosts_.size() || (e < exact->size() && (*exact)[e] < other_hosts_[o]);
    const std::uint32_t index = take_exact ? (*exact)[e++] : other_hosts_[o++];
    if (Holds(request_[index], request, take_exact)) return &request_[index];
  }
  return nullptr;
}

const CompiledRule* RouteTable::MatchResponse(unsigned status, const http::fields& headers) const {
  const std::string code = std::to_string(status);
  for (const auto& rule : response_) {
    bool holds = true;
    for (const auto& c : rule.config->conditions) {
      if (c.type == "ResponseStatusCode") {
        holds = std::find(c.values.begin(), c.values.end(), code) != c.values.end();
      } else if (c.type == "ResponseHeader") {
        holds = HeaderHas(headers, c.key, c.values);
      }
      if (!holds) break;
    }
    if (holds) return &rule;
  }
  return nullptr;
}

}  // namespace openalb
