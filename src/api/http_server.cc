#include "api/http_server.h"

#include <openssl/err.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "api/error_catalogue.h"
#include "core/connection_limiter.h"
#include "core/refused_connection.h"

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
  RefusalHandler refusal;
  std::unique_ptr<ConnectionLimiter> connections;
};

// The request line and headers as they came, in bytes (CRLFs included).
template <typename Fields>
std::size_t HeaderBytes(const http::request<http::string_body, Fields>& message) {
  std::size_t total = message.method_string().size() + 1 + message.target().size() + 11;
  for (const auto& field : message)
    total += field.name_string().size() + 2 + field.value().size() + 2;
  return total + 2;
}

// What was read of a request that is refused: its line and headers, if complete. (A
// Content-Length over the body limit fails the parse as the header completes, before
// Beast calls it done; the fields are all there by then.)
HttpRequestView PartialView(const http::request_parser<http::string_body>* parser, bool header_read,
                            const std::string& remote_ip) {
  HttpRequestView view;
  view.remote_ip = remote_ip;
  if (parser == nullptr || !header_read) return view;
  const auto& message = parser->get();
  view.method = std::string(message.method_string());
  view.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    view.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return view;
}

template <typename Stream>
class Session : public Reclaimable, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<const SharedState> shared, std::string remote_ip,
          ConnectionLimiter::Slot slot)
      : stream_(std::move(stream)),
        shared_(std::move(shared)),
        slot_(std::move(slot)),
        remote_ip_(std::move(remote_ip)) {}

  void Start() {
    slot_.Track(this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      // One deadline from accept covers the handshake, request line and headers.
      beast::get_lowest_layer(self->stream_).expires_after(self->shared_->options.header_timeout);
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (!ec) self->AwaitRequest(/*kept_alive=*/false);
        });
      } else {
        self->AwaitRequest(/*kept_alive=*/false);
      }
    });
  }

  // Closes the connection if it is still waiting for its next request (ConnectionLimiter
  // needs its place for a new one).
  void Reclaim() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) beast::get_lowest_layer(self->stream_).close();
    });
  }

 private:
  static constexpr size_t kReadChunk = 16 << 10;

  // Reads the start of the next request. On a kept-alive connection the wait for its first
  // byte may last idle_timeout, and its headers then get header_timeout; on a new
  // connection the deadline set at accept runs on. What arrived in one read is parsed at
  // once: a whole request (the usual case) costs one read and no further wait.
  void AwaitRequest(bool kept_alive) {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body_bytes);
    // Beast's own limit, which stops reading, sits above ours, which is checked on the
    // whole header once read: a request just over the limit is answered in the format its
    // query string or Accept header asked for.
    parser_->header_limit(2 * shared_->options.max_header_bytes);
    parser_->eager(true);
    auto& socket = beast::get_lowest_layer(stream_);
    if (buffer_.size() > 0) {  // pipelined: the next request has begun already
      if (kept_alive) socket.expires_after(shared_->options.header_timeout);
      return ParseBuffered();
    }
    if (kept_alive) {
      socket.expires_after(shared_->options.idle_timeout);
      idle_ = true;
      slot_.Idle();
    }
    stream_.async_read_some(buffer_.prepare(kReadChunk), [self = this->shared_from_this(),
                                                          kept_alive](beast::error_code ec,
                                                                      size_t n) {
      if (kept_alive) {
        self->idle_ = false;
        self->slot_.Busy();
      }
      if (ec) return self->DoClose();  // closed, reset, reclaimed, or nothing came in time
      self->buffer_.commit(n);
      if (kept_alive) {
        beast::get_lowest_layer(self->stream_).expires_after(self->shared_->options.header_timeout);
      }
      self->ParseBuffered();
    });
  }

  void ParseBuffered() {
    beast::error_code ec;
    while (!parser_->is_done() && buffer_.size() > 0) {
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec || used == 0) break;
    }
    if (ec == http::error::need_more) ec = {};
    if (!ec && HeaderOverLimit()) ec = http::error::header_limit;
    if (ec || parser_->is_done()) return OnRead(ec);
    if (!parser_->is_header_done()) return ReadHeader();
    ReadBody();
  }

  void ReadHeader() {
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (!ec && self->HeaderOverLimit()) ec = http::error::header_limit;
                              if (ec || self->parser_->is_done()) return self->OnRead(ec);
                              self->ReadBody();
                            });
  }

  // Beast bounds each field; the limit is on the request line and headers together.
  bool HeaderOverLimit() const {
    return parser_->is_header_done() &&
           HeaderBytes(parser_->get()) > shared_->options.max_header_bytes;
  }

  void ReadBody() {
    beast::get_lowest_layer(stream_).expires_after(shared_->options.body_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == http::error::partial_message) {
      return DoClose();  // the client left or was too slow: nobody to answer
    }
    if (ec == http::error::body_limit) {
      return WriteRefusal(errors::RequestEntityTooLarge(shared_->options.max_body_bytes),
                          /*header_read=*/true);
    }
    if (ec == http::error::header_limit) {
      return WriteRefusal(errors::RequestHeaderFieldsTooLarge(shared_->options.max_header_bytes));
    }
    if (ec) return WriteRefusal(errors::MalformedRequest());
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

  void WriteRefusal(const ApiError& error, bool header_read = false) {
    HttpReply reply = shared_->refusal(
        error, PartialView(&*parser_, header_read || parser_->is_header_done(), remote_ip_));
    SerializeResponse(11, static_cast<unsigned>(reply.status), reply.content_type, reply.headers,
                      reply.body, /*keep_alive=*/false);
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
    beast::get_lowest_layer(stream_).expires_after(shared_->options.write_timeout);
    net::async_write(stream_, net::buffer(wire_),
                     [self = this->shared_from_this(), close](beast::error_code ec, size_t) {
                       if (ec || close) return self->DoClose();
                       self->AwaitRequest(/*kept_alive=*/true);
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
  ConnectionLimiter::Slot slot_;  // declared after shared_, which owns the limiter
  bool idle_ = false;             // waiting for a kept-alive connection's next request
  std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string wire_;  // the response being written
  std::array<char, 16384> drain_;
};

class ApiListener final : public HttpServer, public std::enable_shared_from_this<ApiListener> {
 public:
  ApiListener(net::io_context& io, std::shared_ptr<const SharedState> shared)
      : io_(io),
        acceptor_(net::make_strand(io)),
        retry_timer_(acceptor_.get_executor()),
        shared_(std::move(shared)) {}

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
      self->retry_timer_.cancel();
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
                             if (OutOfResources(ec)) return self->RetryAcceptLater(ec);
                             self->DoAccept();
                           });
  }

  static bool OutOfResources(const beast::error_code& ec) {
    return ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
           ec == net::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system;
  }

  // Out of file descriptors or memory, accept would fail again at once: pause instead of
  // spinning, while the connections we hold finish and give theirs back.
  void RetryAcceptLater(const beast::error_code& ec) {
    LogRarely("event=accept_paused reason=\"{}\"", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->DoAccept();
    });
  }

  void StartSession(tcp::socket socket) {
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto remote = socket.remote_endpoint(ec);
    std::string remote_ip = ec ? std::string() : remote.address().to_string();
    ConnectionLimiter::Slot slot;
    auto verdict = shared_->connections->Admit(remote_ip, slot);
    if (verdict != ConnectionLimiter::Verdict::kAdmitted) {
      return Refuse(std::move(socket), remote_ip, verdict);
    }
    if (shared_->options.tls) {
      std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *shared_->options.tls),
                                           shared_, std::move(remote_ip), std::move(slot))
          ->Start();
    } else {
      std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), shared_,
                                             std::move(remote_ip), std::move(slot))
          ->Start();
    }
  }

  // Over a connection limit. A plain-HTTP client is told why in one non-blocking write (it
  // has usually sent its request already, so that is read and dropped first, lest closing
  // with unread bytes reset the connection before the answer is read); a TLS client would
  // need a handshake first, which is what a flood should not get, so it is just closed.
  void Refuse(tcp::socket socket, const std::string& remote_ip,
              ConnectionLimiter::Verdict verdict) {
    const bool per_client = verdict == ConnectionLimiter::Verdict::kTooManyFromClient;
    LogRarely("event=connection_refused client={} limit={}", remote_ip,
              per_client ? "per_client" : "total");
    beast::error_code ec;
    if (!shared_->options.tls) {
      const auto& options = shared_->options;
      HttpReply reply = shared_->refusal(
          per_client ? errors::TooManyConnectionsFromClient(options.max_connections_per_client)
                     : errors::TooManyConnections(options.max_connections),
          PartialView(nullptr, false, remote_ip));
      std::string wire =
          "HTTP/1.1 " + std::to_string(reply.status) + " " +
          std::string(http::obsolete_reason(static_cast<http::status>(reply.status))) +
          "\r\nServer: openalb\r\nContent-Type: " + reply.content_type;
      for (const auto& [name, value] : reply.headers) wire += "\r\n" + name + ": " + value;
      wire += "\r\nContent-Length: " + std::to_string(reply.body.size()) +
              "\r\nConnection: close\r\n\r\n" + reply.body;
      return AnswerAndClose(socket, wire);
    }
    socket.close(ec);
  }

  // At most one line a second for events a flood would repeat per connection.
  template <typename... Args>
  void LogRarely(spdlog::format_string_t<Args...> format, Args&&... args) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_logged_.load(std::memory_order_relaxed);
    if (now - last < std::chrono::steady_clock::duration(std::chrono::seconds(1)).count()) return;
    if (!last_logged_.compare_exchange_strong(last, now)) return;
    spdlog::warn(format, std::forward<Args>(args)...);
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::atomic<std::int64_t> last_logged_{0};
  std::shared_ptr<const SharedState> shared_;
};

}  // namespace

Result<std::shared_ptr<HttpServer>> HttpServer::Create(net::io_context& io,
                                                       HttpServerOptions options,
                                                       RequestHandler handler,
                                                       RefusalHandler refusal) {
  auto connections = std::make_unique<ConnectionLimiter>(options.max_connections,
                                                         options.max_connections_per_client);
  auto shared = std::make_shared<SharedState>(SharedState{
      std::move(options), std::move(handler), std::move(refusal), std::move(connections)});
  auto listener = std::make_shared<ApiListener>(io, std::move(shared));
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
                         "cannot use --tls-key " + key_file + " with --tls-cert " + cert_file +
                             ": " + ec.message() +
                             " (give the PEM key the certificate was issued for)"});
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return Fail(ApiError{"InternalError", 500, "TLS key does not match the certificate",
                         "--tls-key " + key_file + " is not the private key of --tls-cert " +
                             cert_file + ": give the key the certificate was issued for"});
  }
  return context;
}

}  // namespace openalb
