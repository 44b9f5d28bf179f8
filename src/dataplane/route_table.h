// RouteTable: a listener's forwarding rules compiled for the request path, frozen in its
// snapshot. Request rules are tried smallest priority first and the first whose conditions all
// hold wins; no rule matching means the listener's default action. Matching does not walk every
// rule: rules with a Host condition of exact names are found through a hash map of those names,
// and only rules with a wildcard host or no host condition are otherwise candidates; the
// candidates are merged in priority order and their remaining conditions checked with plain
// glob matching (`*` any run of characters, `?` one; Host case-insensitive, Path not) — no
// regular expressions. Response rules are matched against the server's answer the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>

#include "dataplane/backend_pool.h"
#include "dataplane/rule_config.h"

namespace openalb {

// The fields of `fields` with `name`, for a range-for.
template <typename Name>
auto FieldsNamed(const boost::beast::http::fields& fields, Name name) {
  struct Range {
    boost::beast::http::fields::const_iterator first, last;
    auto begin() const { return first; }
    auto end() const { return last; }
  };
  auto [first, last] = fields.equal_range(name);
  return Range{first, last};
}

// Whether `found(name, value)` holds for some cookie of the Cookie fields (`a=1; b=2`);
// pieces without '=' are skipped.
template <typename Found>
bool AnyCookie(const boost::beast::http::fields& fields, Found found) {
  for (const auto& field : FieldsNamed(fields, boost::beast::http::field::cookie)) {
    std::string_view list = field.value();
    while (!list.empty()) {
      auto semi = list.find(';');
      std::string_view pair = list.substr(0, semi);
      list = semi == list.npos ? std::string_view() : list.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      auto eq = pair.find('=');
      if (eq != pair.npos && found(pair.substr(0, eq), pair.substr(eq + 1))) return true;
    }
  }
  return false;
}

// `*` matches any run of characters (also none), `?` exactly one.
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case);

// A token bucket of `rate` per second (burst: one second's worth). Thread-safe.
class RateBucket {
 public:
  explicit RateBucket(int rate) : rate_(rate), tokens_(rate) {}
  bool Take(std::chrono::steady_clock::time_point now);

 private:
  std::mutex mutex_;
  const double rate_;
  double tokens_;                                 // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point last_{};  // GUARDED_BY(mutex_)
};

// TrafficLimit: QPS for the rule, and PerIpQps for each client address (at most kMaxClients
// remembered; the table is cleared when full, which only ever lets a client through).
class TrafficLimiter {
 public:
  TrafficLimiter(int qps, int per_ip_qps);
  bool Admit(std::string_view client_ip, std::chrono::steady_clock::time_point now);
  static constexpr size_t kMaxClients = 65536;

 private:
  std::unique_ptr<RateBucket> total_;
  int per_ip_qps_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<RateBucket>> clients_;  // GUARDED_BY(mutex_)
};

// What a request shows the conditions.
struct RequestFacts {
  std::string_view host;   // lower-case, without port
  std::string_view path;   // the target up to '?'
  std::string_view query;  // after '?', without it
  std::string_view method;
  const boost::beast::http::fields* headers = nullptr;
  const boost::asio::ip::address* client = nullptr;  // null when unknown
};

struct CompiledRule {
  const RuleConfig* config = nullptr;                       // the table's own copy
  std::vector<std::pair<const BackendPool*, int>> forward;  // ForwardGroup: pools and weights
  std::unique_ptr<TrafficLimiter> limiter;                  // TrafficLimit, if any
  std::vector<std::pair<boost::asio::ip::address, int>> networks;  // SourceIp: CIDRs
};

class RouteTable {
 public:
  // `pools`: the pool of every server group the rules forward to (a group missing from it is
  // forwarded to as an empty group: 503).
  // `load_balancer_id` and `port` are what InsertHeader's SLBId and SLBPort insert.
  RouteTable(std::vector<RuleConfig> rules,
             const std::map<std::string, std::shared_ptr<const BackendPool>>& pools,
             std::string load_balancer_id, int port);
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // The first request rule whose conditions hold, or null.
  const CompiledRule* Match(const RequestFacts& request) const;
  // The first response rule whose conditions hold, or null.
  const CompiledRule* MatchResponse(unsigned status,
                                    const boost::beast::http::fields& headers) const;
  bool has_response_rules() const { return !response_.empty(); }
  size_t size() const { return rules_.size(); }
  const std::string& load_balancer_id() const { return load_balancer_id_; }
  int port() const { return port_; }

 private:
  bool Holds(const CompiledRule& rule, const RequestFacts& request, bool skip_host) const;

  std::vector<RuleConfig> rules_;
  std::vector<CompiledRule> request_;   // by priority
  std::vector<CompiledRule> response_;  // by priority
  // Indexes into request_, ascending (= priority order).
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_exact_host_;
  std::vector<std::uint32_t> other_hosts_;                 // wildcard hosts, or no Host condition
  std::vector<std::shared_ptr<const BackendPool>> pools_;  // kept alive for forward
  std::string load_balancer_id_;
  int port_ = 0;
};

}  // namespace openalb
