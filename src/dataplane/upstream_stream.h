// UpstreamStream: a connection to a server, over TCP or — for a server group whose Protocol is
// HTTPS — TLS on that TCP socket (no certificate verification, as ALB does not verify servers;
// SNI is the request's host). It models Asio's stream concepts, so Beast reads and writes HTTP
// over either without the session knowing which. A plain one can go to the per-server idle pool
// as a bare socket; a TLS one stays with its owner (its session state cannot be handed on).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <memory>
#include <string>
#include <utility>

#include "dataplane/client_session.h"

namespace openalb {

class UpstreamStream {
 public:
  using executor_type = WorkerSocket::executor_type;

  explicit UpstreamStream(const executor_type& executor) : socket_(executor) {}
  UpstreamStream(const UpstreamStream&) = delete;
  UpstreamStream& operator=(const UpstreamStream&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  WorkerSocket& socket() { return socket_; }
  bool is_open() const { return socket_.is_open(); }
  bool tls() const { return tls_ != nullptr; }

  // Closes the socket; a pending operation completes with an error. The TLS layer stays until
  // Reset, since a completion may still be running through it.
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  // Closed and plain again, ready for a new connection. Only when nothing is pending.
  void Reset() {
    Close();
    tls_.reset();
  }
  // After the TCP connect: TLS from now on, once AsyncHandshake completes.
  void StartTls(boost::asio::ssl::context& context, const std::string& server_name) {
    tls_ = std::make_unique<boost::asio::ssl::stream<WorkerSocket&>>(socket_, context);
    if (!server_name.empty()) SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
  }
  template <typename Handler>
  void AsyncHandshake(Handler&& handler) {
    tls_->async_handshake(boost::asio::ssl::stream_base::client, std::forward<Handler>(handler));
  }

  template <typename Buffers, typename Handler>
  auto async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    return socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }
  template <typename Buffers, typename Handler>
  auto async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Handler>(handler));
    return socket_.async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  WorkerSocket socket_;
  std::unique_ptr<boost::asio::ssl::stream<WorkerSocket&>> tls_;
};

// The name a TLS connection to a server presents: the request's Host without its port.
inline std::string ServerNameOf(std::string_view host) {
  if (!host.empty() && host.front() == '[') return {};  // an IPv6 literal: no SNI
  return std::string(
      host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':')));
}

}  // namespace openalb
