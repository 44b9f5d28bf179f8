#include "dataplane/client_session.h"

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "dataplane/access_log_line.h"
#include "dataplane/forwarding.h"
#include "dataplane/gzip_body.h"
#include "dataplane/h2_session.h"
#include "dataplane/request_rules.h"
#include "dataplane/rule_actions.h"
#include "dataplane/session_affinity.h"
#include "dataplane/upstream_stream.h"

namespace openalb {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using Deadline = DeadlineSweeper::Deadline;

constexpr std::uint32_t kRequestHeaderLimit = 32 * 1024;
// Bodies with a Content-Length up to this are read whole (answers: so gzip can apply);
// longer ones, and answers without a Content-Length, stream through kRelayChunk at a time.
constexpr std::uint64_t kBufferedBodyLimit = 1024 * 1024;
constexpr size_t kRelayChunk = 64 * 1024;
constexpr std::uint64_t kNoBodyLimit = std::numeric_limits<std::uint64_t>::max();
constexpr size_t kMaxServersTried = 3;
// After refusing a request it did not read whole (413, 431, 400), the connection reads and
// drops what the client still sends, for this long or this much, before closing: closing
// with unread bytes would reset it and destroy the answer before the client reads it.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 16 * 1024 * 1024;

constexpr size_t kFirstReadBytes = 16 * 1024;  // what the wait for a request reads at once

template <bool kTls>
class ClientSession : public Reclaimable, public std::enable_shared_from_this<ClientSession<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<WorkerSocket>, WorkerSocket>;

  ClientSession(WorkerSocket socket, ssl::context* context, DeadlineSweeper& deadlines,
                std::shared_ptr<const SnapshotSource> listener,
                std::shared_ptr<SessionShared> shared, ConnectionLimiter::Slot slot)
      : stream_(MakeStream(std::move(socket), context)),
        deadlines_(&deadlines),
        shared_(std::move(shared)),
        limits_(shared_->limits),
        slot_(std::move(slot)),
        body_hold_(&shared_->buffers),
        listener_(std::move(listener)),
        snapshot_(listener_->Current()),
        upstream_(stream_.get_executor()),
        client_deadline_(deadlines, [this] { CloseSocket(beast::get_lowest_layer(stream_)); }),
        upstream_deadline_(deadlines, [this] {
          upstream_timed_out_ = true;
          CloseSocket(upstream_);
        }) {}

  ~ClientSession() {
    EndInFlight();
    ReturnHeld();
  }

  void Start() {
    slot_.Track(this->weak_from_this());
    if constexpr (kTls) {
      SSL_set_ex_data(stream_.native_handle(), SnapshotExDataIndex(),
                      const_cast<ListenerSnapshot*>(snapshot_.get()));
      shared_->tickets.AttachTo(stream_.native_handle());
      client_deadline_.ExpiresAfter(limits_.handshake_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                self->CountHandshake(ec);
                                if (ec) return;
                                if (self->ChoseHttp2()) return self->HandOverToHttp2();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  // The handshake's outcome in the listener's counters.
  void CountHandshake(const beast::error_code& ec) {
    if constexpr (kTls) {
      ListenerTelemetry* telemetry = snapshot_->telemetry();
      if (telemetry == nullptr) return;
      if (!ec) {
        SSL* ssl = stream_.native_handle();
        const X509* certificate = SSL_get_certificate(ssl);
        const EVP_PKEY* key = certificate != nullptr ? X509_get0_pubkey(certificate) : nullptr;
        telemetry->HandshakeDone(TlsVersionLabelOf(SSL_version(ssl)),
                                 key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC,
                                 SSL_session_reused(ssl) == 1);
        return;
      }
      telemetry->HandshakeFailed(HandshakeTimedOut(ec) ? HandshakeFailure::kTimeout
                                 : ec.category() == net::error::get_ssl_category() &&
                                         ec != ssl::error::stream_truncated
                                     ? HandshakeFailure::kProtocol
                                     : HandshakeFailure::kClosed);
    }
  }
  // The handshake deadline closes the socket under the handshake: it ends aborted.
  static bool HandshakeTimedOut(const beast::error_code& ec) {
    return ec == net::error::operation_aborted || ec == net::error::bad_descriptor;
  }

  // Whether the client and the listener agreed on h2 by ALPN (server_context.cc).
  bool ChoseHttp2() {
    if constexpr (kTls) {
      const unsigned char* protocol = nullptr;
      unsigned int size = 0;
      SSL_get0_alpn_selected(stream_.native_handle(), &protocol, &size);
      return size == 2 && protocol[0] == 'h' && protocol[1] == '2';
    } else {
      return false;
    }
  }

  // The connection goes on as HTTP/2 (h2_session.h); this session ends here.
  void HandOverToHttp2() {
    if constexpr (kTls) {
      client_deadline_.Clear();
      StartH2Session(std::move(stream_), std::move(buffer_), *deadlines_, listener_, shared_,
                     std::move(slot_));
    }
  }

  // Closes the connection if it is waiting for its next request (the connection limiter
  // needs its place for a new one).
  void Reclaim() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) CloseSocket(beast::get_lowest_layer(self->stream_));
    });
  }

 private:
  // Client side: read a request.

  // A new connection's first request, or one already begun in the buffer, gets
  // header_timeout; a kept-alive connection first waits idle_timeout for the request's
  // first bytes (reclaimable meanwhile), then the same header_timeout.
  void AwaitRequest() {
    if (!kept_alive_ || buffer_.size() > 0) return ReadHeader();
    idle_ = true;
    slot_.Idle();
    client_deadline_.ExpiresAfter(KeepAliveTimeout());
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes), [self = this->shared_from_this()](
                                                                  beast::error_code ec, size_t n) {
      self->idle_ = false;
      self->slot_.Busy();
      if (ec) return self->Close();  // the client left, was reclaimed or stayed silent
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kRequestHeaderLimit);
    // No limit: a long body streams (and a short one takes its bytes from the shared
    // budget). Not boost::none: Boost 1.74's parser compares the length with the optional
    // and refuses every body.
    parser_->body_limit(kNoBodyLimit);
    client_deadline_.ExpiresAfter(limits_.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return ReadFailed(ec);
    BeginRecord();
    auto& header = parser_->get();
    if (auto refusal = CheckRequestHead(header)) return Refuse(refusal->status, refusal->body);
    const auto length = parser_->content_length();
    streaming_request_ = length && *length > kBufferedBodyLimit;
    streaming_chunked_ = false;
    chunked_.reset();
    request_body_left_ = streaming_request_ ? *length : 0;
    request_body_started_ = false;
    if (length && !streaming_request_ && !body_hold_.Grow(static_cast<size_t>(*length))) {
      return Refuse(http::status::service_unavailable, kBusyBody);
    }
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // Let the client send its body (it was waiting for this); the server never sees Expect.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    // No body, or one streamed to the server as it is forwarded (RelayRequestBody).
    if (parser_->is_done() || streaming_request_) return OnRequest();
    if (parser_->chunked()) return StartChunkedBody();
    client_deadline_.ExpiresAfter(limits_.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->ReadFailed(ec);
                       self->OnRequest();
                     });
  }

  // A chunked body: read piece by piece into pending_ while it is short — forwarded whole,
  // with a Content-Length, if it ends within kBufferedBodyLimit — else streamed to the server
  // chunked (RelayChunkedBody).
  void StartChunkedBody() {
    chunked_.emplace(std::move(*parser_));
    chunked_->body_limit(kNoBodyLimit);
    pending_.clear();
    relay_.resize(kRelayChunk);
    AccumulateChunked();
  }

  void AccumulateChunked() {
    ReadChunkedPiece([self = this->shared_from_this()](size_t n) {
      if (!self->body_hold_.Grow(n))
        return self->Refuse(http::status::service_unavailable, kBusyBody);
      self->pending_.append(self->relay_.data(), n);
      if (self->chunked_->is_done()) return self->OnRequest();
      if (self->pending_.size() > kBufferedBodyLimit) {
        self->streaming_chunked_ = true;
        return self->OnRequest();
      }
      self->AccumulateChunked();
    });
  }

  // Reads the chunked body's next piece into relay_; then(size). A malformed body is 400.
  template <typename Then>
  void ReadChunkedPiece(Then then) {
    auto& body = chunked_->get().body();
    body.data = relay_.data();
    body.size = relay_.size();
    client_deadline_.ExpiresAfter(limits_.body_timeout);
    http::async_read(stream_, buffer_, *chunked_,
                     [self = this->shared_from_this(), then](beast::error_code ec, size_t) {
                       self->client_deadline_.Clear();
                       if (ec == http::error::need_buffer) ec = {};
                       if (ec) {
                         CloseSocket(self->upstream_);  // a request it will never see end
                         return self->ReadFailed(ec);
                       }
                       then(self->relay_.size() - self->chunked_->get().body().size);
                     });
  }

  // The streamed chunked body after its header: what was read ahead, then piece by piece,
  // then the last chunk.
  void RelayChunkedBody() {
    request_body_started_ = true;
    // The server's clock runs while it is sent to, not while the client is waited for.
    upstream_deadline_.ExpiresAfter(RequestTimeout());
    auto next = [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->UpstreamFailed(/*got_response=*/false);
      self->RelayChunkedBody();
    };
    if (!pending_.empty()) {
      bytes_in_ += pending_.size();
      auto sent = [self = this->shared_from_this(), next](beast::error_code ec, size_t n) {
        self->pending_.clear();
        self->pending_.shrink_to_fit();
        self->body_hold_.Reset();
        next(ec, n);
      };
      net::async_write(upstream_, http::make_chunk(net::buffer(pending_)), std::move(sent));
      return;
    }
    if (chunked_->is_done()) {
      net::async_write(upstream_, http::make_chunk_last(),
                       [self = this->shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->UpstreamFailed(/*got_response=*/false);
                         self->chunked_.reset();
                         self->ReadUpstream();
                       });
      return;
    }
    upstream_deadline_.Clear();
    ReadChunkedPiece([self = this->shared_from_this(), next](size_t n) {
      self->bytes_in_ += n;
      if (n == 0) return self->RelayChunkedBody();
      self->upstream_deadline_.ExpiresAfter(self->RequestTimeout());
      net::async_write(self->upstream_, http::make_chunk(net::buffer(self->relay_.data(), n)),
                       next);
    });
  }

  void ReadFailed(beast::error_code ec) {
    const beast::error_code end_of_stream = http::error::end_of_stream;
    if (ec == http::error::body_limit) {
      return Refuse(http::status::payload_too_large, "413 Payload Too Large.\n");
    }
    if (ec == net::error::no_buffer_space) {
      return Refuse(http::status::service_unavailable, kBusyBody);
    }
    if (ec == http::error::header_limit) {
      return Refuse(http::status::request_header_fields_too_large,
                    "431 Request Header Fields Too Large.\n");
    }
    if (ec.category() == end_of_stream.category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return Refuse(http::status::bad_request, "400 Bad Request.\n");
    }
    Close();  // the client left or was too slow: nobody to answer
  }

  // Answers a request that was not read to its end, then closes by LingeringClose.
  void Refuse(http::status status, std::string_view body) {
    linger_ = true;
    Reply(status, body, /*close=*/true);
  }

  void OnRequest() {
    client_deadline_.Clear();  // the client waits for the answer; the server has its own
    if (chunked_) {            // the header went with the parser that reads the chunked body
      request_ = {};
      request_.base() = std::move(chunked_->get().base());
      if (!streaming_chunked_) request_.body() = std::move(pending_);
    } else {
      request_ = parser_->release();
    }
    client_keep_alive_ = request_.keep_alive();
    head_request_ = request_.method() == http::verb::head;
    bytes_in_ = streaming_request_ ? request_body_left_ : request_.body().size();
    route_ = listener_->Current();
    KnowClient();
    // An ACL associated (or changed) since the connection was accepted applies to its next
    // request: a client the listener no longer admits is told so and the connection closed.
    if (const AddressAcl* acl = route_->acl();
        acl != nullptr && client_address_ && !acl->Admits(*client_address_)) {
      return Refuse(http::status::forbidden, kAclRefusedBody);
    }
    if (route_->access_log() != nullptr) {
      logged_ = CaptureForLog(request_.method_string(), request_.target(), request_.base(),
                              route_->options().log_custom_headers);
    }
    pool_ = route_->forward();
    const std::string client_host(request_[http::field::host]);
    client_accepts_gzip_ = route_->options().gzip && !head_request_ &&
                           AcceptsGzip(request_[http::field::accept_encoding]);
    if (const RouteTable* routes = route_->routes()) {
      std::string host;
      const RequestFacts facts =
          FactsOf(request_, host, client_address_ ? &*client_address_ : nullptr);
      if (const CompiledRule* rule = routes->Match(facts)) {
        const RequestOrigin origin{client_ip_, client_port_, local_port_, kTls};
        RuleOutcome outcome =
            ApplyRequestRule(*rule, *routes, request_, origin, SteadyClock::now());
        if (outcome.answer) return ReplyByRule(std::move(outcome));
        response_headers_ = std::move(outcome.response_headers);
        if (outcome.pool == nullptr) {
          return Reply(http::status::service_unavailable, kNoServerBody, !client_keep_alive_);
        }
        pool_ = outcome.pool;
      }
    }
    if (pool_ == nullptr) {
      return Reply(http::status::service_unavailable, kNoForwardBody, !client_keep_alive_);
    }
    if (!route_->alt_svc().empty()) response_headers_.emplace_back("Alt-Svc", route_->alt_svc());
    if (pool_->policy().grpc) {  // gRPC servers speak HTTP/2 only: there is no way to them
      return Reply(http::status::bad_gateway, kGrpcNeedsHttp2Body, !client_keep_alive_);
    }
    PrepareForwardedHead(request_.base(),
                         ForwardingFacts{.client_ip = client_ip_,
                                         .client_port = client_port_,
                                         .tls = kTls,
                                         .listener_port = route_->port(),
                                         .load_balancer_id = route_->load_balancer_id(),
                                         .client_host = client_host},
                         route_->options());
    request_.keep_alive(pool_->policy().upstream_keepalive);
    // The body was read whole (de-chunked): it goes on with openalb's own Content-Length and
    // no Transfer-Encoding, whatever framing the client used (request_rules.h).
    request_.erase(http::field::content_length);
    if (streaming_request_) {
      request_.content_length(request_body_left_);  // the framing the client gave
    } else if (streaming_chunked_) {
      request_.chunked(true);  // re-framed by openalb, piece by piece
    } else {
      request_.prepare_payload();
    }
    affinity_ = AffinityOf(*pool_, request_, request_.target(), client_hash_);
    tried_.clear();
    Forward();
  }

  // The client's address and port, asked at the first request (a handshake alone does not
  // need them).
  void KnowClient() {
    if (client_known_) return;
    client_known_ = true;
    beast::error_code ec;
    auto remote = beast::get_lowest_layer(stream_).remote_endpoint(ec);
    if (!ec) {
      client_address_ = remote.address();
      client_ip_ = remote.address().to_string();
      client_port_ = remote.port();
    }
    auto local = beast::get_lowest_layer(stream_).local_endpoint(ec);
    if (!ec) local_port_ = local.port();
    client_hash_ = std::hash<std::string>{}(client_ip_);
  }

  // Server side: pick a server, reuse or open a connection, exchange.

  void Forward() {
    EndInFlight();
    backend_ = tried_.size() < kMaxServersTried
                   ? pool_->Pick(affinity_.key, tried_, affinity_.preferred)
                   : nullptr;
    if (backend_ == nullptr) {
      return Reply(http::status::service_unavailable, kNoServerBody, !client_keep_alive_);
    }
    tried_.push_back(backend_);
    logged_backend_ = backend_;
    if (pool_->policy().scheduler == Scheduler::kWlc) {
      in_flight_ = backend_->shared_from_this();
      in_flight_->BeginRequest();
    }
    if (held_.get() == backend_ && upstream_.is_open()) {
      reused_ = true;  // this session's own connection to the server from its last request
      return SendUpstream();
    }
    ReturnHeld();
    auto idle = pool_->policy().tls ? -1 : backend_->TakeIdle(SteadyClock::now());
    if (idle >= 0) {
      beast::error_code ec;
      upstream_.Reset();
      upstream_.socket().assign(backend_->endpoint().protocol(), idle, ec);
      if (!ec) {
        reused_ = true;
        return SendUpstream();
      }
    }
    Connect();
  }

  // Wlc: the request no longer counts against its server.
  void EndInFlight() {
    if (in_flight_ != nullptr) in_flight_->EndRequest();
    in_flight_.reset();
  }

  // Gives the connection this session kept to a server back to that server's pool.
  void ReturnHeld() {
    if (held_ != nullptr && upstream_.is_open() && upstream_buffer_.size() == 0 &&
        !upstream_.tls()) {
      held_->PutIdle(upstream_.socket().release(), SteadyClock::now());
    }
    upstream_.Reset();
    held_.reset();
  }

  void Connect() {
    reused_ = false;
    held_.reset();
    CloseSocket(upstream_);
    upstream_timed_out_ = false;
    upstream_.Reset();
    upstream_deadline_.ExpiresAfter(limits_.connect_timeout);
    connect_started_ = SteadyClock::now();
    upstream_.socket().async_connect(
        backend_->endpoint(), [self = this->shared_from_this()](beast::error_code ec) {
          if (ec) {
            // Refused or silent: pass it over for a while, try another.
            self->backend_->MarkDown(SteadyClock::now());
            return self->Forward();
          }
          beast::error_code ignored;
          self->upstream_.socket().set_option(tcp::no_delay(true), ignored);
          if (self->pool_->policy().tls) return self->HandshakeUpstream();
          self->CountConnected();
          self->SendUpstream();
        });
  }

  // HTTPS server group: TLS to the server (SNI the request's host) before the request.
  void HandshakeUpstream() {
    upstream_.StartTls(shared_->upstream_tls, ServerNameOf(request_[http::field::host]));
    upstream_.AsyncHandshake([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->backend_->MarkDown(SteadyClock::now());
        return self->Forward();
      }
      self->CountConnected();
      self->SendUpstream();
    });
  }

  void CountConnected() {
    if (ListenerTelemetry* telemetry = route_->telemetry()) {
      telemetry->UpstreamConnected(std::chrono::duration_cast<std::chrono::microseconds>(
          SteadyClock::now() - connect_started_));
    }
  }

  void SendUpstream() {
    sent_upstream_ = SteadyClock::now();
    upstream_buffer_.clear();
    upstream_timed_out_ = false;
    upstream_deadline_.ExpiresAfter(RequestTimeout());
    if (streaming_request_ || streaming_chunked_) {
      request_serializer_.emplace(request_);
      http::async_write_header(upstream_, *request_serializer_,
                               [self = this->shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) return self->UpstreamFailed(/*got_response=*/false);
                                 if (self->streaming_chunked_) return self->RelayChunkedBody();
                                 self->RelayRequestBody();
                               });
      return;
    }
    http::async_write(upstream_, request_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->UpstreamFailed(/*got_response=*/false);
                        self->ReadUpstream();
                      });
  }

  // The rest of a long request body: what the client already sent (in buffer_), then
  // kRelayChunk at a time — read from the client only once the server took the last piece.
  void RelayRequestBody() {
    if (request_body_left_ == 0) return ReadUpstream();
    request_body_started_ = true;  // from here a failed exchange cannot be retried
    // The server's clock runs while it is sent to, not while the client is waited for.
    if (buffer_.size() > 0) {
      upstream_deadline_.ExpiresAfter(RequestTimeout());
      const size_t n =
          static_cast<size_t>(std::min<std::uint64_t>(buffer_.size(), request_body_left_));
      net::async_write(upstream_, beast::buffers_prefix(n, buffer_.data()),
                       [self = this->shared_from_this()](beast::error_code ec, size_t written) {
                         if (ec) return self->UpstreamFailed(/*got_response=*/false);
                         self->buffer_.consume(written);
                         self->request_body_left_ -= written;
                         self->RelayRequestBody();
                       });
      return;
    }
    relay_.resize(kRelayChunk);
    upstream_deadline_.Clear();
    client_deadline_.ExpiresAfter(limits_.body_timeout);
    const size_t want =
        static_cast<size_t>(std::min<std::uint64_t>(relay_.size(), request_body_left_));
    stream_.async_read_some(net::buffer(relay_.data(), want), [self = this->shared_from_this()](
                                                                  beast::error_code ec, size_t n) {
      self->client_deadline_.Clear();
      if (ec) {  // the client left or stalled mid-body: nobody to answer
        CloseSocket(self->upstream_);
        return self->Close();
      }
      self->upstream_deadline_.ExpiresAfter(self->RequestTimeout());
      net::async_write(self->upstream_, net::buffer(self->relay_.data(), n),
                       [self](beast::error_code ec, size_t written) {
                         if (ec) return self->UpstreamFailed(/*got_response=*/false);
                         self->request_body_left_ -= written;
                         self->RelayRequestBody();
                       });
    });
  }

  // The answer's header first; a short body is then read whole (OnUpstreamResponse), a long
  // or unannounced one streamed (StreamResponse).
  void ReadUpstream() {
    upstream_deadline_.ExpiresAfter(RequestTimeout());
    response_parser_.emplace();
    response_parser_->body_limit(kNoBodyLimit);  // read whole only when short (below)
    if (head_request_) response_parser_->skip(true);
    http::async_read_header(upstream_, upstream_buffer_, *response_parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec)
                                return self->UpstreamFailed(self->response_parser_->got_some());
                              auto& parser = *self->response_parser_;
                              const unsigned status = parser.get().result_int();
                              if (status >= 100 && status < 200)
                                return self->ReadUpstream();  // interim
                              self->upstream_status_ = status;
                              self->upstream_time_ =
                                  std::chrono::duration_cast<std::chrono::microseconds>(
                                      SteadyClock::now() - self->sent_upstream_);
                              if (ListenerTelemetry* telemetry = self->route_->telemetry()) {
                                telemetry->UpstreamAnswered(self->upstream_time_);
                              }
                              const auto length = parser.content_length();
                              if (parser.is_done() || (length && *length <= kBufferedBodyLimit)) {
                                return self->ReadUpstreamBody();
                              }
                              self->StreamResponse();
                            });
  }

  void ReadUpstreamBody() {
    if (response_parser_->is_done()) return OnUpstreamResponse();
    http::async_read(upstream_, upstream_buffer_, *response_parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->UpstreamFailed(/*got_response=*/true);
                       self->OnUpstreamResponse();
                     });
  }

  // A long answer: its header (with the rules' changes) and then its body, kRelayChunk at a
  // time, read from the server only once the client took the last piece. Without a
  // Content-Length it goes to the client chunked.
  void StreamResponse() {
    bytes_out_ = 0;
    streamed_response_.emplace(std::move(*response_parser_));
    response_parser_.reset();
    streamed_response_->body_limit(kNoBodyLimit);
    auto& message = streamed_response_->get();
    upstream_keep_alive_ = message.keep_alive();
    PrepareAnswerHead(message, message.result_int(), route_->routes(), response_headers_, *pool_,
                      *backend_, affinity_);
    message.version(11);
    if (!message.has_content_length()) {
      if (request_.version() >= 11) {
        message.chunked(true);
      } else {
        client_keep_alive_ = false;  // an HTTP/1.0 client reads to the end of the connection
      }
    }
    message.keep_alive(client_keep_alive_);
    relay_.resize(kRelayChunk);
    response_serializer_.emplace(message);
    response_started_ = false;
    RelayResponseBody();
  }

  void RelayResponseBody() {
    auto& message = streamed_response_->get();
    if (streamed_response_->is_done()) {
      message.body().data = nullptr;
      message.body().size = 0;
      message.body().more = false;
      return WriteResponseChunk();
    }
    message.body().data = relay_.data();
    message.body().size = relay_.size();
    upstream_deadline_.ExpiresAfter(RequestTimeout());
    http::async_read(upstream_, upstream_buffer_, *streamed_response_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->upstream_deadline_.Clear();
                       if (ec == http::error::need_buffer) ec = {};
                       auto& message = self->streamed_response_->get();
                       if (ec) {
                         CloseSocket(self->upstream_);
                         self->held_.reset();
                         // Nothing sent yet: the client can still be told; else cut it off.
                         if (!self->response_started_) {
                           self->response_serializer_.reset();
                           self->streamed_response_.reset();
                           return self->UpstreamFailed(/*got_response=*/true);
                         }
                         self->EndRecord(message.result_int());  // its status went out
                         return self->Close();
                       }
                       message.body().size = self->relay_.size() - message.body().size;
                       self->bytes_out_ += message.body().size;
                       message.body().data = self->relay_.data();
                       message.body().more = !self->streamed_response_->is_done();
                       self->WriteResponseChunk();
                     });
  }

  void WriteResponseChunk() {
    response_started_ = true;
    client_deadline_.ExpiresAfter(limits_.idle_timeout);  // a client that does not read
    http::async_write(stream_, *response_serializer_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->client_deadline_.Clear();
                        if (ec == http::error::need_buffer) ec = {};
                        if (ec) {
                          CloseSocket(self->upstream_);
                          self->EndRecord(self->streamed_response_->get().result_int());
                          return self->Close();
                        }
                        if (!self->response_serializer_->is_done()) {
                          return self->RelayResponseBody();
                        }
                        self->FinishStreamedResponse();
                      });
  }

  void FinishStreamedResponse() {
    if (upstream_keep_alive_ && upstream_buffer_.size() == 0 &&
        pool_->policy().upstream_keepalive) {
      held_ = backend_->shared_from_this();
    } else {
      held_.reset();
      CloseSocket(upstream_);
    }
    EndRecord(streamed_response_->get().result_int());
    response_serializer_.reset();
    streamed_response_.reset();
    ForgetRequest();
    if (!client_keep_alive_) return Close();
    kept_alive_ = true;
    AwaitRequest();
  }

  // How long a server may take to answer (and between pieces of a streamed body): the
  // listener's RequestTimeout, within the operator's --dataplane-response-timeout.
  std::chrono::milliseconds RequestTimeout() const {
    return std::min<std::chrono::milliseconds>(
        limits_.response_timeout, std::chrono::seconds(route_->options().request_timeout_s));
  }

  void UpstreamFailed(bool got_response) {
    upstream_deadline_.Clear();
    held_.reset();
    CloseSocket(upstream_);
    // A kept-alive connection the server had already closed: the request never reached
    // it, so send it again on a fresh connection to the same server (unless part of a
    // streamed body was already taken from the client).
    if (reused_ && !got_response && !upstream_timed_out_ && !request_body_started_) {
      return Connect();
    }
    if (upstream_timed_out_) {
      return Reply(http::status::gateway_timeout, kTimeoutBody, true);
    }
    Reply(http::status::bad_gateway, kBadGatewayBody, true);
  }

  void OnUpstreamResponse() {
    const unsigned status = response_parser_->get().result_int();
    upstream_deadline_.Clear();
    response_ = response_parser_->release();
    // The connection stays with this session while it is reused: its next request most
    // often goes to the same server, and then costs no pool round trip.
    if (response_.keep_alive() && upstream_buffer_.size() == 0 &&
        pool_->policy().upstream_keepalive) {
      held_ = backend_->shared_from_this();
    } else {
      held_.reset();
      CloseSocket(upstream_);
    }
    PrepareAnswerHead(response_, status, route_->routes(), response_headers_, *pool_, *backend_,
                      affinity_);
    MaybeGzip();
    if (head_request_) {
      response_.chunked(false);  // keep Content-Length as the server said, send no body
    } else {
      response_.prepare_payload();
    }
    response_.keep_alive(client_keep_alive_);
    WriteResponse(!client_keep_alive_);
  }

  // Back to the client.

  // Whether the request's body is still (partly) unread: a streamed one not forwarded. Its
  // answer then closes the connection by LingeringClose (the rest cannot be told from a
  // next request).
  bool BodyUnread() const {
    return (streaming_request_ && request_body_left_ > 0) || (chunked_ && !chunked_->is_done());
  }

  void Reply(http::status status, std::string_view body, bool close) {
    if (BodyUnread()) {
      linger_ = true;
      close = true;
    }
    response_ = {};
    response_.version(11);
    response_.result(status);
    response_.set(http::field::server, "openalb");
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    response_.body() = std::string(body);
    response_.keep_alive(!close);
    response_.prepare_payload();
    WriteResponse(close);
  }

  // GzipEnabled: a complete, compressible answer of some size to a client that takes gzip.
  void MaybeGzip() { GzipAnswer(response_, client_accepts_gzip_); }

  // How long a kept-alive connection waits for its next request: the listener's IdleTimeout,
  // within the operator's --dataplane-idle-timeout.
  std::chrono::milliseconds KeepAliveTimeout() const {
    const auto& snapshot = route_ ? route_ : snapshot_;
    return std::min<std::chrono::milliseconds>(
        limits_.idle_timeout, std::chrono::seconds(snapshot->options().idle_timeout_s));
  }

  // A rule's own answer (Redirect, FixedResponse, a CORS preflight, a traffic limit).
  void ReplyByRule(RuleOutcome outcome) {
    if (BodyUnread()) {
      linger_ = true;
      client_keep_alive_ = false;
    }
    response_ = {};
    response_.version(11);
    response_.result(outcome.status);
    response_.set(http::field::server, "openalb");
    if (!outcome.content_type.empty()) {
      response_.set(http::field::content_type, outcome.content_type);
    }
    for (const auto& [name, value] : outcome.headers) response_.insert(name, value);
    response_.body() = std::move(outcome.body);
    response_.keep_alive(client_keep_alive_);
    response_.prepare_payload();
    if (head_request_) response_.body().clear();  // Content-Length stays: a HEAD's answer
    WriteResponse(!client_keep_alive_);
  }

  void WriteResponse(bool close) {
    client_deadline_.ExpiresAfter(limits_.idle_timeout);  // a client that does not read
    if (!record_open_) BeginRecord();                     // refused before its head was read whole
    bytes_out_ = response_.body().size();
    http::async_write(stream_, response_,
                      [self = this->shared_from_this(), close](beast::error_code ec, size_t) {
                        self->EndRecord(self->response_.result_int());
                        self->ForgetRequest();
                        if (ec || close) return self->Close();
                        self->kept_alive_ = true;
                        self->AwaitRequest();
                      });
  }

  // The exchange is over: its body's memory and budget go back.
  void ForgetRequest() {
    EndInFlight();
    request_serializer_.reset();
    request_ = {};
    response_ = {};
    response_headers_.clear();
    body_hold_.Reset();
  }

  // A request's life in the listener's counters: from its head read to its answer's end.
  void BeginRecord() {
    record_open_ = true;
    record_start_ = SteadyClock::now();
    // The wall clock only for a listener that logs (the counters need the steady one).
    record_time_ = (route_ ? route_ : snapshot_)->access_log() != nullptr
                       ? std::chrono::system_clock::now()
                       : std::chrono::system_clock::time_point{};
    bytes_in_ = 0;
    bytes_out_ = 0;
    logged_.reset();
    logged_backend_ = nullptr;
    upstream_status_ = 0;
    upstream_time_ = std::chrono::microseconds(-1);
  }
  // `status` 0: the client went away before an answer.
  void EndRecord(unsigned status) {
    if (!record_open_) return;
    record_open_ = false;
    const auto& snapshot = route_ ? route_ : snapshot_;
    const auto took =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - record_start_);
    if (ListenerTelemetry* telemetry = snapshot->telemetry()) {
      telemetry->RequestDone(status, bytes_in_, bytes_out_, took);
    }
    if (AccessLogWriter* log = snapshot->access_log()) {
      WriteAccessLog(*log, *snapshot, status, took);
    }
  }

  // The request's access-log line (the listener's load balancer logs).
  void WriteAccessLog(AccessLogWriter& log, const ListenerSnapshot& snapshot, unsigned status,
                      std::chrono::microseconds took) {
    if (!logged_ && parser_) {  // refused before it was routed: what its head said
      const auto& head = parser_->get();
      logged_ = CaptureForLog(head.method_string(), head.target(), head.base(),
                              snapshot.options().log_custom_headers);
    }
    KnowClient();
    AccessLogFields fields;
    fields.request_time = took;
    fields.SetTime(record_time_);
    snapshot.SetListenerFields(fields);
    fields.client_ip = client_ip_;
    fields.client_port = client_port_;
    if constexpr (kTls) {
      const TlsLogFacts tls = TlsLogFactsOf(stream_.native_handle());
      fields.SetTls(tls.sni, tls.version, tls.cipher, tls.certificate_id);
    }
    if (logged_) fields.SetRequest(*logged_, snapshot.options().log_custom_headers);
    fields.protocol = "HTTP/1.1";
    fields.status = status;
    fields.request_length = bytes_in_;
    fields.body_bytes_sent = bytes_out_;
    if (logged_backend_ != nullptr) fields.upstream_addr = logged_backend_->address_port();
    fields.upstream_status = upstream_status_;
    fields.upstream_response_time = upstream_time_;
    log.Write(fields);
  }

  void Close() {
    EndRecord(0);
    if (linger_) return LingeringClose();
    if constexpr (kTls) {
      client_deadline_.ExpiresAfter(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.shutdown(tcp::socket::shutdown_send, ignored);
      CloseSocket(stream_);
    }
  }

  // Half-closes (the client reads our answer, then end of stream) and discards what it
  // still sends until it closes too, kLingerTimeout passes or kLingerBytes arrive. On TLS
  // the rest of the client's records are dropped unread, so no close_notify is sent.
  void LingeringClose() {
    auto& socket = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    client_deadline_.ExpiresAfter(kLingerTimeout);
    drain_.resize(16 * 1024);
    Drain(kLingerBytes);
  }

  void Drain(size_t budget) {
    beast::get_lowest_layer(stream_).async_read_some(
        net::buffer(drain_),
        [self = this->shared_from_this(), budget](beast::error_code ec, size_t n) {
          if (ec || n >= budget) return CloseSocket(beast::get_lowest_layer(self->stream_));
          self->Drain(budget - n);
        });
  }

  static Stream MakeStream(WorkerSocket socket, ssl::context* context) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *context);
    } else {
      (void)context;
      return socket;
    }
  }

  static void CloseSocket(WorkerSocket& socket) {
    beast::error_code ignored;
    socket.close(ignored);
  }
  static void CloseSocket(UpstreamStream& upstream) { upstream.Close(); }

  Stream stream_;
  DeadlineSweeper* deadlines_;  // this connection's thread's (an HTTP/2 hand-over needs it)
  std::shared_ptr<SessionShared> shared_;
  const SessionLimits& limits_;  // shared_'s
  ConnectionLimiter::Slot slot_;
  ByteBudget::Hold body_hold_;  // the current request body's share of shared_->buffers
  bool kept_alive_ = false;     // a request was answered on this connection already
  bool idle_ = false;           // waiting for a kept-alive connection's next request
  std::shared_ptr<const SnapshotSource> listener_;
  std::shared_ptr<const ListenerSnapshot> snapshot_;  // the handshake's, for the connection's life
  std::shared_ptr<const ListenerSnapshot> route_;     // the current request's
  const BackendPool* pool_ = nullptr;  // where the current request goes; owned by route_
  // Added to the server's answer: what the matched rule asked for (CORS, sticky cookie).
  std::vector<std::pair<std::string, std::string>> response_headers_;
  bool client_known_ = false;
  std::optional<net::ip::address> client_address_;
  std::string client_ip_;
  int client_port_ = 0;
  int local_port_ = 0;
  std::uint64_t client_hash_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  bool client_keep_alive_ = false;
  bool head_request_ = false;
  bool client_accepts_gzip_ = false;
  bool linger_ = false;  // close by LingeringClose: the client may still be sending
  std::string drain_;    // where LingeringClose drops what it reads

  UpstreamStream upstream_;  // on this session's thread; TLS for an HTTPS server group
  beast::flat_buffer upstream_buffer_;
  BackendServerState* backend_ = nullptr;  // owned by pool_
  // The server upstream_ is connected to between requests (kept alive by this pointer
  // when a new snapshot drops the server).
  std::shared_ptr<BackendServerState> held_;
  std::vector<const BackendServerState*> tried_;
  Affinity affinity_;  // the current request's hash key and sticky server
  // Wlc: the server the current request counts against (BeginRequest'ed) until it ends.
  std::shared_ptr<BackendServerState> in_flight_;
  bool reused_ = false;
  std::optional<http::response_parser<http::string_body>> response_parser_;
  // Streaming a long body (see kBufferedBodyLimit): the request's bytes left to send, and the
  // answer's parser and serializer sharing one message, whose body points into relay_.
  bool streaming_request_ = false;
  bool request_body_started_ = false;
  std::uint64_t request_body_left_ = 0;
  std::optional<http::request_serializer<http::string_body>> request_serializer_;
  std::optional<http::response_parser<http::buffer_body>> streamed_response_;
  std::optional<http::response_serializer<http::buffer_body>> response_serializer_;
  bool upstream_keep_alive_ = false;
  bool response_started_ = false;
  std::vector<char> relay_;
  // A chunked request body: its parser, what was read ahead, and whether it streams.
  std::optional<http::request_parser<http::buffer_body>> chunked_;
  std::string pending_;
  bool streaming_chunked_ = false;
  http::response<http::string_body> response_;
  bool upstream_timed_out_ = false;
  // The current request in the listener's counters (BeginRecord, EndRecord).
  bool record_open_ = false;
  SteadyClock::time_point record_start_{};
  SteadyClock::time_point connect_started_{};
  SteadyClock::time_point sent_upstream_{};
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  // And in its access-log line, when the listener logs.
  std::chrono::system_clock::time_point record_time_{};
  std::optional<LoggedRequest> logged_;
  const BackendServerState* logged_backend_ = nullptr;  // the last server tried; owned by route_
  unsigned upstream_status_ = 0;
  std::chrono::microseconds upstream_time_{-1};
  // Last: they may call back into the members above until they are gone.
  Deadline client_deadline_;
  Deadline upstream_deadline_;
};

}  // namespace

int SnapshotExDataIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int ChosenCertificateExDataIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TlsLogFacts TlsLogFactsOf(SSL* ssl) {
  TlsLogFacts facts;
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) facts.sni = sni;
  facts.version = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) facts.cipher = cipher;
  if (const auto* chosen = static_cast<const ServedCertificate*>(
          SSL_get_ex_data(ssl, ChosenCertificateExDataIndex()))) {
    facts.certificate_id = chosen->certificate_id;
  }
  return facts;
}

void StartClientSession(WorkerSocket socket, ssl::context* tls_context, DeadlineSweeper& deadlines,
                        std::shared_ptr<const SnapshotSource> listener,
                        std::shared_ptr<SessionShared> shared, ConnectionLimiter::Slot slot) {
  if (tls_context != nullptr) {
    std::make_shared<ClientSession<true>>(std::move(socket), tls_context, deadlines,
                                          std::move(listener), std::move(shared), std::move(slot))
        ->Start();
  } else {
    std::make_shared<ClientSession<false>>(std::move(socket), nullptr, deadlines,
                                           std::move(listener), std::move(shared), std::move(slot))
        ->Start();
  }
}

}  // namespace openalb
