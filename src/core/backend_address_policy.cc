#include "core/backend_address_policy.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>

#include "core/common_errors.h"

namespace openalb {
namespace {

namespace ip = boost::asio::ip;

// IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries: the kernel connects there.
ip::address Canonical(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::vector<ip::address> InterfaceAddresses() {
  std::vector<ip::address> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) continue;
    if (it->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      out.push_back(ip::address_v4(ntohl(in->sin_addr.s_addr)));
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      ip::address_v6::bytes_type bytes;
      std::copy(std::begin(in6->sin6_addr.s6_addr), std::end(in6->sin6_addr.s6_addr),
                bytes.begin());
      out.push_back(ip::address_v6(bytes));
    }
  }
  freeifaddrs(list);
  return out;
}

bool IsLinkLocal(const ip::address& address) {
  if (address.is_v4()) {
    return (address.to_v4().to_uint() & 0xFFFF0000u) == 0xA9FE0000u;  // 169.254.0.0/16
  }
  return address.to_v6().is_link_local();  // fe80::/10
}

bool IsUnusable(const ip::address& address) {
  if (address.is_unspecified() || address.is_multicast()) return true;
  return address.is_v4() && address.to_v4() == ip::address_v4::broadcast();
}

}  // namespace

bool BackendAddressPolicy::Ranges::Contains(const ip::address& address) const {
  if (address.is_v4()) {
    const auto a = address.to_v4();
    return std::any_of(v4.begin(), v4.end(), [&](const ip::network_v4& n) {
      return (a.to_uint() & n.netmask().to_uint()) == n.network().to_uint();
    });
  }
  const auto a = address.to_v6();
  return std::any_of(v6.begin(), v6.end(), [&](const ip::network_v6& n) {
    return ip::make_network_v6(a, n.prefix_length()).canonical() == n.canonical();
  });
}

Result<BackendAddressPolicy::Ranges> BackendAddressPolicy::ParseRanges(
    const std::vector<std::string>& cidrs, std::string_view flag) {
  Ranges ranges;
  for (const auto& text : cidrs) {
    boost::system::error_code ec;
    std::string cidr = text;
    if (cidr.find('/') == std::string::npos) {
      auto single = ip::make_address(cidr, ec);
      if (!ec) cidr += single.is_v4() ? "/32" : "/128";
    }
    if (cidr.find(':') == std::string::npos) {
      auto network = ip::make_network_v4(cidr, ec);
      if (!ec) {
        ranges.v4.push_back(network.canonical());
        continue;
      }
    } else {
      auto network = ip::make_network_v6(cidr, ec);
      if (!ec) {
        ranges.v6.push_back(network.canonical());
        continue;
      }
    }
    return Fail(errors::InvalidParameter(
        flag, "'" + text + "' is not a CIDR range such as 10.0.0.0/8 or fd00::/8"));
  }
  return ranges;
}

Result<BackendAddressPolicy> BackendAddressPolicy::Create(
    const std::vector<std::string>& allow, const std::vector<std::string>& deny,
    std::vector<std::uint16_t> protected_ports) {
  BackendAddressPolicy policy;
  auto allowed = ParseRanges(allow, "--backend-allow");
  if (!allowed) return Fail(allowed.error());
  auto denied = ParseRanges(deny, "--backend-deny");
  if (!denied) return Fail(denied.error());
  policy.allow_ = std::move(*allowed);
  policy.deny_ = std::move(*denied);
  policy.protected_ports_ = std::move(protected_ports);
  policy.local_addresses_ = InterfaceAddresses();
  return policy;
}

bool BackendAddressPolicy::IsThisHost(const ip::address& address) const {
  if (address.is_loopback()) return true;
  return std::any_of(local_addresses_.begin(), local_addresses_.end(),
                     [&](const ip::address& local) { return Canonical(local) == address; });
}

std::optional<std::string> BackendAddressPolicy::Refuses(std::string_view text, int port) const {
  boost::system::error_code ec;
  auto address = ip::make_address(text, ec);
  if (ec) return "it is not an IP address";
  return Refuses(address, port);
}

std::optional<std::string> BackendAddressPolicy::Refuses(const ip::address& raw, int port) const {
  const ip::address address = Canonical(raw);
  if (IsLinkLocal(address)) return "link-local addresses are never servers";
  if (IsUnusable(address))
    return "unspecified, multicast and broadcast addresses are never servers";
  if (std::find(protected_ports_.begin(), protected_ports_.end(), port) != protected_ports_.end() &&
      IsThisHost(address)) {
    return "it is openalb's own OpenAPI endpoint";
  }
  if (deny_.Contains(address)) return "it is in a --backend-deny range";
  if (allow_.Contains(address)) return std::nullopt;
  if (!allow_.empty()) return "it is in no --backend-allow range";
  return std::nullopt;
}

}  // namespace openalb
