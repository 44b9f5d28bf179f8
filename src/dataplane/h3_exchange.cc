#include "dataplane/h3_exchange.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>

#include "dataplane/access_log_line.h"
#include "dataplane/forwarding.h"
#include "dataplane/upstream_stream.h"

namespace openalb {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr size_t kMaxServersTried = 3;

H3Answer Plain(unsigned status, std::string_view body) {
  H3Answer answer;
  answer.status = status;
  answer.fields.set(http::field::content_type, "text/plain; charset=utf-8");
  answer.body = std::string(body);
  return answer;
}

class H3Exchange : public std::enable_shared_from_this<H3Exchange> {
 public:
  H3Exchange(boost::asio::io_context& io, H3ForwardPlan plan, std::function<void(H3Answer)> done)
      : stream_(io), plan_(std::move(plan)), done_(std::move(done)) {
    parser_.body_limit(kH3AnswerLimit);
  }

  void Attempt() {
    BackendServerState* server =
        tried_.size() < kMaxServersTried
            ? plan_.pool->Pick(plan_.affinity.key, tried_, plan_.affinity.preferred)
            : nullptr;
    if (server == nullptr) return Finish(Plain(503, kNoServerBody));
    tried_.push_back(server);
    server_ = server->shared_from_this();
    // A kept-alive connection to the server first (HTTPS sessions share the same pool).
    const auto idle = Pooled() ? server_->TakeIdle(std::chrono::steady_clock::now()) : -1;
    if (idle >= 0) {
      beast::error_code ec;
      stream_.socket().assign(server_->endpoint().protocol(), idle, ec);
      if (!ec) {
        reused_ = true;
        return Send();
      }
    }
    Connect();
  }

 private:
  void Connect() {
    reused_ = false;
    connect_started_ = std::chrono::steady_clock::now();
    stream_.expires_after(plan_.connect_timeout);
    stream_.async_connect(server_->endpoint(), [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->server_->MarkDown(std::chrono::steady_clock::now());
        beast::error_code ignored;
        self->stream_.socket().close(ignored);
        return self->Attempt();
      }
      if (self->plan_.pool->policy().tls) return self->Handshake();
      self->Send();
    });
  }

  // Whether plain connections to this group's servers are kept for the next request.
  bool Pooled() const {
    return !plan_.pool->policy().tls && plan_.pool->policy().upstream_keepalive;
  }

  void Handshake() {
    if (plan_.upstream_tls == nullptr) return Finish(Plain(502, kBadGatewayBody));
    tls_ = std::make_unique<boost::asio::ssl::stream<beast::tcp_stream&>>(stream_,
                                                                          *plan_.upstream_tls);
    const std::string name = ServerNameOf(plan_.request[http::field::host]);
    if (!name.empty()) SSL_set_tlsext_host_name(tls_->native_handle(), name.c_str());
    stream_.expires_after(plan_.connect_timeout);
    tls_->async_handshake(boost::asio::ssl::stream_base::client,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) return self->Failed(ec);
                            self->Send();
                          });
  }

  void Send() {
    ListenerTelemetry* telemetry = plan_.route->telemetry();
    sent_ = std::chrono::steady_clock::now();
    if (telemetry != nullptr && !reused_) {
      telemetry->UpstreamConnected(
          std::chrono::duration_cast<std::chrono::microseconds>(sent_ - connect_started_));
    }
    if (!counted_) {
      counted_ = true;
      server_->BeginRequest();
    }
    stream_.expires_after(plan_.request_timeout);
    plan_.request.keep_alive(Pooled());
    plan_.request.prepare_payload();
    if (tls_) return Exchange(*tls_);
    Exchange(stream_);
  }

  // Writes the request and reads the answer on `stream` (this exchange's TCP or TLS stream).
  template <typename Stream>
  void Exchange(Stream& stream) {
    http::async_write(stream, plan_.request,
                      [self = shared_from_this(), &stream](beast::error_code ec, size_t) {
                        if (ec) return self->Failed(ec);
                        http::async_read(stream, self->buffer_, self->parser_,
                                         [self](beast::error_code read_ec, size_t) {
                                           if (read_ec) return self->Failed(read_ec);
                                           self->Answered();
                                         });
                      });
  }

  void Failed(beast::error_code ec) {
    // A kept-alive connection the server closed meanwhile, before any byte of an answer: the
    // request was not taken, so it goes again on a new connection to the same server.
    if (reused_ && !parser_.got_some() && ec != beast::error::timeout) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      buffer_.clear();
      return Connect();
    }
    if (ec == beast::error::timeout) return Finish(Plain(504, kTimeoutBody));
    if (ec == http::error::body_limit) {
      return Finish(Plain(502,
                          "502 Bad Gateway: the server's answer is larger than HTTP/3 "
                          "listeners relay (64 MiB).\n"));
    }
    Finish(Plain(502, kBadGatewayBody));
  }

  void Answered() {
    // The answer is read whole here: its time includes the body's.
    upstream_time_ = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - sent_);
    if (ListenerTelemetry* telemetry = plan_.route->telemetry()) {
      telemetry->UpstreamAnswered(upstream_time_);
    }
    auto response = parser_.release();
    upstream_status_ = response.result_int();
    H3Answer answer;
    answer.status = response.result_int();
    PrepareAnswerHead(response.base(), answer.status, plan_.route->routes(), plan_.response_headers,
                      *plan_.pool, *server_, plan_.affinity);
    for (const auto& field : response.base()) {
      // HTTP/3 frames the body itself: no length or transfer coding from HTTP/1.1.
      if (field.name() == http::field::content_length ||
          field.name() == http::field::transfer_encoding) {
        continue;
      }
      answer.fields.insert(field.name_string(), field.value());
    }
    answer.body = std::move(response.body());
    if (Pooled() && response.keep_alive() && buffer_.size() == 0) {
      stream_.expires_never();
      server_->PutIdle(stream_.release_socket().release(), std::chrono::steady_clock::now());
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    }
    Finish(std::move(answer));
  }

  void Finish(H3Answer answer) {
    if (server_ != nullptr) {
      answer.upstream_addr = server_->address_port();
    }
    answer.upstream_status = upstream_status_;
    answer.upstream_time = upstream_time_;
    if (counted_) {
      counted_ = false;
      server_->EndRequest();
    }
    if (done_) {
      auto done = std::move(done_);
      done(std::move(answer));
    }
  }

  beast::tcp_stream stream_;
  H3ForwardPlan plan_;
  std::function<void(H3Answer)> done_;
  std::vector<const BackendServerState*> tried_;
  std::shared_ptr<BackendServerState> server_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  std::unique_ptr<boost::asio::ssl::stream<beast::tcp_stream&>> tls_;  // HTTPS server groups
  bool reused_ = false;   // on a kept-alive connection from the server's pool
  bool counted_ = false;  // counted in the server's requests in flight (Wlc)
  std::chrono::steady_clock::time_point connect_started_{};
  std::chrono::steady_clock::time_point sent_{};  // when the request went to the server
  unsigned upstream_status_ = 0;
  std::chrono::microseconds upstream_time_{-1};
};

}  // namespace

void ForwardH3Request(boost::asio::io_context& io, H3ForwardPlan plan,
                      std::function<void(H3Answer)> done) {
  std::make_shared<H3Exchange>(io, std::move(plan), std::move(done))->Attempt();
}

}  // namespace openalb
