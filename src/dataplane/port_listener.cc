#include "dataplane/port_listener.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <string_view>

#include "core/refused_connection.h"

namespace openalb {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

int OnClientHello(SSL* ssl, int* alert, void*) {
  const auto* snapshot =
      static_cast<const ListenerSnapshot*>(SSL_get_ex_data(ssl, SnapshotExDataIndex()));
  if (snapshot == nullptr) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  // The policy first: which certificate suits the client depends on what it allows.
  if (const CompiledTlsPolicy* policy = snapshot->tls_policy()) policy->ApplyTo(ssl);
  ClientHelloInfo hello = ReadClientHello(ssl);
  const ServedCertificate& chosen = snapshot->Select(hello.server_name, hello.accepts_ecdsa);
  snapshot->CountServed(chosen);
  SSL_set_ex_data(ssl, ChosenCertificateExDataIndex(), const_cast<ServedCertificate*>(&chosen));
  // A context not built yet is built here, on this handshake's thread: it holds up this
  // handshake (and any for the same certificate), never another name's.
  auto context = snapshot->ContextOf(chosen);
  if (!context || SSL_set_SSL_CTX(ssl, context->get()) == nullptr) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  if (const CompiledTlsPolicy* policy = snapshot->tls_policy()) policy->AfterContextSwitch(ssl);
  return SSL_CLIENT_HELLO_SUCCESS;
}

class AsioPortListener final : public PortListener,
                               public std::enable_shared_from_this<AsioPortListener> {
 public:
  AsioPortListener(IoWorkers& workers, SslCtxPtr base, bool tls,
                   std::shared_ptr<const ListenerSnapshot> snapshot,
                   std::shared_ptr<SessionShared> shared)
      : shared_(std::move(shared)),
        workers_(workers),
        tls_(tls),
        base_(std::move(base)),
        asio_context_((SSL_CTX_up_ref(base_.get()), base_.get())),
        acceptor_io_(workers.Next().io),
        acceptor_(acceptor_io_),
        retry_timer_(acceptor_.get_executor()),
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

  // Closed by the time Stop returns: a StopListener or DeleteListener job succeeds only once
  // a new connection is refused, not accepted into the backlog and then reset.
  void Stop() override {
    RunOnAndWait(acceptor_io_, [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_timer_.cancel();
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
    IoWorkers::Worker worker = workers_.Next();
    acceptor_.async_accept(
        worker.io.get_executor(),
        [self = shared_from_this(), worker](beast::error_code ec, WorkerSocket socket) {
          if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
          ConnectionLimiter::Slot slot;
          if (!ec && !self->Admit(socket, slot)) ec = net::error::connection_refused;
          if (!ec) {
            // Responses are small and follow the client's request (or, on a new TLS
            // connection, the session tickets): without TCP_NODELAY Nagle holds each behind
            // the client's delayed ACK, ~40 ms on every new connection's first answer.
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            // The session is born on its own worker's thread: everything it touches (its
            // socket, that worker's deadlines) is then used from that thread only.
            auto start = [self, socket = std::move(socket), &deadlines = worker.deadlines,
                          slot = std::move(slot)]() mutable {
              StartClientSession(std::move(socket), self->tls_ ? &self->asio_context_ : nullptr,
                                 deadlines, self, self->shared_, std::move(slot));
            };
            if (worker.io.get_executor().running_in_this_thread()) {
              start();
            } else {
              net::post(worker.io, std::move(start));
            }
          }
          if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
              ec == net::error::no_memory) {
            // Accepting again at once would fail again at once: pause while connections end.
            self->retry_timer_.expires_after(std::chrono::milliseconds(100));
            self->retry_timer_.async_wait([self](beast::error_code wait_ec) {
              if (!wait_ec && self->acceptor_.is_open()) self->DoAccept();
            });
            return;
          }
          self->DoAccept();
        });
  }

  // Over a connection cap the connection is closed at once. A plain-HTTP client is told why
  // (AnswerAndClose, as on the OpenAPI port); a TLS client would need a handshake first —
  // what a flood should not get — so it is just closed.
  bool Admit(WorkerSocket& socket, ConnectionLimiter::Slot& slot) {
    beast::error_code ec;
    const auto now_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    if (now_ns > shared_->current_until_ns.load(std::memory_order_relaxed)) {
      // Resumed after a stop longer than the lease: what this node serves may be stale.
      spdlog::debug("event=dataplane_connection_refused reason=catching_up");
      socket.close(ec);
      return false;
    }
    auto remote = socket.remote_endpoint(ec);
    if (ec) {  // the client already went away
      socket.close(ec);
      return false;
    }
    // The listener's access control, before anything else is spent on the connection: a
    // refused client gets no handshake, no answer, just the close.
    const auto snapshot = Current();
    ListenerTelemetry* telemetry = snapshot->telemetry();
    if (const AddressAcl* acl = snapshot->acl(); acl != nullptr && !acl->Admits(remote.address())) {
      if (telemetry != nullptr) telemetry->RefusedByAcl();
      LogRefusal(remote.address().to_string(), "reason=acl");
      socket.close(ec);
      return false;
    }
    const std::string client = remote.address().to_string();
    const auto verdict = shared_->connections.Admit(client, slot);
    if (verdict == ConnectionLimiter::Verdict::kAdmitted) {
      if (telemetry != nullptr) telemetry->Accepted();
      return true;
    }
    if (telemetry != nullptr) telemetry->RefusedByLimit();
    const bool per_client = verdict == ConnectionLimiter::Verdict::kTooManyFromClient;
    LogRefusal(client, per_client ? "limit=per_client" : "limit=total");
    if (!tls_) {
      static constexpr std::string_view kTooMany =
          "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      static constexpr std::string_view kFull =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      AnswerAndClose(socket, per_client ? kTooMany : kFull);
      return false;
    }
    socket.close(ec);
    return false;
  }

  // At most one line a second: a flood of refused clients must not become a flood of logs.
  void LogRefusal(const std::string& client, std::string_view why) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ <= std::chrono::seconds(1)) return;
    last_refusal_log_ = now;
    spdlog::warn("event=dataplane_connection_refused client={} {}", client, why);
  }

  std::shared_ptr<SessionShared> shared_;
  std::chrono::steady_clock::time_point last_refusal_log_{};  // on acceptor_'s thread
  IoWorkers& workers_;
  const bool tls_;
  SslCtxPtr base_;
  ssl::context asio_context_;     // owns one more reference to base_
  net::io_context& acceptor_io_;  // the worker thread that accepts
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;                     // on acceptor_'s executor
  std::shared_ptr<const ListenerSnapshot> snapshot_;  // atomic_load / atomic_store only
  std::uint16_t port_ = 0;
};

}  // namespace

Result<std::shared_ptr<PortListener>> PortListener::Create(
    IoWorkers& workers, const std::string& address, std::uint16_t port, bool tls,
    std::shared_ptr<const ListenerSnapshot> snapshot, std::shared_ptr<SessionShared> shared) {
  auto base = MakeBaseContext(OnClientHello);
  if (!base) return Fail(base.error());
  TicketKeys::InstallOn(base->get(), shared->limits.ticket_key_rotation);
  auto listener = std::make_shared<AsioPortListener>(workers, std::move(*base), tls,
                                                     std::move(snapshot), std::move(shared));
  if (auto r = listener->Bind(address, port); !r) return Fail(r.error());
  listener->Start();
  return std::shared_ptr<PortListener>(listener);
}

}  // namespace openalb
