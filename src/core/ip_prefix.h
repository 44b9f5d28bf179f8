// IpPrefix: an IPv4 or IPv6 address block as ACL entries write it ("10.0.0.0/8", "192.0.2.7",
// "2001:db8::/32"), parsed strictly: a prefix length of decimal digits within the family's
// width, no spaces or signs. A bare address is its /32 or /128.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace openalb {

struct IpPrefix {
  bool v4 = true;
  std::array<std::uint8_t, 16> bytes{};  // the address; 4 bytes used for IPv4
  int bits = 32;                         // prefix length
};

std::optional<IpPrefix> ParseIpPrefix(std::string_view text);

// The address as IpPrefix bytes, an IPv4-mapped IPv6 address (a dual-stack socket's view of
// an IPv4 client) as the IPv4 address it carries.
IpPrefix HostPrefixOf(const boost::asio::ip::address& address);

}  // namespace openalb
