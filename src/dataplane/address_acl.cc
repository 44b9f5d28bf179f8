#include "dataplane/address_acl.h"

#include "core/common_errors.h"

namespace openalb {
namespace {

int BitAt(const std::array<std::uint8_t, 16>& bytes, int index) {
  return (bytes[static_cast<size_t>(index / 8)] >> (7 - index % 8)) & 1;
}

}  // namespace

void AddressAcl::PrefixTrie::Insert(const IpPrefix& prefix) {
  std::uint32_t node = 0;
  for (int i = 0; i < prefix.bits; ++i) {
    if (nodes_[node].terminal) return;  // a shorter prefix already covers this one
    const int bit = BitAt(prefix.bytes, i);
    if (nodes_[node].child[bit] == 0) {
      nodes_[node].child[bit] = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    node = nodes_[node].child[bit];
  }
  nodes_[node].terminal = true;
  nodes_[node].child = {0, 0};  // what lay below is covered now
}

bool AddressAcl::PrefixTrie::Covers(const std::array<std::uint8_t, 16>& bytes, int bits) const {
  std::uint32_t node = 0;
  for (int i = 0; i < bits; ++i) {
    if (nodes_[node].terminal) return true;
    node = nodes_[node].child[BitAt(bytes, i)];
    if (node == 0) return false;
  }
  return nodes_[node].terminal;
}

Result<AddressAcl> AddressAcl::Compile(const AclConfig& config) {
  if (config.type != "White" && config.type != "Black") {
    return Fail(errors::InvalidParameter("AclType", "it must be White or Black"));
  }
  AddressAcl acl;
  acl.white_ = config.type == "White";
  for (const auto& entry : config.entries) {
    auto prefix = ParseIpPrefix(entry);
    if (!prefix) {
      std::string why = "'";
      why.append(entry, 0, 64);
      why.append("' is not a CIDR block");
      return Fail(errors::InvalidParameter("AclEntries.Entry", why));
    }
    (prefix->v4 ? acl.v4_ : acl.v6_).Insert(*prefix);
  }
  return acl;
}

bool AddressAcl::Admits(const IpPrefix& client) const {
  const bool listed = (client.v4 ? v4_ : v6_).Covers(client.bytes, client.bits);
  return listed == white_;
}

bool AddressAcl::Admits(const boost::asio::ip::address& client) const {
  return Admits(HostPrefixOf(client));
}

}  // namespace openalb
