#include "dataplane/grpc_health_request.h"

#include <array>
#include <charconv>
#include <cstring>
#include <limits>

#include "dataplane/h2_upstream.h"

namespace openalb {

GrpcHealthRequest::GrpcHealthRequest(std::string_view authority, std::string_view path) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);
  nghttp2_session_client_new(&ng_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  const std::array<nghttp2_settings_entry, 1> settings = {{{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}}};
  nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  const std::string_view p = path.empty() ? std::string_view("/") : path;
  const std::array<nghttp2_nv, 7> head = {H2Nv(":method", "POST"),
                                          H2Nv(":scheme", "http"),
                                          H2Nv(":authority", authority),
                                          H2Nv(":path", p),
                                          H2Nv("content-type", "application/grpc"),
                                          H2Nv("te", "trailers"),
                                          H2Nv("user-agent", "openalb-health-check")};
  nghttp2_data_provider provider{};
  provider.read_callback = ReadMessage;
  stream_id_ = nghttp2_submit_request(ng_, nullptr, head.data(), head.size(), &provider, nullptr);
}

GrpcHealthRequest::~GrpcHealthRequest() { nghttp2_session_del(ng_); }

std::string GrpcHealthRequest::TakeOutput() {
  std::string out;
  // A session error leaves what was taken; the next Receive reports the broken connection.
  (void)TakeSessionOutput(ng_, out, std::numeric_limits<size_t>::max());
  return out;
}

bool GrpcHealthRequest::Broken() const {
  // After a connection error nghttp2 reads nothing more; once its GOAWAY is out it has
  // nothing to write either.
  return !closed_ && nghttp2_session_want_read(ng_) == 0 && nghttp2_session_want_write(ng_) == 0;
}

GrpcHealthRequest::Progress GrpcHealthRequest::Receive(const std::uint8_t* data, size_t size) {
  if (nghttp2_session_mem_recv(ng_, data, size) < 0) return Progress::kBroken;
  if (!closed_) return Broken() ? Progress::kBroken : Progress::kMore;
  return reset_ ? Progress::kBroken : Progress::kDone;
}

int GrpcHealthRequest::OnHeader(nghttp2_session*, const nghttp2_frame* frame,
                                const std::uint8_t* name, size_t name_size,
                                const std::uint8_t* value, size_t value_size, std::uint8_t,
                                void* user) {
  auto* self = static_cast<GrpcHealthRequest*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != self->stream_id_) return 0;
  const std::string_view n(reinterpret_cast<const char*>(name), name_size);
  const char* v = reinterpret_cast<const char*>(value);
  if (n == ":status") {
    std::from_chars(v, v + value_size, self->http_status_);
  } else if (n == "grpc-status") {
    int status = -1;
    if (std::from_chars(v, v + value_size, status).ec == std::errc{}) self->grpc_status_ = status;
  }
  return 0;
}

int GrpcHealthRequest::OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t error,
                                     void* user) {
  auto* self = static_cast<GrpcHealthRequest*>(user);
  if (stream_id != self->stream_id_) return 0;
  self->closed_ = true;
  self->reset_ = error != NGHTTP2_NO_ERROR;
  return 0;
}

ssize_t GrpcHealthRequest::ReadMessage(nghttp2_session*, std::int32_t, std::uint8_t* out,
                                       size_t size, std::uint32_t* flags, nghttp2_data_source*,
                                       void* user) {
  auto* self = static_cast<GrpcHealthRequest*>(user);
  // One empty message: not compressed, length 0.
  constexpr std::array<std::uint8_t, 5> kEmptyMessage = {0, 0, 0, 0, 0};
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  if (self->message_sent_ || size < kEmptyMessage.size()) return 0;  // a window is never < 5
  self->message_sent_ = true;
  std::memcpy(out, kEmptyMessage.data(), kEmptyMessage.size());
  return static_cast<ssize_t>(kEmptyMessage.size());
}

bool GrpcStatusMatches(const std::vector<std::string>& codes, int status) {
  bool any_range = false;
  for (const auto& code : codes) {
    int low = -1;
    int high = -1;
    const auto dash = code.find('-');
    const std::string_view first = std::string_view(code).substr(0, dash);
    if (std::from_chars(first.data(), first.data() + first.size(), low).ec != std::errc{}) {
      continue;  // http_2xx and the like
    }
    high = low;
    if (dash != std::string::npos) {
      const std::string_view second = std::string_view(code).substr(dash + 1);
      if (std::from_chars(second.data(), second.data() + second.size(), high).ec != std::errc{}) {
        continue;
      }
    }
    any_range = true;
    if (status >= low && status <= high) return true;
  }
  return !any_range;
}

}  // namespace openalb
