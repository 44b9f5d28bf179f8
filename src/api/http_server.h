// HttpServer: accepts HTTP/1.1 connections (plain or TLS) on one address and hands each
// complete request to a RequestHandler, keeping connections alive between requests.
// All socket and Beast detail stays in http_server.cc; the handler sees plain values.
// Sessions run on strands of the given io_context; the handler is called from whichever
// io thread runs the session, so it must be thread-safe.
#pragma once

#include <chrono>
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
  std::uint32_t max_header_bytes = 16 << 10;
  std::chrono::seconds read_timeout{30};  // per request, headers and body together
  std::chrono::seconds idle_timeout{60};  // between requests on a kept-alive connection
  int io_threads = 1;  // threads that will run the io_context (strands are needed past one)
};

using RequestHandler = std::function<HttpReply(const HttpRequestView&)>;

class HttpServer {
 public:
  // Binds and listens; fails with a message naming the address if it cannot.
  static Result<std::shared_ptr<HttpServer>> Create(boost::asio::io_context& io,
                                                    HttpServerOptions options,
                                                    RequestHandler handler);
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
