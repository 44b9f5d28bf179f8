#include "dataplane/h3_exchange.h"

#include <boost/beast/core.hpp>

#include "dataplane/forwarding.h"

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
    stream_.expires_after(plan_.connect_timeout);
    stream_.async_connect(server_->endpoint(), [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->server_->MarkDown(std::chrono::steady_clock::now());
        beast::error_code ignored;
        self->stream_.socket().close(ignored);
        return self->Attempt();
      }
      self->Send();
    });
  }

 private:
  void Send() {
    stream_.expires_after(plan_.request_timeout);
    plan_.request.keep_alive(false);
    plan_.request.prepare_payload();
    http::async_write(stream_, plan_.request,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Failed(ec);
                        http::async_read(self->stream_, self->buffer_, self->parser_,
                                         [self](beast::error_code read_ec, size_t) {
                                           if (read_ec) return self->Failed(read_ec);
                                           self->Answered();
                                         });
                      });
  }

  void Failed(beast::error_code ec) {
    if (ec == beast::error::timeout) return Finish(Plain(504, kTimeoutBody));
    if (ec == http::error::body_limit) {
      return Finish(Plain(502,
                          "502 Bad Gateway: the server's answer is larger than HTTP/3 "
                          "listeners relay (64 MiB).\n"));
    }
    Finish(Plain(502, kBadGatewayBody));
  }

  void Answered() {
    auto response = parser_.release();
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
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    Finish(std::move(answer));
  }

  void Finish(H3Answer answer) {
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
};

}  // namespace

void ForwardH3Request(boost::asio::io_context& io, H3ForwardPlan plan,
                      std::function<void(H3Answer)> done) {
  std::make_shared<H3Exchange>(io, std::move(plan), std::move(done))->Attempt();
}

}  // namespace openalb
