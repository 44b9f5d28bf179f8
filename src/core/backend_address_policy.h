// BackendAddressPolicy: which addresses a tenant may make the data plane connect to. A server
// address is judged in this order (IPv4-mapped IPv6 addresses are judged as the IPv4 address
// they carry):
//   1. always refused: link-local (169.254.0.0/16, fe80::/10 — cloud metadata services live
//      there), unspecified (0.0.0.0, ::), multicast and broadcast, and any port of this host
//      that openalb's own control endpoints listen on (the OpenAPI port on a loopback,
//      unspecified or local interface address), so no listener can relay a request into the API
//      and make it look as if it came from this host;
//   2. refused if in a --backend-deny range;
//   3. allowed if in a --backend-allow range;
//   4. with any --backend-allow given, everything else is refused (an allow-list);
//      without one, everything else — loopback, private and public ranges — is allowed.
// Loopback is allowed by default because the common single-operator install runs its servers
// on the same machine; a multi-tenant operator denies it (--backend-deny 127.0.0.0/8,::1/128)
// or lists the server networks with --backend-allow. Enforced when servers are added (the API
// refuses them) and again when the data plane builds a listener's pool (a server stored before
// the policy changed is skipped).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.h"

namespace openalb {

class BackendAddressPolicy {
 public:
  // `allow` and `deny` are CIDRs ("10.0.0.0/8", "::1/128") or single addresses;
  // `protected_ports` the ports openalb's own endpoints listen on (on this host).
  static Result<BackendAddressPolicy> Create(const std::vector<std::string>& allow,
                                             const std::vector<std::string>& deny,
                                             std::vector<std::uint16_t> protected_ports);
  // Allows everything but the always-refused addresses (no protected ports): tests and tools.
  BackendAddressPolicy() = default;

  // Why the address is refused, or nothing if it is allowed.
  std::optional<std::string> Refuses(std::string_view address, int port) const;
  std::optional<std::string> Refuses(const boost::asio::ip::address& address, int port) const;

 private:
  struct Ranges {
    std::vector<boost::asio::ip::network_v4> v4;
    std::vector<boost::asio::ip::network_v6> v6;
    bool Contains(const boost::asio::ip::address& address) const;
    bool empty() const { return v4.empty() && v6.empty(); }
  };
  static Result<Ranges> ParseRanges(const std::vector<std::string>& cidrs, std::string_view flag);
  bool IsThisHost(const boost::asio::ip::address& address) const;

  Ranges allow_;
  Ranges deny_;
  std::vector<std::uint16_t> protected_ports_;
  std::vector<boost::asio::ip::address> local_addresses_;  // this host's interfaces
};

}  // namespace openalb
