// AddressAcl: a listener's access control lists compiled for the accept path. Every entry of
// the listener's ACLs goes into one binary prefix trie per address family, so judging a
// client costs one walk of at most 32 (IPv4) or 128 (IPv6) steps however many entries there
// are. White admits only clients some entry covers; Black refuses them. Built with the
// listener's snapshot (immutable, shared by every worker thread), so an ACL change applies to
// the next connection or request the moment the snapshot is published.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "core/api_error.h"
#include "core/ip_prefix.h"
#include "dataplane/listener_config.h"

namespace openalb {

class AddressAcl {
 public:
  // InvalidParameter for a type other than White or Black, or an entry that is not an address
  // or CIDR block (the API refuses those before they are stored).
  static Result<AddressAcl> Compile(const AclConfig& config);

  bool Admits(const boost::asio::ip::address& client) const;
  bool Admits(const IpPrefix& client) const;

 private:
  // A binary trie of prefixes; node 0 is the root, and child index 0 means "none".
  class PrefixTrie {
   public:
    PrefixTrie() : nodes_(1) {}
    void Insert(const IpPrefix& prefix);
    // Whether some inserted prefix covers the first `bits` bits of `bytes`.
    bool Covers(const std::array<std::uint8_t, 16>& bytes, int bits) const;

   private:
    struct Node {
      std::array<std::uint32_t, 2> child{0, 0};
      bool terminal = false;
    };
    std::vector<Node> nodes_;
  };

  bool white_ = false;
  PrefixTrie v4_;
  PrefixTrie v6_;
};

}  // namespace openalb
