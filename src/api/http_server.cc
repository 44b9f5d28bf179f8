#include "api/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace openalb {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct SharedState {
  HttpServerOptions options;
  RequestHandler handler;
};

std::string ProtocolErrorBody(std::string_view code, std::string_view message) {
  return std::string(R"({"Code":")") + std::string(code) + R"(","Message":")" +
         std::string(message) + R"("})";
}

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<const SharedState> shared, std::string remote_ip)
      : stream_(std::move(stream)), shared_(std::move(shared)), remote_ip_(std::move(remote_ip)) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        beast::get_lowest_layer(self->stream_).expires_after(self->shared_->options.read_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (!ec) self->DoRead(self->shared_->options.read_timeout);
        });
      } else {
        self->DoRead(self->shared_->options.read_timeout);
      }
    });
  }

 private:
  void DoRead(std::chrono::seconds timeout) {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    parser_->header_limit(shared_->options.max_header_bytes);
    beast::get_lowest_layer(stream_).expires_after(timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return DoClose();
    }
    if (ec == http::error::body_limit) {
      return WriteProtocolError(http::status::payload_too_large, "RequestEntityTooLarge",
                                "The request body is larger than the server accepts.");
    }
    if (ec == http::error::header_limit) {
      return WriteProtocolError(http::status::request_header_fields_too_large,
                                "RequestHeaderFieldsTooLarge",
                                "The request line or headers are larger than the server accepts.");
    }
    if (ec) {
      return WriteProtocolError(http::status::bad_request, "MalformedRequest",
                                "The request is not well-formed HTTP/1.1.");
    }
    auto& message = parser_->get();
    HttpRequestView view;
    view.method = std::string(message.method_string());
    view.target = std::string(message.target());
    view.headers.reserve(16);
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      view.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    view.body = std::move(message.body());
    view.remote_ip = remote_ip_;
    view.secure_transport = std::is_same_v<Stream, TlsStream>;
    HttpReply reply = shared_->handler(view);
    bool keep_alive = message.keep_alive();
    SerializeResponse(message.version(), static_cast<unsigned>(reply.status), reply.content_type,
                      reply.headers, reply.body, keep_alive);
    DoWrite(!keep_alive);
  }

  void WriteProtocolError(http::status status, std::string_view code, std::string_view message) {
    SerializeResponse(11, static_cast<unsigned>(status), "application/json;charset=utf-8", {},
                      ProtocolErrorBody(code, message), /*keep_alive=*/false);
    DoWrite(/*close=*/true);
  }

  // Writes the whole response into one buffer. Our responses are a status line, a few
  // headers and a body, so this replaces Beast's general serializer (a field container and
  // a gather list per response) with one append-only string.
  void SerializeResponse(unsigned version, unsigned status, std::string_view content_type,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view body, bool keep_alive) {
    wire_.clear();
    wire_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    wire_ += std::to_string(status);
    wire_.push_back(' ');
    wire_ += http::obsolete_reason(static_cast<http::status>(status));
    wire_ += "\r\nServer: openalb\r\nContent-Type: ";
    wire_ += content_type;
    for (const auto& [name, value] : headers) {
      wire_ += "\r\n";
      wire_ += name;
      wire_ += ": ";
      wire_ += value;
    }
    wire_ += "\r\nContent-Length: ";
    wire_ += std::to_string(body.size());
    if (!keep_alive) {
      wire_ += "\r\nConnection: close";
    } else if (version == 10) {
      wire_ += "\r\nConnection: keep-alive";
    }
    wire_ += "\r\n\r\n";
    wire_ += body;
  }

  void DoWrite(bool close) {
    beast::get_lowest_layer(stream_).expires_after(shared_->options.read_timeout);
    net::async_write(stream_, net::buffer(wire_),
                     [self = this->shared_from_this(), close](beast::error_code ec, size_t) {
                       if (ec || close) return self->DoClose();
                       self->DoRead(self->shared_->options.idle_timeout);
                     });
  }

  void DoClose() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      // Lingering close: read and discard what the client is still sending (say, the rest
      // of an oversized body) for a bounded time, so closing does not reset the connection
      // before the client has read our answer.
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      DrainUntilClosed(kMaxDrainBytes);
    }
  }

  static constexpr size_t kMaxDrainBytes = 8 << 20;

  void DrainUntilClosed(size_t budget) {
    stream_.async_read_some(net::buffer(drain_), [self = this->shared_from_this(), budget](
                                                     beast::error_code ec, size_t n) {
      if (ec || n >= budget) return;  // EOF, timeout or budget spent: the socket closes
      self->DrainUntilClosed(budget - n);
    });
  }

  Stream stream_;
  std::shared_ptr<const SharedState> shared_;
  std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string wire_;  // the response being written
  std::array<char, 16384> drain_;
};

class Listener final : public HttpServer, public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, std::shared_ptr<const SharedState> shared)
      : io_(io), acceptor_(net::make_strand(io)), shared_(std::move(shared)) {}

  Result<void> Bind() {
    beast::error_code ec;
    auto address = net::ip::make_address(shared_->options.address, ec);
    if (ec) return Fail(BindError("invalid address", ec));
    tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Fail(BindError("cannot listen", ec));
    return {};
  }

  std::uint16_t port() const override { return acceptor_.local_endpoint().port(); }

  void Start() override { DoAccept(); }

  void Stop() override {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  ApiError BindError(std::string_view what, const beast::error_code& ec) const {
    return ApiError{"InternalError", 500, std::string(what),
                    std::string(what) + " on " + shared_->options.address + ":" +
                        std::to_string(shared_->options.port) + ": " + ec.message()};
  }

  void DoAccept() {
    // Each connection's handlers run on its own strand, so no two threads touch a session at
    // once. With a single io thread that already holds, and the strand would only add cost.
    auto executor = shared_->options.io_threads > 1 ? net::any_io_executor(net::make_strand(io_))
                                                    : net::any_io_executor(io_.get_executor());
    acceptor_.async_accept(executor,
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             if (ec == net::error::operation_aborted || !self->acceptor_.is_open())
                               return;
                             if (!ec) self->StartSession(std::move(socket));
                             self->DoAccept();
                           });
  }

  void StartSession(tcp::socket socket) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto remote = socket.remote_endpoint(ec);
    std::string remote_ip = ec ? std::string() : remote.address().to_string();
    if (shared_->options.tls) {
      std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *shared_->options.tls),
                                           shared_, std::move(remote_ip))
          ->Start();
    } else {
      std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), shared_,
                                             std::move(remote_ip))
          ->Start();
    }
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<const SharedState> shared_;
};

}  // namespace

Result<std::shared_ptr<HttpServer>> HttpServer::Create(net::io_context& io,
                                                       HttpServerOptions options,
                                                       RequestHandler handler) {
  auto shared = std::make_shared<SharedState>(SharedState{std::move(options), std::move(handler)});
  auto listener = std::make_shared<Listener>(io, std::move(shared));
  if (auto r = listener->Bind(); !r) return Fail(r.error());
  return std::shared_ptr<HttpServer>(std::move(listener));
}

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                     const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return Fail(ApiError{"InternalError", 500, "cannot load TLS certificate",
                         "cannot load TLS certificate " + cert_file + ": " + ec.message()});
  }
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    // Name the file, never its contents.
    return Fail(ApiError{"InternalError", 500, "cannot load TLS private key",
                         "cannot load TLS private key " + key_file + ": " + ec.message()});
  }
  return context;
}

}  // namespace openalb
