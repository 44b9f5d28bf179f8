#include "dataplane/h2_session.h"

#include <nghttp2/nghttp2.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ascii_case.h"
#include "dataplane/access_log_line.h"
#include "dataplane/forwarding.h"
#include "dataplane/gzip_body.h"
#include "dataplane/h2_upstream.h"
#include "dataplane/request_rules.h"
#include "dataplane/rule_actions.h"
#include "dataplane/session_affinity.h"
#include "dataplane/upstream_stream.h"

namespace openalb {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using H2Clock = std::chrono::steady_clock;
using H2Deadline = DeadlineSweeper::Deadline;
using TlsStream = beast::ssl_stream<WorkerSocket>;

constexpr std::uint32_t kMaxConcurrentStreams = 100;
constexpr std::int32_t kStreamWindow = 256 * 1024;  // what a request body may run ahead
constexpr std::int32_t kConnectionWindow = 4 * 1024 * 1024;
constexpr size_t kMaxHeaderListBytes = 32 * 1024;  // as HTTP/1.1's request head limit
constexpr size_t kDownloadHighWater = 256 * 1024;  // an answer read ahead of the client
constexpr size_t kRelayPiece = 16 * 1024;
// Server connections a client connection keeps for its next streams (registered with its
// thread's epoll already: reusing one costs no syscall before the request is written).
constexpr size_t kKeptUpstreams = 128;
constexpr std::uint64_t kH2BufferedAnswer = 1024 * 1024;  // gzip applies up to this
constexpr size_t kMaxServerAttempts = 3;
constexpr size_t kReadPiece = 16 * 1024;
constexpr size_t kWriteBatch = 64 * 1024;  // frames gathered into one write
// Resets, SETTINGS and PINGs a client may send in one second before it is cut off.
constexpr int kMaxResetsPerSecond = 200;
// Resets over a connection's life after which it is cut off if it reset more than twice the
// streams it let complete (a slow rapid-reset client).
constexpr std::uint64_t kMaxResetsOverall = 1000;
constexpr int kMaxControlFramesPerSecond = 200;

// Fields of an HTTP/1.1 answer that have no place in HTTP/2 (RFC 9113 §8.2.2).
bool ConnectionSpecific(std::string_view lower_name) {
  return lower_name == "connection" || lower_name == "keep-alive" ||
         lower_name == "proxy-connection" || lower_name == "transfer-encoding" ||
         lower_name == "upgrade" || lower_name == "te" || lower_name == "trailer";
}

class H2Connection;

// One stream: a request forwarded to a server as one HTTP/1.1 exchange, or — to a gRPC server
// group — as a stream of an HTTP/2 connection to the server (h2_upstream.h), trailers and all.
class H2Stream : public std::enable_shared_from_this<H2Stream>, public H2UpstreamExchange {
 public:
  H2Stream(std::shared_ptr<H2Connection> connection, std::int32_t id, DeadlineSweeper& deadlines,
           const WorkerSocket::executor_type& executor);
  ~H2Stream() { EndInFlight(); }

  bool AddHeader(std::string_view name, std::string_view value);
  void OnHeadersComplete(bool end_stream);
  void OnData(const std::uint8_t* data, size_t size);
  void OnEndStream();
  void Cancel();
  ssize_t ReadAnswer(std::uint8_t* out, size_t size, std::uint32_t* flags);
  // The stream closed: it counts in its listener's requests (status none if unanswered).
  void CountClosed();

  // H2UpstreamExchange: a gRPC server's answer.
  ssize_t ReadRequestBody(std::uint8_t* out, size_t size, std::uint32_t* flags) override;
  void OnAnswerHead(unsigned status, std::vector<H2Field> fields, bool end_stream) override;
  void OnAnswerData(const std::uint8_t* data, size_t size) override;
  void OnAnswerEnd(std::vector<H2Field> trailers) override;
  void OnAnswerFailed(bool unprocessed) override;

 private:
  void Respond(unsigned status, std::string_view content_type, std::string body,
               const std::vector<std::pair<std::string, std::string>>& headers = {});
  void Forward();
  // gRPC: the request as an HTTP/2 stream to the chosen server.
  void BuildH2Head();
  void OpenOnServer();
  void OnServerTimeout();
  // The request timeout, from now: a gRPC stream may last long, but not silent that long.
  void ArmServerDeadline();
  void SubmitTrailers();
  void Connect();
  void SendHead();
  void PumpUpload();
  void ReadResponseHead();
  void OnResponseHead();
  void ReadWholeAnswer();
  void SubmitAnswer(const http::fields& fields, unsigned status, bool with_body);
  // The answer head as HTTP/2 fields (lower-case names; connection-specific ones dropped).
  void SubmitHead(unsigned status, const std::vector<H2Field>& fields, bool with_body);
  void ReadMore();
  void FinishUpstream();
  void Failed(bool timed_out);
  void Consume(size_t size);
  void EndInFlight();
  void Flush();
  // The listener's counters once the request is routed (null before, or when not counted).
  ListenerTelemetry* Telemetry() const;

  std::shared_ptr<H2Connection> connection_;
  const std::int32_t id_;
  http::request<http::empty_body> request_;
  size_t header_bytes_ = 0;
  std::string method_, path_, authority_, scheme_;
  bool end_stream_ = false;  // the client sent its whole request
  bool cancelled_ = false;   // the stream is closed: nothing more to do
  bool answered_ = false;    // a response was submitted
  bool forwarding_ = false;  // a server takes the request
  bool upload_started_ = false;
  bool upload_writing_ = false;
  bool upload_done_ = false;
  bool chunked_upload_ = false;
  bool body_sent_ = false;  // a piece of the body left for the server: no retry elsewhere
  bool head_request_ = false;
  bool accepts_gzip_ = false;
  std::string upload_;           // request body received, not yet written to the server
  std::string upload_frame_;     // what is being written
  size_t upload_frame_raw_ = 0;  // its body bytes (what the client's window gets back)
  std::shared_ptr<const ListenerSnapshot> route_;
  const BackendPool* pool_ = nullptr;
  Affinity affinity_;
  std::vector<const BackendServerState*> tried_;
  BackendServerState* backend_ = nullptr;
  std::shared_ptr<BackendServerState> in_flight_;
  std::vector<std::pair<std::string, std::string>> response_headers_;
  // The server connection; a fresh one replaces it when a kept one is handed back.
  std::unique_ptr<UpstreamStream> upstream_;
  WorkerSocket::executor_type executor_;
  bool reused_ = false;
  bool timed_out_ = false;
  beast::flat_buffer upstream_buffer_;
  std::string head_;  // the request head as the server gets it
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::unique_ptr<char[]> relay_;  // kRelayPiece, not zeroed
  bool reading_ = false;
  bool upstream_done_ = false;
  bool upstream_keep_alive_ = false;
  std::string download_;  // answer read from the server, not yet framed to the client
  size_t download_offset_ = 0;
  bool download_done_ = false;
  bool deferred_ = false;
  H2Deadline deadline_;  // the server's, while it is being talked to
  // gRPC server groups: the HTTP/2 connection to the server, the stream on it, the request
  // head it gets and the trailers the answer ends with.
  std::shared_ptr<H2Upstream> h2_upstream_;
  std::int32_t h2_upstream_id_ = -1;
  std::vector<H2Field> h2_head_;
  std::vector<H2Field> trailers_;
  bool te_trailers_ = false;  // the client said it takes trailers
  // In the listener's counters: when its head began, its answer's status, body bytes.
  H2Clock::time_point started_ = H2Clock::now();
  std::chrono::system_clock::time_point record_time_{};  // taken when the listener logs
  std::optional<LoggedRequest> logged_;                  // when the listener logs
  unsigned upstream_status_ = 0;
  std::chrono::microseconds upstream_time_{-1};
  H2Clock::time_point connect_started_{};
  H2Clock::time_point sent_upstream_{};
  unsigned status_ = 0;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

class H2Connection : public Reclaimable, public std::enable_shared_from_this<H2Connection> {
 public:
  H2Connection(TlsStream stream, beast::flat_buffer already_read, DeadlineSweeper& deadlines,
               std::shared_ptr<const SnapshotSource> listener,
               std::shared_ptr<SessionShared> shared, ConnectionLimiter::Slot slot)
      : stream_(std::move(stream)),
        in_(std::move(already_read)),
        deadlines_(deadlines),
        listener_(std::move(listener)),
        shared_(std::move(shared)),
        slot_(std::move(slot)),
        deadline_(deadlines, [this] { OnDeadline(); }) {}
  ~H2Connection() override {
    if (ng_ != nullptr) nghttp2_session_del(ng_);
  }

  void Start();
  void Reclaim() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->streams_.empty()) self->Close();
    });
  }

  nghttp2_session* ng() { return ng_; }
  DeadlineSweeper& deadlines() { return deadlines_; }
  const SessionLimits& limits() const { return shared_->limits; }
  std::shared_ptr<const ListenerSnapshot> Current() const { return listener_->Current(); }
  const std::string& client_ip() const { return client_ip_; }
  int client_port() const { return client_port_; }
  SSL* native_handle() { return stream_.native_handle(); }
  int local_port() const { return local_port_; }
  const std::optional<net::ip::address>& client_address() const { return client_address_; }
  std::uint64_t client_hash() const { return client_hash_; }
  void Flush();
  // Flush once the handlers ready now have run: the frames of every stream that completed
  // meanwhile go out in one write.
  void FlushSoon();
  // A server connection this client connection kept for `server`, if any.
  std::unique_ptr<UpstreamStream> TakeUpstream(const BackendServerState* server);
  // Keeps a server connection for the next streams (the rest go to the server's pool).
  void KeepUpstream(std::shared_ptr<BackendServerState> server,
                    std::unique_ptr<UpstreamStream> upstream);
  boost::asio::ssl::context& upstream_tls() { return shared_->upstream_tls; }
  // This connection's HTTP/2 connection to a gRPC server, opened when it has none usable.
  std::shared_ptr<H2Upstream> H2UpstreamFor(BackendServerState& server);

 private:
  void Read();
  bool Receive();
  void Close();
  void CloseSocket() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
  }
  void Arm();
  // Idle for its IdleTimeout: GOAWAY(NO_ERROR), then closed once it is written (a client
  // then knows no stream was lost). Mid-stream, the connection is simply closed.
  void OnDeadline();
  bool Flooding(int& count, int limit);
  void CutOff();

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                      size_t name_size, const std::uint8_t* value, size_t value_size,
                      std::uint8_t flags, void* self);
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnData(nghttp2_session*, std::uint8_t flags, std::int32_t stream_id,
                    const std::uint8_t* data, size_t size, void* self);
  static int OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t error,
                           void* self);

  TlsStream stream_;
  beast::flat_buffer in_;
  DeadlineSweeper& deadlines_;
  std::shared_ptr<const SnapshotSource> listener_;
  std::shared_ptr<SessionShared> shared_;
  ConnectionLimiter::Slot slot_;
  nghttp2_session* ng_ = nullptr;
  std::map<std::int32_t, std::shared_ptr<H2Stream>> streams_;
  std::vector<std::pair<std::shared_ptr<BackendServerState>, std::unique_ptr<UpstreamStream>>>
      upstreams_;
  std::vector<std::shared_ptr<H2Upstream>> h2_upstreams_;  // one per gRPC server in use
  std::string out_;
  bool writing_ = false;
  bool flush_posted_ = false;
  bool close_when_flushed_ = false;  // an idle connection's GOAWAY is on its way
  bool closed_ = false;
  std::optional<net::ip::address> client_address_;
  std::string client_ip_;
  int client_port_ = 0;
  int local_port_ = 0;
  std::uint64_t client_hash_ = 0;
  // Flood accounting: what arrived in the current one-second window.
  H2Clock::time_point window_start_{};
  int resets_ = 0;
  std::uint64_t total_resets_ = 0;       // over the connection's life
  std::uint64_t completed_streams_ = 0;  // closed without an error
  int control_frames_ = 0;
  H2Deadline deadline_;
};

// --- H2Connection ---

void H2Connection::Start() {
  slot_.Track(weak_from_this());
  slot_.Busy();
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(stream_);
  auto remote = socket.remote_endpoint(ec);
  if (!ec) {
    client_address_ = remote.address();
    client_ip_ = remote.address().to_string();
    client_port_ = remote.port();
  }
  auto local = socket.local_endpoint(ec);
  if (!ec) local_port_ = local.port();
  client_hash_ = std::hash<std::string>{}(client_ip_);

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrame);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);  // consumed as the server takes it
  nghttp2_option_set_max_settings(option, 32);
  nghttp2_session_server_new2(&ng_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);

  const std::array<nghttp2_settings_entry, 3> settings = {{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(kMaxHeaderListBytes)},
  }};
  nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(ng_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  if (in_.size() > 0 && !Receive()) return;
  Flush();
  Read();
}

void H2Connection::Arm() {
  if (streams_.empty()) {
    const auto snapshot = listener_->Current();
    deadline_.ExpiresAfter(std::min<std::chrono::milliseconds>(
        limits().idle_timeout, std::chrono::seconds(snapshot->options().idle_timeout_s)));
    slot_.Idle();
  } else {
    deadline_.ExpiresAfter(std::max(limits().body_timeout, limits().response_timeout) +
                           std::chrono::seconds(5));
    slot_.Busy();
  }
}

void H2Connection::OnDeadline() {
  if (closed_ || close_when_flushed_) return CloseSocket();
  if (!streams_.empty()) return CloseSocket();
  close_when_flushed_ = true;
  nghttp2_submit_goaway(ng_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(ng_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  deadline_.ExpiresAfter(std::chrono::seconds(5));  // a client that does not read it
  Flush();
}

void H2Connection::Read() {
  if (closed_) return;
  Arm();
  stream_.async_read_some(in_.prepare(kReadPiece),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (ec) return self->Close();
                            self->in_.commit(n);
                            if (!self->Receive()) return;
                            self->Flush();
                            self->Read();
                          });
}

bool H2Connection::Receive() {
  const auto data = in_.data();
  const ssize_t used =
      nghttp2_session_mem_recv(ng_, static_cast<const std::uint8_t*>(data.data()), data.size());
  if (used < 0) {  // a protocol error: nghttp2 has queued GOAWAY; send it, then close
    Flush();
    Close();
    return false;
  }
  in_.consume(static_cast<size_t>(used));
  return !closed_;
}

void H2Connection::Flush() {
  if (writing_ || closed_ || ng_ == nullptr) return;
  if (!TakeSessionOutput(ng_, out_, kWriteBatch)) return Close();
  if (out_.empty()) {
    if (close_when_flushed_ ||
        (nghttp2_session_want_read(ng_) == 0 && nghttp2_session_want_write(ng_) == 0)) {
      Close();
    }
    return;
  }
  writing_ = true;
  net::async_write(stream_, net::buffer(out_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->writing_ = false;
                     self->out_.clear();
                     if (ec) return self->Close();
                     self->Flush();
                   });
}

std::unique_ptr<UpstreamStream> H2Connection::TakeUpstream(const BackendServerState* server) {
  for (auto it = upstreams_.rbegin(); it != upstreams_.rend(); ++it) {
    if (it->first.get() != server) continue;
    auto upstream = std::move(it->second);
    upstreams_.erase(std::next(it).base());
    return upstream;
  }
  return nullptr;
}

void H2Connection::KeepUpstream(std::shared_ptr<BackendServerState> server,
                                std::unique_ptr<UpstreamStream> upstream) {
  if (!closed_ && upstreams_.size() < kKeptUpstreams) {
    upstreams_.emplace_back(std::move(server), std::move(upstream));
  } else if (!upstream->tls()) {
    server->PutIdle(upstream->socket().release(), H2Clock::now());
  }
}

std::shared_ptr<H2Upstream> H2Connection::H2UpstreamFor(BackendServerState& server) {
  std::erase_if(h2_upstreams_, [](const auto& upstream) { return !upstream->Usable(); });
  for (const auto& upstream : h2_upstreams_) {
    if (upstream->server() == &server) return upstream;
  }
  auto upstream = std::make_shared<H2Upstream>(stream_.get_executor(), server.shared_from_this(),
                                               deadlines_, limits().connect_timeout);
  upstream->Start();
  h2_upstreams_.push_back(upstream);
  return upstream;
}

void H2Connection::FlushSoon() {
  if (flush_posted_ || closed_) return;
  flush_posted_ = true;
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->Flush();
  });
}

void H2Connection::Close() {
  if (closed_) return;
  closed_ = true;
  deadline_.Clear();
  for (auto& [server, upstream] : upstreams_) {
    if (!upstream->tls()) server->PutIdle(upstream->socket().release(), H2Clock::now());
  }
  upstreams_.clear();
  auto streams = std::move(streams_);
  streams_.clear();
  for (auto& [id, stream] : streams) stream->Cancel();
  for (auto& upstream : h2_upstreams_) upstream->Close();
  h2_upstreams_.clear();
  CloseSocket();
}

bool H2Connection::Flooding(int& count, int limit) {
  const auto now = H2Clock::now();
  if (now - window_start_ > std::chrono::seconds(1)) {
    window_start_ = now;
    resets_ = 0;
    control_frames_ = 0;
  }
  return ++count > limit;
}

void H2Connection::CutOff() {
  nghttp2_submit_goaway(ng_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(ng_),
                        NGHTTP2_ENHANCE_YOUR_CALM, nullptr, 0);
  Flush();
  // Whatever the client sends after this is not read; the GOAWAY goes out, then the socket.
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

int H2Connection::OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto stream = std::make_shared<H2Stream>(self->shared_from_this(), frame->hd.stream_id,
                                           self->deadlines_, self->stream_.get_executor());
  self->streams_[frame->hd.stream_id] = std::move(stream);
  return 0;
}

int H2Connection::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                           size_t name_size, const std::uint8_t* value, size_t value_size,
                           std::uint8_t, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end()) return 0;
  const bool ok = it->second->AddHeader({reinterpret_cast<const char*>(name), name_size},
                                        {reinterpret_cast<const char*>(value), value_size});
  // Over the header list limit: the stream is reset (RST_STREAM), the connection goes on.
  return ok ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

int H2Connection::OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS: {
      auto it = self->streams_.find(frame->hd.stream_id);
      if (it == self->streams_.end()) break;
      auto stream = it->second;
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
        stream->OnHeadersComplete(end_stream);
      } else if (end_stream) {
        stream->OnEndStream();  // after trailers
      }
      break;
    }
    case NGHTTP2_DATA:
      if (end_stream) {
        auto it = self->streams_.find(frame->hd.stream_id);
        if (it != self->streams_.end()) it->second->OnEndStream();
      }
      break;
    case NGHTTP2_RST_STREAM:
      ++self->total_resets_;
      // A burst, or a connection that mostly resets what it opens, however slowly.
      if (self->Flooding(self->resets_, kMaxResetsPerSecond) ||
          (self->total_resets_ > kMaxResetsOverall &&
           self->total_resets_ > 2 * self->completed_streams_)) {
        self->CutOff();
      }
      break;
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
    case NGHTTP2_PRIORITY:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0 &&
          self->Flooding(self->control_frames_, kMaxControlFramesPerSecond)) {
        self->CutOff();
      }
      break;
    default:
      break;
  }
  return 0;
}

int H2Connection::OnData(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                         const std::uint8_t* data, size_t size, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) {
    nghttp2_session_consume_connection(session, size);  // nobody reads it
    return 0;
  }
  auto stream = it->second;
  stream->OnData(data, size);
  return 0;
}

int H2Connection::OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t error,
                                void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (error == NGHTTP2_NO_ERROR) ++self->completed_streams_;
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return 0;
  auto stream = std::move(it->second);
  self->streams_.erase(it);
  stream->CountClosed();
  stream->Cancel();
  if (self->streams_.empty()) self->Arm();  // idle from now: IdleTimeout, reclaimable
  return 0;
}

ssize_t ReadAnswerCallback(nghttp2_session*, std::int32_t, std::uint8_t* out, size_t size,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
  return static_cast<H2Stream*>(source->ptr)->ReadAnswer(out, size, flags);
}

// --- H2Stream ---

H2Stream::H2Stream(std::shared_ptr<H2Connection> connection, std::int32_t id,
                   DeadlineSweeper& deadlines, const WorkerSocket::executor_type& executor)
    : connection_(std::move(connection)),
      id_(id),
      upstream_(std::make_unique<UpstreamStream>(executor)),
      executor_(executor),
      deadline_(deadlines, [this] {
        timed_out_ = true;
        if (h2_upstream_ != nullptr) return OnServerTimeout();
        upstream_->Close();
      }) {}

void H2Stream::Flush() { connection_->FlushSoon(); }

bool H2Stream::AddHeader(std::string_view name, std::string_view value) {
  header_bytes_ += name.size() + value.size() + 32;
  if (header_bytes_ > kMaxHeaderListBytes) return false;
  if (name == ":method") {
    method_ = value;
  } else if (name == ":path") {
    path_ = value;
  } else if (name == ":authority") {
    authority_ = value;
  } else if (name == ":scheme") {
    scheme_ = value;
  } else if (!name.empty() && name.front() != ':') {
    if (name == "te") te_trailers_ = value.find("trailers") != std::string_view::npos;
    if (name == "cookie" && request_.find(http::field::cookie) != request_.end()) {
      // HTTP/2 may split Cookie into several fields; HTTP/1.1 wants one (RFC 9113 §8.2.3).
      request_.set(http::field::cookie,
                   std::string(request_[http::field::cookie]) + "; " + std::string(value));
    } else {
      request_.insert(name, value);
    }
  }
  return true;
}

void H2Stream::Consume(size_t size) {
  if (size == 0 || cancelled_) return;
  nghttp2_session_consume(connection_->ng(), id_, size);
}

void H2Stream::OnHeadersComplete(bool end_stream) {
  end_stream_ = end_stream;
  if (method_ == "CONNECT") {
    return Respond(501, "text/plain; charset=utf-8", "501 Not Implemented: CONNECT\n");
  }
  request_.method_string(method_);
  request_.target(path_);
  if (!authority_.empty()) request_.set(http::field::host, authority_);
  head_request_ = method_ == "HEAD";
  route_ = connection_->Current();
  if (route_->access_log() != nullptr) {  // the request as the client sent it
    record_time_ = std::chrono::system_clock::now() - (H2Clock::now() - started_);
    logged_ = CaptureForLog(method_, path_, request_.base(), route_->options().log_custom_headers);
  }
  // As on HTTP/1.1: an ACL changed since the connection was accepted applies to new streams.
  if (const AddressAcl* acl = route_->acl(); acl != nullptr) {
    const auto& address = connection_->client_address();
    if (address && !acl->Admits(*address)) {
      return Respond(403, "text/plain; charset=utf-8", std::string(kAclRefusedBody));
    }
  }
  pool_ = route_->forward();
  const std::string client_host(request_[http::field::host]);
  accepts_gzip_ = route_->options().gzip && !head_request_ &&
                  AcceptsGzip(request_[http::field::accept_encoding]);
  if (const RouteTable* routes = route_->routes()) {
    std::string host;
    const auto& address = connection_->client_address();
    const RequestFacts facts = FactsOf(request_.base(), host, address ? &*address : nullptr);
    if (const CompiledRule* rule = routes->Match(facts)) {
      const RequestOrigin origin{connection_->client_ip(), connection_->client_port(),
                                 connection_->local_port(), true};
      RuleOutcome outcome =
          ApplyRequestRule(*rule, *routes, request_.base(), origin, H2Clock::now());
      if (outcome.answer) {
        return Respond(static_cast<unsigned>(outcome.status), outcome.content_type,
                       std::move(outcome.body), outcome.headers);
      }
      response_headers_ = std::move(outcome.response_headers);
      if (outcome.pool == nullptr) {
        return Respond(503, "text/plain; charset=utf-8", std::string(kNoServerBody));
      }
      pool_ = outcome.pool;
    }
  }
  if (pool_ == nullptr) {
    return Respond(503, "text/plain; charset=utf-8", std::string(kNoForwardBody));
  }
  if (!route_->alt_svc().empty()) response_headers_.emplace_back("Alt-Svc", route_->alt_svc());
  PrepareForwardedHead(request_.base(),
                       ForwardingFacts{.client_ip = connection_->client_ip(),
                                       .client_port = connection_->client_port(),
                                       .tls = true,
                                       .listener_port = route_->port(),
                                       .load_balancer_id = route_->load_balancer_id(),
                                       .client_host = client_host},
                       route_->options());
  affinity_ = AffinityOf(*pool_, request_, request_.target(), connection_->client_hash());
  forwarding_ = true;
  if (pool_->policy().grpc) {
    BuildH2Head();
    return Forward();
  }
  request_.keep_alive(pool_->policy().upstream_keepalive);
  // The body's framing: the client's length when it gave one, none when it sent no body,
  // else chunked — HTTP/2 frames the body itself, HTTP/1.1 needs to be told.
  if (request_.find(http::field::content_length) == request_.end() && !end_stream_) {
    request_.chunked(true);
    chunked_upload_ = true;
  }
  Forward();
}

void H2Stream::OnData(const std::uint8_t* data, size_t size) {
  bytes_in_ += size;
  if (!forwarding_ || upload_done_) {  // answered at the listener, or a body it does not want
    Consume(size);
    return;
  }
  upload_.append(reinterpret_cast<const char*>(data), size);
  if (h2_upstream_ != nullptr) return h2_upstream_->ResumeBody(h2_upstream_id_);
  if (upload_started_) PumpUpload();
}

void H2Stream::OnEndStream() {
  end_stream_ = true;
  if (h2_upstream_ != nullptr) return h2_upstream_->ResumeBody(h2_upstream_id_);
  if (upload_started_) PumpUpload();
}

void H2Stream::Cancel() {
  if (cancelled_) return;
  // Body bytes received but not yet taken by the server: the connection's window gets them
  // back, or a few cancelled uploads would starve every other stream of it. (Counted twice
  // if nghttp2 also credits a closed stream's bytes: a client may then run that much further
  // ahead, which is bounded; a window lost is not.)
  const size_t unconsumed = upload_.size() + (upload_writing_ ? upload_frame_raw_ : 0);
  if (unconsumed > 0 && connection_ != nullptr) {
    nghttp2_session_consume_connection(connection_->ng(), unconsumed);
  }
  cancelled_ = true;
  deadline_.Clear();
  upstream_->Close();
  if (h2_upstream_ != nullptr) {
    h2_upstream_->Cancel(h2_upstream_id_, download_.size() - download_offset_);
  }
  EndInFlight();
  // Breaks the connection ↔ stream cycle once the last handler has run.
  net::post(executor_, [self = shared_from_this()] { self->connection_.reset(); });
}

void H2Stream::EndInFlight() {
  if (in_flight_ != nullptr) in_flight_->EndRequest();
  in_flight_.reset();
}

void H2Stream::Forward() {
  if (cancelled_) return;
  EndInFlight();
  backend_ = tried_.size() < kMaxServerAttempts
                 ? pool_->Pick(affinity_.key, tried_, affinity_.preferred)
                 : nullptr;
  if (backend_ == nullptr) {
    return Respond(503, "text/plain; charset=utf-8", std::string(kNoServerBody));
  }
  tried_.push_back(backend_);
  if (pool_->policy().scheduler == Scheduler::kWlc) {
    in_flight_ = backend_->shared_from_this();
    in_flight_->BeginRequest();
  }
  if (pool_->policy().grpc) return OpenOnServer();
  if (auto kept = connection_->TakeUpstream(backend_)) {
    upstream_ = std::move(kept);
    reused_ = true;
    return SendHead();
  }
  const int idle = pool_->policy().tls ? -1 : backend_->TakeIdle(H2Clock::now());
  if (idle >= 0) {
    beast::error_code ec;
    upstream_->Reset();
    upstream_->socket().assign(backend_->endpoint().protocol(), idle, ec);
    if (!ec) {
      reused_ = true;
      return SendHead();
    }
  }
  Connect();
}

void H2Stream::Connect() {
  reused_ = false;
  upstream_->Reset();
  timed_out_ = false;
  deadline_.ExpiresAfter(connection_->limits().connect_timeout);
  connect_started_ = H2Clock::now();
  upstream_->socket().async_connect(
      backend_->endpoint(), [self = shared_from_this()](beast::error_code ec) {
        if (self->cancelled_) return;
        if (ec) {
          self->backend_->MarkDown(H2Clock::now());
          return self->Forward();
        }
        beast::error_code ignored_option;
        self->upstream_->socket().set_option(tcp::no_delay(true), ignored_option);
        if (!self->pool_->policy().tls) {
          if (ListenerTelemetry* telemetry = self->Telemetry()) {
            telemetry->UpstreamConnected(std::chrono::duration_cast<std::chrono::microseconds>(
                H2Clock::now() - self->connect_started_));
          }
          return self->SendHead();
        }
        // HTTPS server group: TLS first, SNI the request's host.
        self->upstream_->StartTls(self->connection_->upstream_tls(),
                                  ServerNameOf(self->request_[http::field::host]));
        self->upstream_->AsyncHandshake([self](beast::error_code handshake_ec) {
          if (self->cancelled_) return;
          if (handshake_ec) {
            self->backend_->MarkDown(H2Clock::now());
            return self->Forward();
          }
          if (ListenerTelemetry* telemetry = self->Telemetry()) {
            telemetry->UpstreamConnected(std::chrono::duration_cast<std::chrono::microseconds>(
                H2Clock::now() - self->connect_started_));
          }
          self->SendHead();
        });
      });
}

void H2Stream::SendHead() {
  timed_out_ = false;
  sent_upstream_ = H2Clock::now();
  deadline_.ExpiresAfter(std::min<std::chrono::milliseconds>(
      connection_->limits().response_timeout,
      std::chrono::seconds(route_->options().request_timeout_s)));
  // The head written by hand, one buffer: Beast's serializer walks a chain of buffer views
  // per field (2% of the profile). nghttp2 has already refused names and values HTTP/1.1
  // could misread (CR, LF, NUL; RFC 9113 §8.2.1).
  head_.clear();
  head_.append(request_.method_string()).append(" ").append(request_.target());
  head_ += " HTTP/1.1\r\n";
  for (const auto& field : request_) {
    head_.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  head_ += "\r\n";
  net::async_write(*upstream_, net::buffer(head_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (self->cancelled_) return;
                     if (ec) {
                       // A kept-alive connection the server had closed: the request
                       // never reached it, so a fresh connection may carry it.
                       if (self->reused_ && !self->timed_out_) return self->Connect();
                       return self->Failed(self->timed_out_);
                     }
                     self->upload_started_ = true;
                     self->PumpUpload();
                   });
}

void H2Stream::PumpUpload() {
  if (cancelled_ || upload_writing_ || upload_done_) return;
  if (!upload_.empty()) {
    body_sent_ = true;
    upload_frame_raw_ = upload_.size();
    if (chunked_upload_) {
      char size_line[32];
      const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", upload_.size());
      upload_frame_.assign(size_line, static_cast<size_t>(n));
      upload_frame_ += upload_;
      upload_frame_ += "\r\n";
    } else {
      upload_frame_ = std::move(upload_);
    }
    upload_.clear();
  } else if (end_stream_) {
    upload_done_ = true;
    upload_frame_raw_ = 0;
    if (!chunked_upload_) return ReadResponseHead();
    upload_frame_ = "0\r\n\r\n";
  } else {
    return;  // waiting for the client's next DATA
  }
  upload_writing_ = true;
  net::async_write(*upstream_, net::buffer(upload_frame_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->upload_writing_ = false;
                     if (self->cancelled_) return;
                     if (ec) return self->Failed(self->timed_out_);
                     // The client may send as much again: its window opens as the server reads.
                     self->Consume(self->upload_frame_raw_);
                     self->Flush();
                     if (self->upload_done_) return self->ReadResponseHead();
                     self->PumpUpload();
                   });
}

void H2Stream::ReadResponseHead() {
  parser_.emplace();
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  if (head_request_) parser_->skip(true);
  http::async_read_header(*upstream_, upstream_buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (self->cancelled_) return;
                            if (ec && self->reused_ && !self->timed_out_ && !self->body_sent_ &&
                                !self->parser_->got_some()) {
                              // A kept connection the server had closed: the request is sent
                              // again on a fresh one (nothing of a body was taken yet).
                              self->upload_started_ = false;
                              self->upload_done_ = false;
                              self->upstream_buffer_.clear();
                              return self->Connect();
                            }
                            if (ec) return self->Failed(self->timed_out_);
                            const unsigned status = self->parser_->get().result_int();
                            if (status >= 100 && status < 200) return self->ReadResponseHead();
                            self->upstream_status_ = status;
                            self->upstream_time_ =
                                std::chrono::duration_cast<std::chrono::microseconds>(
                                    H2Clock::now() - self->sent_upstream_);
                            if (ListenerTelemetry* telemetry = self->Telemetry()) {
                              telemetry->UpstreamAnswered(self->upstream_time_);
                            }
                            self->OnResponseHead();
                          });
}

void H2Stream::OnResponseHead() {
  auto& message = parser_->get();
  upstream_keep_alive_ = message.keep_alive();
  PrepareAnswerHead(message, message.result_int(), route_->routes(), response_headers_, *pool_,
                    *backend_, affinity_);
  relay_ = std::make_unique_for_overwrite<char[]>(kRelayPiece);
  const auto length = parser_->content_length();
  const bool no_body = head_request_ || parser_->is_done();
  if (!no_body && accepts_gzip_ && length && *length <= kH2BufferedAnswer &&
      message.find(http::field::content_encoding) == message.end() &&
      CompressibleType(message[http::field::content_type])) {
    return ReadWholeAnswer();
  }
  SubmitAnswer(message, message.result_int(), !no_body);
  if (no_body) {
    download_done_ = true;
    return FinishUpstream();
  }
  ReadMore();
}

// A short compressible answer: read whole, compressed, then sent.
void H2Stream::ReadWholeAnswer() {
  if (parser_->is_done()) {
    http::response<http::string_body> whole;
    whole.base() = parser_->get().base();
    whole.body() = std::move(download_);
    download_.clear();
    GzipAnswer(whole, true);
    whole.set(http::field::content_length, std::to_string(whole.body().size()));
    download_ = std::move(whole.body());
    download_done_ = true;
    FinishUpstream();
    SubmitAnswer(whole, whole.result_int(), true);
    return;
  }
  auto& body = parser_->get().body();
  body.data = relay_.get();
  body.size = kRelayPiece;
  http::async_read(*upstream_, upstream_buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (self->cancelled_) return;
                     if (ec && ec != http::error::need_buffer)
                       return self->Failed(self->timed_out_);
                     const size_t got = kRelayPiece - self->parser_->get().body().size;
                     self->download_.append(self->relay_.get(), got);
                     self->ReadWholeAnswer();
                   });
}

void H2Stream::SubmitAnswer(const http::fields& fields, unsigned status, bool with_body) {
  if (cancelled_ || answered_) return;
  std::vector<H2Field> head;
  head.reserve(16);
  for (const auto& field : fields) {
    head.push_back({AsciiLower(field.name_string()), std::string(field.value())});
  }
  SubmitHead(status, head, with_body);
}

void H2Stream::SubmitHead(unsigned status, const std::vector<H2Field>& fields, bool with_body) {
  status_ = status;
  if (cancelled_ || answered_) return;
  answered_ = true;
  const std::string status_text = std::to_string(status);
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size() + 1);
  nva.push_back(H2Nv(":status", status_text));
  for (const auto& field : fields) {
    if (!ConnectionSpecific(field.name)) nva.push_back(H2Nv(field.name, field.value));
  }
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = ReadAnswerCallback;
  nghttp2_submit_response(connection_->ng(), id_, nva.data(), nva.size(),
                          with_body ? &provider : nullptr);
  Flush();
}

void H2Stream::Respond(unsigned status, std::string_view content_type, std::string body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  if (cancelled_ || answered_) return;
  forwarding_ = false;
  deadline_.Clear();
  upstream_->Close();
  EndInFlight();
  http::fields fields;
  fields.set(http::field::server, "openalb");
  if (!content_type.empty()) fields.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) fields.insert(name, value);
  fields.set(http::field::content_length, std::to_string(body.size()));
  const bool with_body = !body.empty() && !head_request_;
  download_ = std::move(body);
  download_offset_ = 0;
  download_done_ = true;
  Consume(upload_.size());  // a body nobody will read gives the client its window back
  upload_.clear();
  SubmitAnswer(fields, status, with_body);
}

void H2Stream::ReadMore() {
  if (cancelled_ || reading_ || upstream_done_) return;
  if (parser_->is_done()) {
    download_done_ = true;
    FinishUpstream();
    if (deferred_) {
      deferred_ = false;
      nghttp2_session_resume_data(connection_->ng(), id_);
      Flush();
    }
    return;
  }
  if (download_.size() - download_offset_ >= kDownloadHighWater) return;  // the client is slow
  auto& body = parser_->get().body();
  body.data = relay_.get();
  body.size = kRelayPiece;
  reading_ = true;
  deadline_.ExpiresAfter(std::min<std::chrono::milliseconds>(
      connection_->limits().response_timeout,
      std::chrono::seconds(route_->options().request_timeout_s)));
  http::async_read(*upstream_, upstream_buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->reading_ = false;
                     if (self->cancelled_) return;
                     if (ec && ec != http::error::need_buffer)
                       return self->Failed(self->timed_out_);
                     const size_t got = kRelayPiece - self->parser_->get().body().size;
                     // What the client took is dropped from the front once it is a piece's worth:
                     // the buffer stays within the high-water mark however long the answer.
                     if (self->download_offset_ >= kRelayPiece ||
                         self->download_offset_ == self->download_.size()) {
                       self->download_.erase(0, self->download_offset_);
                       self->download_offset_ = 0;
                     }
                     self->download_.append(self->relay_.get(), got);
                     if (self->deferred_ && got > 0) {
                       self->deferred_ = false;
                       nghttp2_session_resume_data(self->connection_->ng(), self->id_);
                     }
                     self->ReadMore();
                     self->Flush();
                   });
}

ssize_t H2Stream::ReadAnswer(std::uint8_t* out, size_t size, std::uint32_t* flags) {
  const size_t available = download_.size() - download_offset_;
  const size_t n = std::min(size, available);
  std::memcpy(out, download_.data() + download_offset_, n);
  download_offset_ += n;
  bytes_out_ += n;
  // gRPC: the server may send as much again (and a slow client is not a silent server).
  if (h2_upstream_ != nullptr && n > 0) {
    h2_upstream_->Consume(h2_upstream_id_, n);
    if (!download_done_) ArmServerDeadline();
  }
  if (download_offset_ == download_.size() && download_done_) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!trailers_.empty()) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;  // the trailers end the stream
      SubmitTrailers();
    }
    return static_cast<ssize_t>(n);
  }
  if (n == 0) {
    deferred_ = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  if (!download_done_ && !reading_ && h2_upstream_ == nullptr) {
    // Room again below the high-water mark: read on, outside nghttp2's callback.
    net::post(executor_, [self = shared_from_this()] { self->ReadMore(); });
  }
  return static_cast<ssize_t>(n);
}

ListenerTelemetry* H2Stream::Telemetry() const { return route_ ? route_->telemetry() : nullptr; }

void H2Stream::CountClosed() {
  // A stream refused before its head was complete has no route_: the connection's listener.
  const auto snapshot = route_ ? route_ : connection_->Current();
  const auto took =
      std::chrono::duration_cast<std::chrono::microseconds>(H2Clock::now() - started_);
  if (ListenerTelemetry* telemetry = snapshot->telemetry()) {
    telemetry->RequestDone(status_, bytes_in_, bytes_out_, took);
  }
  AccessLogWriter* log = snapshot->access_log();
  if (log == nullptr) return;
  const bool with_headers = snapshot->options().log_custom_headers;
  if (!logged_) logged_ = CaptureForLog(method_, path_, request_.base(), with_headers);
  AccessLogFields fields;
  fields.request_time = took;
  fields.SetTime(record_time_);
  snapshot->SetListenerFields(fields);
  fields.client_ip = connection_->client_ip();
  fields.client_port = connection_->client_port();
  const TlsLogFacts tls = TlsLogFactsOf(connection_->native_handle());
  fields.SetTls(tls.sni, tls.version, tls.cipher, tls.certificate_id);
  fields.SetRequest(*logged_, with_headers);
  fields.protocol = "HTTP/2.0";
  fields.status = status_;
  fields.request_length = bytes_in_;
  fields.body_bytes_sent = bytes_out_;
  if (!tried_.empty()) fields.upstream_addr = tried_.back()->address_port();
  fields.upstream_status = upstream_status_;
  fields.upstream_response_time = upstream_time_;
  log->Write(fields);
}

// --- H2Stream, to a gRPC server group ---

void H2Stream::BuildH2Head() {
  h2_head_.clear();
  h2_head_.push_back({":method", method_});
  h2_head_.push_back({":scheme", "http"});
  h2_head_.push_back({":authority", std::string(request_[http::field::host])});
  h2_head_.push_back({":path", std::string(request_.target())});
  for (const auto& field : request_) {
    std::string name = AsciiLower(field.name_string());
    if (name == "host" || ConnectionSpecific(name)) continue;
    h2_head_.push_back({std::move(name), std::string(field.value())});
  }
  // The one TE HTTP/2 allows, and the one gRPC servers insist on.
  if (te_trailers_) h2_head_.push_back({"te", "trailers"});
}

void H2Stream::OpenOnServer() {
  timed_out_ = false;
  sent_upstream_ = H2Clock::now();
  h2_upstream_ = connection_->H2UpstreamFor(*backend_);
  h2_upstream_id_ =
      h2_upstream_->Open(h2_head_, !end_stream_ || !upload_.empty(), shared_from_this());
  if (h2_upstream_id_ < 0) return Failed(false);
  ArmServerDeadline();
}

void H2Stream::ArmServerDeadline() {
  deadline_.ExpiresAfter(std::min<std::chrono::milliseconds>(
      connection_->limits().response_timeout,
      std::chrono::seconds(route_->options().request_timeout_s)));
}

void H2Stream::OnServerTimeout() {
  // What the server sent and the client never took goes back to the server connection's
  // window with the reset.
  h2_upstream_->Cancel(h2_upstream_id_, download_.size() - download_offset_);
  download_.clear();
  download_offset_ = 0;
  Failed(true);
}

ssize_t H2Stream::ReadRequestBody(std::uint8_t* out, size_t size, std::uint32_t* flags) {
  const size_t n = std::min(size, upload_.size());
  if (n > 0) {
    std::memcpy(out, upload_.data(), n);
    upload_.erase(0, n);
    body_sent_ = true;
    Consume(n);  // the client may send as much again
    Flush();
    ArmServerDeadline();  // a stream times out only when it is silent both ways
  }
  if (upload_.empty() && end_stream_) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  if (n == 0) return NGHTTP2_ERR_DEFERRED;
  return static_cast<ssize_t>(n);
}

void H2Stream::OnAnswerHead(unsigned status, std::vector<H2Field> fields, bool end_stream) {
  upstream_status_ = status;
  upstream_time_ =
      std::chrono::duration_cast<std::chrono::microseconds>(H2Clock::now() - sent_upstream_);
  if (ListenerTelemetry* telemetry = Telemetry()) telemetry->UpstreamAnswered(upstream_time_);
  if (cancelled_) return;
  if (end_stream) {  // trailers-only: a gRPC error, or an answer without a body
    download_done_ = true;
    deadline_.Clear();
    EndInFlight();
  }
  const RouteTable* routes = route_->routes();
  if ((routes == nullptr || !routes->has_response_rules()) && response_headers_.empty() &&
      !pool_->policy().sticky.enabled) {
    return SubmitHead(status, fields, !end_stream);  // nothing to change in it
  }
  http::fields head;
  for (auto& field : fields) head.insert(field.name, field.value);
  PrepareAnswerHead(head, status, routes, response_headers_, *pool_, *backend_, affinity_);
  SubmitAnswer(head, status, !end_stream);
}

void H2Stream::OnAnswerData(const std::uint8_t* data, size_t size) {
  if (cancelled_) return;
  if (download_offset_ >= kRelayPiece || download_offset_ == download_.size()) {
    download_.erase(0, download_offset_);
    download_offset_ = 0;
  }
  download_.append(reinterpret_cast<const char*>(data), size);
  ArmServerDeadline();
  if (deferred_) {
    deferred_ = false;
    nghttp2_session_resume_data(connection_->ng(), id_);
  }
  Flush();
}

void H2Stream::OnAnswerEnd(std::vector<H2Field> trailers) {
  if (cancelled_) return;
  trailers_ = std::move(trailers);
  download_done_ = true;
  deadline_.Clear();
  EndInFlight();
  if (deferred_) {
    deferred_ = false;
    nghttp2_session_resume_data(connection_->ng(), id_);
  }
  Flush();
}

void H2Stream::OnAnswerFailed(bool unprocessed) {
  if (cancelled_) return;
  deadline_.Clear();
  if (unprocessed && !body_sent_ && !answered_) {
    // The server never saw it (refused, or its connection failed first): another may.
    net::post(executor_, [self = shared_from_this()] { self->Forward(); });
    return;
  }
  Failed(false);
}

void H2Stream::SubmitTrailers() {
  std::vector<nghttp2_nv> nva;
  nva.reserve(trailers_.size());
  for (const auto& field : trailers_) {  // lower-case already: HTTP/2 requires it
    if (!ConnectionSpecific(field.name)) nva.push_back(H2Nv(field.name, field.value));
  }
  nghttp2_submit_trailer(connection_->ng(), id_, nva.data(), nva.size());
}

void H2Stream::FinishUpstream() {
  if (upstream_done_) return;
  upstream_done_ = true;
  deadline_.Clear();
  if (upstream_keep_alive_ && upstream_buffer_.size() == 0 && pool_->policy().upstream_keepalive &&
      upload_done_) {
    connection_->KeepUpstream(backend_->shared_from_this(), std::move(upstream_));
    upstream_ = std::make_unique<UpstreamStream>(executor_);
  } else {
    upstream_->Close();
  }
  EndInFlight();
}

void H2Stream::Failed(bool timed_out) {
  upstream_->Close();
  deadline_.Clear();
  if (!answered_) {
    return Respond(timed_out ? 504 : 502, "text/plain; charset=utf-8",
                   std::string(timed_out ? kTimeoutBody : kBadGatewayBody));
  }
  // Mid-answer: the client learns the answer is incomplete.
  nghttp2_submit_rst_stream(connection_->ng(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_INTERNAL_ERROR);
  Flush();
}

}  // namespace

void StartH2Session(TlsStream stream, beast::flat_buffer already_read, DeadlineSweeper& deadlines,
                    std::shared_ptr<const SnapshotSource> listener,
                    std::shared_ptr<SessionShared> shared, ConnectionLimiter::Slot slot) {
  std::make_shared<H2Connection>(std::move(stream), std::move(already_read), deadlines,
                                 std::move(listener), std::move(shared), std::move(slot))
      ->Start();
}

}  // namespace openalb
