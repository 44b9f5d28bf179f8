// TlsListener: one bound TLS port. Accepts connections, lets the client-hello callback pick
// the certificate from the snapshot the connection started with, and after the handshake
// answers HTTP/1.1 (keep-alive) — for now a fixed 503, as a listener without a forward
// action does. Publish() swaps the snapshot atomically; connections in flight keep theirs.
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/api_error.h"
#include "dataplane/listener_snapshot.h"

namespace openalb {

class TlsListener {
 public:
  virtual ~TlsListener() = default;

  // Binds address:port now (a busy port fails here, not later).
  static Result<std::shared_ptr<TlsListener>> Create(
      boost::asio::io_context& io, const std::string& address, std::uint16_t port,
      std::shared_ptr<const ListenerSnapshot> snapshot);

  virtual void Publish(std::shared_ptr<const ListenerSnapshot> snapshot) = 0;
  virtual std::shared_ptr<const ListenerSnapshot> Current() const = 0;
  virtual std::uint16_t port() const = 0;
  // Closes the port; connections in flight finish on their own.
  virtual void Stop() = 0;
};

}  // namespace openalb
