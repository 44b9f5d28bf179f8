#include "dataplane/h2_upstream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <utility>

namespace openalb {
namespace {

namespace net = boost::asio;
using UpstreamClock = std::chrono::steady_clock;

constexpr std::int32_t kUpstreamStreamWindow = 256 * 1024;  // an answer read ahead of its client
constexpr std::int32_t kUpstreamConnectionWindow = 16 * 1024 * 1024;
constexpr size_t kMaxAnswerHeaderBytes = 64 * 1024;
constexpr size_t kUpstreamWriteBatch = 64 * 1024;

bool IsResponseBlock(const nghttp2_frame* frame) {
  return frame->hd.type == NGHTTP2_HEADERS && (frame->headers.cat == NGHTTP2_HCAT_RESPONSE ||
                                               frame->headers.cat == NGHTTP2_HCAT_HEADERS);
}

}  // namespace

bool TakeSessionOutput(nghttp2_session* session, std::string& out, size_t batch) {
  while (out.size() < batch) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  return true;
}

H2Upstream::H2Upstream(const WorkerSocket::executor_type& executor,
                       std::shared_ptr<BackendServerState> server, DeadlineSweeper& deadlines,
                       std::chrono::milliseconds connect_timeout)
    : socket_(executor),
      server_(std::move(server)),
      connect_deadline_(deadlines,
                        [this] {
                          boost::system::error_code ignored;
                          socket_.close(ignored);  // the connect completes with an error
                        }),
      connect_timeout_(connect_timeout) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameRecv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, OnFrameSend);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);  // consumed as the client takes it
  nghttp2_option_set_max_settings(option, 32);
  nghttp2_session_client_new2(&ng_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  const std::array<nghttp2_settings_entry, 2> settings = {{
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(kUpstreamStreamWindow)},
  }};
  nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(ng_, NGHTTP2_FLAG_NONE, 0, kUpstreamConnectionWindow);
}

H2Upstream::~H2Upstream() {
  if (ng_ != nullptr) nghttp2_session_del(ng_);
}

void H2Upstream::Start() {
  connect_deadline_.ExpiresAfter(connect_timeout_);
  socket_.async_connect(server_->endpoint(),
                        [self = shared_from_this()](boost::system::error_code ec) {
                          self->connect_deadline_.Clear();
                          if (self->closed_) return;
                          if (ec) {
                            self->server_->MarkDown(UpstreamClock::now());
                            return self->Fail();
                          }
                          boost::system::error_code ignored;
                          self->socket_.set_option(net::ip::tcp::no_delay(true), ignored);
                          self->connected_ = true;
                          self->Flush();
                          self->Read();
                        });
}

std::int32_t H2Upstream::Open(const std::vector<H2Field>& head, bool with_body,
                              std::shared_ptr<H2UpstreamExchange> exchange) {
  if (!Usable()) return -1;
  std::vector<nghttp2_nv> nva;
  nva.reserve(head.size());
  for (const auto& field : head) nva.push_back(H2Nv(field.name, field.value));
  nghttp2_data_provider provider{};
  provider.read_callback = ReadBody;
  const std::int32_t id = nghttp2_submit_request(ng_, nullptr, nva.data(), nva.size(),
                                                 with_body ? &provider : nullptr, nullptr);
  if (id < 0) return id;
  entries_[id].exchange = std::move(exchange);
  FlushSoon();
  return id;
}

void H2Upstream::ResumeBody(std::int32_t id) {
  if (closed_ || Find(id) == nullptr) return;
  nghttp2_session_resume_data(ng_, id);
  FlushSoon();
}

void H2Upstream::Consume(std::int32_t id, size_t size) {
  if (closed_ || size == 0) return;
  if (Find(id) != nullptr) {
    nghttp2_session_consume(ng_, id, size);
  } else {
    nghttp2_session_consume_connection(ng_, size);
  }
  FlushSoon();
}

void H2Upstream::Cancel(std::int32_t id, size_t unconsumed) {
  if (closed_) return;
  const auto it = entries_.find(id);
  if (it != entries_.end()) {  // else it ended already: only its window is owed
    const bool ended = it->second.ended;
    entries_.erase(it);
    if (!ended) nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  }
  if (unconsumed > 0) nghttp2_session_consume_connection(ng_, unconsumed);
  FlushSoon();
}

void H2Upstream::Close() {
  if (closed_) return;
  closed_ = true;
  entries_.clear();
  connect_deadline_.Clear();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void H2Upstream::Fail() {
  if (closed_) return;
  auto entries = std::move(entries_);
  entries_.clear();
  Close();
  for (auto& [id, entry] : entries) {
    if (!entry.ended) entry.exchange->OnAnswerFailed(!entry.sent);
  }
}

H2Upstream::Entry* H2Upstream::Find(std::int32_t id) {
  const auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void H2Upstream::Read() {
  if (closed_) return;
  socket_.async_read_some(
      net::buffer(in_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        if (self->closed_) return;
        if (ec) return self->Fail();
        const ssize_t used = nghttp2_session_mem_recv(self->ng_, self->in_.data(), n);
        if (used < 0) return self->Fail();
        self->Flush();
        self->Read();
      });
}

void H2Upstream::FlushSoon() {
  if (flush_posted_ || closed_) return;
  flush_posted_ = true;
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->Flush();
  });
}

void H2Upstream::Flush() {
  if (writing_ || closed_ || !connected_) return;
  if (!TakeSessionOutput(ng_, out_, kUpstreamWriteBatch)) return Fail();
  if (out_.empty()) {
    // The server said GOAWAY and every stream it kept has ended: the connection is done.
    if (nghttp2_session_want_read(ng_) == 0 && nghttp2_session_want_write(ng_) == 0) Fail();
    return;
  }
  writing_ = true;
  net::async_write(socket_, net::buffer(out_),
                   [self = shared_from_this()](boost::system::error_code ec, size_t) {
                     self->writing_ = false;
                     self->out_.clear();
                     if (self->closed_) return;
                     if (ec) return self->Fail();
                     self->Flush();
                   });
}

int H2Upstream::OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (!IsResponseBlock(frame)) return 0;
  auto* self = static_cast<H2Upstream*>(user);
  if (Entry* entry = self->Find(frame->hd.stream_id)) {
    entry->status_seen = false;
    entry->field_bytes = 0;
    entry->fields.clear();
  }
  return 0;
}

int H2Upstream::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         size_t name_size, const std::uint8_t* value, size_t value_size,
                         std::uint8_t, void* user) {
  if (!IsResponseBlock(frame)) return 0;
  auto* self = static_cast<H2Upstream*>(user);
  Entry* entry = self->Find(frame->hd.stream_id);
  if (entry == nullptr) return 0;
  const std::string_view n(reinterpret_cast<const char*>(name), name_size);
  const std::string_view v(reinterpret_cast<const char*>(value), value_size);
  entry->field_bytes += name_size + value_size + 32;
  // An answer head larger than any client would take: the stream is reset.
  if (entry->field_bytes > kMaxAnswerHeaderBytes) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  if (n == ":status") {
    entry->status_seen = true;
    std::from_chars(v.data(), v.data() + v.size(), entry->status);
  } else if (!n.empty() && n.front() != ':') {
    entry->fields.push_back({std::string(n), std::string(v)});
  }
  return 0;
}

int H2Upstream::OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Upstream*>(user);
  const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (frame->hd.type == NGHTTP2_GOAWAY) {
    self->going_away_ = true;
    return 0;
  }
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  Entry* entry = self->Find(frame->hd.stream_id);
  if (entry == nullptr || entry->ended) return 0;
  auto exchange = entry->exchange;  // a callback may cancel the entry
  if (frame->hd.type == NGHTTP2_HEADERS) {
    if (entry->status_seen && !entry->headed) {
      if (entry->status < 200) return 0;  // 1xx: the final head follows
      entry->headed = true;
      entry->ended = end_stream;
      exchange->OnAnswerHead(entry->status, std::move(entry->fields), end_stream);
      if (end_stream) exchange->OnAnswerEnd({});
      return 0;
    }
    if (entry->headed && end_stream) {  // trailers
      entry->ended = true;
      exchange->OnAnswerEnd(std::move(entry->fields));
    }
    return 0;
  }
  if (end_stream) {
    entry->ended = true;
    exchange->OnAnswerEnd({});
  }
  return 0;
}

int H2Upstream::OnFrameSend(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  if (Entry* entry = static_cast<H2Upstream*>(user)->Find(frame->hd.stream_id)) {
    entry->sent = true;
  }
  return 0;
}

int H2Upstream::OnData(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                       const std::uint8_t* data, size_t size, void* user) {
  auto* self = static_cast<H2Upstream*>(user);
  Entry* entry = self->Find(stream_id);
  if (entry == nullptr || !entry->headed) {
    nghttp2_session_consume(session, stream_id, size);  // nobody takes it
    return 0;
  }
  auto exchange = entry->exchange;
  exchange->OnAnswerData(data, size);
  return 0;
}

int H2Upstream::OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t error,
                              void* user) {
  auto* self = static_cast<H2Upstream*>(user);
  const auto it = self->entries_.find(stream_id);
  if (it == self->entries_.end()) return 0;
  Entry entry = std::move(it->second);
  self->entries_.erase(it);
  if (!entry.ended) {
    entry.exchange->OnAnswerFailed(!entry.sent || error == NGHTTP2_REFUSED_STREAM);
  }
  return 0;
}

ssize_t H2Upstream::ReadBody(nghttp2_session*, std::int32_t stream_id, std::uint8_t* out,
                             size_t size, std::uint32_t* flags, nghttp2_data_source*, void* user) {
  Entry* entry = static_cast<H2Upstream*>(user)->Find(stream_id);
  if (entry == nullptr) {  // cancelled: its reset is on the way
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  auto exchange = entry->exchange;
  return exchange->ReadRequestBody(out, size, flags);
}

}  // namespace openalb
