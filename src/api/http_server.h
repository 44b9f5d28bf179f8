// HttpServer: accepts HTTP/1.1 connections (plain or TLS) on one address and hands each
// complete request to a RequestHandler, keeping connections alive between requests.
// All socket and Beast detail stays in http_server.cc; the handler sees plain values.
// Sessions run on strands of the given io_context; the handler is called from whichever
// io thread runs the session, so it must be thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "core/api_error.h"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace openalb {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;                       // 0 picks a free port; see HttpServer::port()
  std::shared_ptr<boost::asio::ssl::context> tls;  // null serves plain HTTP
  std::uint64_t max_body_bytes = 1 << 20;
  std::uint32_t max_header_bytes = 16 << 10;  // request line and headers
  // A new connection's TLS handshake, request line and headers; on a kept-alive connection,
  // a request's line and headers from its first byte. Past it the connection is closed.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};  // a request's body once its headers are in
  std::chrono::milliseconds idle_timeout{
      60'000};  // waiting for a kept-alive connection's next request
  std::chrono::milliseconds write_timeout{30'000};  // a response to a client that does not read
  // Connections held at once, in all and from one client address (0: no limit). At a limit
  // the oldest idle kept-alive connection (of that client, for the second) is closed to make
  // room; if none is idle, a plain-HTTP client is answered 503 ServiceUnavailable (in all)
  // or 429 Throttling (per client) and closed, a TLS one closed before its handshake.
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  int io_threads = 1;  // threads that will run the io_context (strands are needed past one)
};

using RequestHandler = std::function<HttpReply(const HttpRequestView&)>;
// The answer to a request refused before it reached the RequestHandler — not well-formed,
// over a size limit, or on a connection over a connection limit — given what was read of it
// (`partial`: the request line and headers if they were read, else only remote_ip). The
// connection is closed after it. Thread-safe like the RequestHandler.
using RefusalHandler = std::function<HttpReply(const ApiError&, const HttpRequestView& partial)>;

class HttpServer {
 public:
  // Binds and listens; fails with a message naming the address if it cannot.
  static Result<std::shared_ptr<HttpServer>> Create(boost::asio::io_context& io,
                                                    HttpServerOptions options,
                                                    RequestHandler handler, RefusalHandler refusal);
  virtual ~HttpServer() = default;

  virtual std::uint16_t port() const = 0;
  virtual void Start() = 0;
  // Stops accepting; connections in flight finish their current request.
  virtual void Stop() = 0;
};

// Loads a certificate chain and private key (PEM files) into a TLS server context.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

}  // namespace openalb
