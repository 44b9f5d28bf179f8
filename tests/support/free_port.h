// FreePort: a loopback TCP port nothing listens on now, for a test to bind (the kernel's
// choice for port 0; another process could take it before the test does, which on a test
// machine it does not).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>

namespace openalb::testing {

inline std::uint16_t FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

}  // namespace openalb::testing
