#include "dataplane/session_affinity.h"

#include <functional>
#include <vector>

#include "dataplane/route_table.h"

namespace openalb {
namespace {

namespace http = boost::beast::http;

// The value of query parameter `name` in `target` (`/p?a=1&b=2`), or empty.
std::string_view AffinityQueryValue(std::string_view target, std::string_view name) {
  auto question = target.find('?');
  if (question == target.npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == query.npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == pair.npos ? std::string_view() : pair.substr(eq + 1);
  }
  return {};
}

// Rewrites the Cookie fields with `value` of cookie `name` replaced by `replacement`.
void ReplaceCookieValue(http::fields& fields, std::string_view name, std::string_view value,
                        std::string_view replacement) {
  std::vector<std::string> rewritten;
  for (const auto& field : FieldsNamed(fields, http::field::cookie)) {
    std::string out;
    std::string_view list = field.value();
    while (!list.empty()) {
      auto semi = list.find(';');
      std::string_view piece = list.substr(0, semi);
      list = semi == list.npos ? std::string_view() : list.substr(semi + 1);
      std::string_view trimmed = piece;
      while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
      auto eq = trimmed.find('=');
      if (!out.empty()) out += "; ";
      if (eq != trimmed.npos && trimmed.substr(0, eq) == name && trimmed.substr(eq + 1) == value) {
        out += std::string(name) + "=" + std::string(replacement);
      } else {
        out += std::string(trimmed);
      }
    }
    rewritten.push_back(std::move(out));
  }
  fields.erase(http::field::cookie);
  for (const auto& value_text : rewritten) fields.insert(http::field::cookie, value_text);
}

}  // namespace

std::string StickyTokenText(std::uint64_t token) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, token >>= 4) out[static_cast<size_t>(i)] = kHex[token & 0xf];
  return out;
}

std::uint64_t StickyTokenFrom(std::string_view text) {
  if (text.size() != 16) return 0;
  std::uint64_t out = 0;
  for (char c : text) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return 0;
    out = (out << 4) | static_cast<std::uint64_t>(digit);
  }
  return out;
}

Affinity AffinityOf(const BackendPool& pool, http::fields& request_fields, std::string_view target,
                    std::uint64_t client_hash) {
  const ServerGroupPolicy& policy = pool.policy();
  Affinity out{client_hash, nullptr};
  if (policy.scheduler == Scheduler::kUch) {
    out.key = std::hash<std::string_view>{}(AffinityQueryValue(target, policy.uch_parameter));
  }
  if (!policy.sticky.enabled) return out;
  if (policy.sticky.insert) {
    AnyCookie(request_fields, [&](std::string_view name, std::string_view value) {
      if (name != kStickyInsertCookie) return false;
      out.preferred = pool.ServerWithToken(StickyTokenFrom(value));
      return out.preferred != nullptr;
    });
    return out;
  }
  std::string original;
  std::string stripped;
  AnyCookie(request_fields, [&](std::string_view name, std::string_view value) {
    if (name != policy.sticky.cookie) return false;
    auto tilde = value.find('~');
    if (tilde == value.npos) return false;
    out.preferred = pool.ServerWithToken(StickyTokenFrom(value.substr(0, tilde)));
    original = std::string(value);
    stripped = std::string(value.substr(tilde + 1));
    return true;
  });
  if (!original.empty()) {
    ReplaceCookieValue(request_fields, policy.sticky.cookie, original, stripped);
  }
  return out;
}

void StickAnswer(const BackendPool& pool, const BackendServerState& chosen,
                 const Affinity& affinity, http::fields& response_fields) {
  const StickyPolicy& sticky = pool.policy().sticky;
  if (!sticky.enabled) return;
  const std::string token = StickyTokenText(pool.TokenOf(chosen));
  if (sticky.insert) {
    if (affinity.preferred == &chosen) return;  // already pinned here
    response_fields.insert(http::field::set_cookie,
                           std::string(kStickyInsertCookie) + "=" + token + "; Max-Age=" +
                               std::to_string(sticky.cookie_timeout_s) + "; Path=/; HttpOnly");
    return;
  }
  std::vector<std::string> cookies;
  for (const auto& field : FieldsNamed(response_fields, http::field::set_cookie)) {
    std::string value(field.value());
    const std::string prefix = sticky.cookie + "=";
    if (value.starts_with(prefix)) value.insert(prefix.size(), token + "~");
    cookies.push_back(std::move(value));
  }
  if (cookies.empty()) return;
  response_fields.erase(http::field::set_cookie);
  for (const auto& cookie : cookies) response_fields.insert(http::field::set_cookie, cookie);
}

}  // namespace openalb
