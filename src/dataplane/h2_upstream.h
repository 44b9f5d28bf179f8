// H2Upstream: one cleartext HTTP/2 connection (h2c with prior knowledge, as ALB speaks to
// the servers of a gRPC server group) carrying many proxied streams at once through
// nghttp2's client session. An H2Stream (h2_session) opens one stream per request and hears
// of the answer's head, DATA and trailers through H2UpstreamExchange. Flow control runs end
// to end: the server's DATA is acknowledged only as the client takes it (Consume), and a
// request body is offered to the server only as the client sends it (ResumeBody). Also here:
// the small nghttp2 helpers every session of openalb's uses (fields, draining output).
#pragma once

#include <nghttp2/nghttp2.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/backend_pool.h"
#include "dataplane/client_session.h"
#include "dataplane/deadline_sweeper.h"

namespace openalb {

struct H2Field {
  std::string name;
  std::string value;
};

// Appends what `session` has queued to send to `out`, until `out` holds at least `batch` bytes
// or nothing more is queued. False on a session error (nghttp2_session_mem_send's).
bool TakeSessionOutput(nghttp2_session* session, std::string& out, size_t batch);

// A field as nghttp2 takes it (which copies it on submission).
inline nghttp2_nv H2Nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

// The side of a proxied stream that hears from the server. Every call runs on the
// connection's own thread.
class H2UpstreamExchange {
 public:
  virtual ~H2UpstreamExchange() = default;
  // The request body for the server: copies up to `size` bytes to `out`, sets
  // NGHTTP2_DATA_FLAG_EOF at its end, or answers NGHTTP2_ERR_DEFERRED until there is more.
  virtual ssize_t ReadRequestBody(std::uint8_t* out, size_t size, std::uint32_t* flags) = 0;
  // The final answer head (1xx heads are dropped); `end_stream`: it has no body.
  virtual void OnAnswerHead(unsigned status, std::vector<H2Field> fields, bool end_stream) = 0;
  virtual void OnAnswerData(const std::uint8_t* data, size_t size) = 0;
  // The answer is complete; `trailers` are empty when the server sent none.
  virtual void OnAnswerEnd(std::vector<H2Field> trailers) = 0;
  // The stream ended without a whole answer. `unprocessed`: the server never saw the request
  // (the connection failed first, or it refused the stream), so another server may take it.
  virtual void OnAnswerFailed(bool unprocessed) = 0;
};

class H2Upstream : public std::enable_shared_from_this<H2Upstream> {
 public:
  H2Upstream(const WorkerSocket::executor_type& executor,
             std::shared_ptr<BackendServerState> server, DeadlineSweeper& deadlines,
             std::chrono::milliseconds connect_timeout);
  ~H2Upstream();
  H2Upstream(const H2Upstream&) = delete;
  H2Upstream& operator=(const H2Upstream&) = delete;

  // Connects; streams opened meanwhile go out once the connection is up.
  void Start();
  const BackendServerState* server() const { return server_.get(); }
  // Open and not told to go away: new streams may use it.
  bool Usable() const { return !closed_ && !going_away_; }

  // Opens a stream with the pseudo-headers and fields of `head`, with a body when
  // `with_body`. Answers the stream's id, or a negative number when it cannot be opened.
  std::int32_t Open(const std::vector<H2Field>& head, bool with_body,
                    std::shared_ptr<H2UpstreamExchange> exchange);
  // More of the request body is ready (or its end).
  void ResumeBody(std::int32_t id);
  // The client took `size` bytes of the answer: the server may send that much more.
  void Consume(std::int32_t id, size_t size);
  // The client went away: the stream is reset, and the `unconsumed` answer bytes it never
  // took go back to the connection's window. The exchange hears nothing more.
  void Cancel(std::int32_t id, size_t unconsumed);
  // Closes the connection; open exchanges hear nothing more.
  void Close();

 private:
  struct Entry {
    std::shared_ptr<H2UpstreamExchange> exchange;
    bool sent = false;         // its HEADERS left: the server may have seen it
    bool headed = false;       // the final answer head arrived
    bool ended = false;        // the answer is complete
    bool status_seen = false;  // the header block being read has a :status
    unsigned status = 0;
    size_t field_bytes = 0;
    std::vector<H2Field> fields;  // the header block being read
  };

  void Read();
  void Flush();
  void FlushSoon();
  void Fail();
  Entry* Find(std::int32_t id);

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                      size_t name_size, const std::uint8_t* value, size_t value_size,
                      std::uint8_t flags, void* self);
  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnFrameSend(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnData(nghttp2_session*, std::uint8_t flags, std::int32_t stream_id,
                    const std::uint8_t* data, size_t size, void* self);
  static int OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t error,
                           void* self);
  static ssize_t ReadBody(nghttp2_session*, std::int32_t stream_id, std::uint8_t* out, size_t size,
                          std::uint32_t* flags, nghttp2_data_source*, void* self);

  WorkerSocket socket_;
  std::shared_ptr<BackendServerState> server_;
  DeadlineSweeper::Deadline connect_deadline_;
  std::chrono::milliseconds connect_timeout_;
  nghttp2_session* ng_ = nullptr;
  std::map<std::int32_t, Entry> entries_;
  std::array<std::uint8_t, 16 * 1024> in_;
  std::string out_;
  bool connected_ = false;
  bool writing_ = false;
  bool flush_posted_ = false;
  bool going_away_ = false;
  bool closed_ = false;
};

}  // namespace openalb
