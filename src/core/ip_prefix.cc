#include "core/ip_prefix.h"

#include <string>

namespace openalb {

std::optional<IpPrefix> ParseIpPrefix(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string address_text(text.substr(0, slash));
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(address_text, ec);
  if (ec || address_text.empty()) return std::nullopt;
  IpPrefix prefix = HostPrefixOf(address);
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return std::nullopt;  // ambiguous
  if (slash == std::string_view::npos) return prefix;
  const std::string_view length = text.substr(slash + 1);
  if (length.empty() || length.size() > 3) return std::nullopt;
  int bits = 0;
  for (char c : length) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
  }
  if (bits > (prefix.v4 ? 32 : 128)) return std::nullopt;
  prefix.bits = bits;
  return prefix;
}

IpPrefix HostPrefixOf(const boost::asio::ip::address& address) {
  IpPrefix prefix;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    const auto v6 = address.to_v6().to_bytes();
    std::copy(v6.begin() + 12, v6.end(), prefix.bytes.begin());
    return prefix;
  }
  if (address.is_v4()) {
    const auto v4 = address.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), prefix.bytes.begin());
    return prefix;
  }
  const auto v6 = address.to_v6().to_bytes();
  std::copy(v6.begin(), v6.end(), prefix.bytes.begin());
  prefix.v4 = false;
  prefix.bits = 128;
  return prefix;
}

}  // namespace openalb
