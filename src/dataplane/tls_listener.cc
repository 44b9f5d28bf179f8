#include "dataplane/tls_listener.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <mutex>

namespace openalb {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::seconds(60);

// Where a connection's snapshot is found from inside the client-hello callback.
int SnapshotIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int OnClientHello(SSL* ssl, int* alert, void*) {
  const auto* snapshot =
      static_cast<const ListenerSnapshot*>(SSL_get_ex_data(ssl, SnapshotIndex()));
  if (snapshot == nullptr) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  ClientHelloInfo hello = ReadClientHello(ssl);
  const ServedCertificate& chosen = snapshot->Select(hello.server_name, hello.accepts_ecdsa);
  if (SSL_set_SSL_CTX(ssl, chosen.context.get()) == nullptr) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

// The answer of a listener with no forward action: a fixed 503.
constexpr std::string_view kNoForwardBody =
    "503 Service Unavailable: this listener has no forward action configured.\n";

class TlsSession : public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(tcp::socket socket, ssl::context& context,
             std::shared_ptr<const ListenerSnapshot> snapshot)
      : stream_(std::move(socket), context), snapshot_(std::move(snapshot)) {}

  void Start() {
    SSL_set_ex_data(stream_.native_handle(), SnapshotIndex(),
                    const_cast<ListenerSnapshot*>(snapshot_.get()));
    beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) self->DoRead();
                            });
  }

 private:
  void DoRead() {
    request_ = {};
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->DoClose();
                       self->Respond();
                     });
  }

  void Respond() {
    bool keep_alive = request_.keep_alive();
    response_ = {};
    response_.version(request_.version());
    response_.result(http::status::service_unavailable);
    response_.set(http::field::server, "openalb");
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    response_.body() = std::string(kNoForwardBody);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) return self->DoClose();
                        self->DoRead();
                      });
  }

  void DoClose() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  std::shared_ptr<const ListenerSnapshot> snapshot_;  // kept for the connection's life
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;  // a body is read (Beast caps it at 1 MiB) and ignored
  http::response<http::string_body> response_;
};

class AsioTlsListener final : public TlsListener,
                              public std::enable_shared_from_this<AsioTlsListener> {
 public:
  AsioTlsListener(net::io_context& io, SslCtxPtr base,
                  std::shared_ptr<const ListenerSnapshot> snapshot)
      : io_(io),
        base_(std::move(base)),
        asio_context_((SSL_CTX_up_ref(base_.get()), base_.get())),
        acceptor_(net::make_strand(io)),
        snapshot_(std::move(snapshot)) {}

  Result<void> Bind(const std::string& address, std::uint16_t port) {
    beast::error_code ec;
    auto ip = net::ip::make_address(address, ec);
    if (ec) return Fail(BindError(address, port, ec));
    tcp::endpoint endpoint(ip, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Fail(BindError(address, port, ec));
    port_ = acceptor_.local_endpoint().port();
    return {};
  }

  void Start() { DoAccept(); }

  void Publish(std::shared_ptr<const ListenerSnapshot> snapshot) override {
    std::atomic_store(&snapshot_, std::move(snapshot));
  }

  std::shared_ptr<const ListenerSnapshot> Current() const override {
    return std::atomic_load(&snapshot_);
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  static ApiError BindError(const std::string& address, std::uint16_t port,
                            const beast::error_code& ec) {
    return ApiError{"OperationFailed.ListenerPort",
                    500,
                    "The listener's port " + std::to_string(port) + " cannot be opened on " +
                        address + ": " + ec.message() + ".",
                    {}};
  }

  void DoAccept() {
    acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](beast::error_code ec,
                                                                              tcp::socket socket) {
      if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        std::make_shared<TlsSession>(std::move(socket), self->asio_context_, self->Current())
            ->Start();
      }
      self->DoAccept();
    });
  }

  net::io_context& io_;
  SslCtxPtr base_;
  ssl::context asio_context_;  // owns one more reference to base_
  tcp::acceptor acceptor_;
  std::shared_ptr<const ListenerSnapshot> snapshot_;  // atomic_load / atomic_store only
  std::uint16_t port_ = 0;
};

}  // namespace

Result<std::shared_ptr<TlsListener>> TlsListener::Create(
    net::io_context& io, const std::string& address, std::uint16_t port,
    std::shared_ptr<const ListenerSnapshot> snapshot) {
  auto base = MakeBaseContext(OnClientHello);
  if (!base) return Fail(base.error());
  auto listener = std::make_shared<AsioTlsListener>(io, std::move(*base), std::move(snapshot));
  if (auto r = listener->Bind(address, port); !r) return Fail(r.error());
  listener->Start();
  return std::shared_ptr<TlsListener>(listener);
}

}  // namespace openalb
