// GrpcHealthRequest against nghttp2's own server session, bytes passed in memory: the call it
// makes is a well-formed gRPC call, and the status it reports is the server's, whether it came
// in a trailers-only answer or in trailers after a message; an answer without grpc-status and a
// reset stream are told apart. GrpcStatusMatches reads HealthCheckCodes' ranges.
#include "dataplane/grpc_health_request.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace openalb {
namespace {

// A gRPC server as nghttp2 sees it: records the request it gets, answers with `answer`.
class GrpcPeerServer {
 public:
  enum class Answer { kTrailersOnly, kMessageThenTrailers, kNotGrpc, kReset };

  explicit GrpcPeerServer(Answer answer) : answer_(answer) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrame);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
    nghttp2_session_server_new(&ng_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~GrpcPeerServer() { nghttp2_session_del(ng_); }

  void Feed(const std::string& bytes) {
    ASSERT_GE(nghttp2_session_mem_recv(ng_, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                       bytes.size()),
              0);
  }
  std::string Output() {
    std::string out;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(ng_, &data);
      if (n <= 0) return out;
      out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
  }

  std::map<std::string, std::string> head;
  std::string body;
  bool ended = false;

 private:
  static int OnHeader(nghttp2_session*, const nghttp2_frame*, const std::uint8_t* name,
                      size_t name_size, const std::uint8_t* value, size_t value_size, std::uint8_t,
                      void* user) {
    static_cast<GrpcPeerServer*>(user)
        ->head[std::string(reinterpret_cast<const char*>(name), name_size)] =
        std::string(reinterpret_cast<const char*>(value), value_size);
    return 0;
  }
  static int OnData(nghttp2_session*, std::uint8_t, std::int32_t, const std::uint8_t* data,
                    size_t size, void* user) {
    static_cast<GrpcPeerServer*>(user)->body.append(reinterpret_cast<const char*>(data), size);
    return 0;
  }
  static int OnFrame(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<GrpcPeerServer*>(user);
    if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0 || frame->hd.stream_id == 0) return 0;
    self->ended = true;
    self->Respond(session, frame->hd.stream_id);
    return 0;
  }
  static nghttp2_nv Nv(const char* name, const char* value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value)), std::strlen(name),
            std::strlen(value), NGHTTP2_NV_FLAG_NONE};
  }
  static ssize_t Message(nghttp2_session* session, std::int32_t id, std::uint8_t* out, size_t,
                         std::uint32_t* flags, nghttp2_data_source*, void*) {
    const std::uint8_t message[6] = {0, 0, 0, 0, 1, 42};
    std::memcpy(out, message, sizeof message);
    *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    const nghttp2_nv trailers[] = {Nv("grpc-status", "0")};
    nghttp2_submit_trailer(session, id, trailers, 1);
    return sizeof message;
  }
  void Respond(nghttp2_session* session, std::int32_t id) {
    switch (answer_) {
      case Answer::kTrailersOnly: {
        const nghttp2_nv nva[] = {Nv(":status", "200"), Nv("content-type", "application/grpc"),
                                  Nv("grpc-status", "12"), Nv("grpc-message", "unknown")};
        nghttp2_submit_response(session, id, nva, 4, nullptr);
        break;
      }
      case Answer::kMessageThenTrailers: {
        const nghttp2_nv nva[] = {Nv(":status", "200"), Nv("content-type", "application/grpc")};
        nghttp2_data_provider provider{};
        provider.read_callback = Message;
        nghttp2_submit_response(session, id, nva, 2, &provider);
        break;
      }
      case Answer::kNotGrpc: {
        const nghttp2_nv nva[] = {Nv(":status", "404")};
        nghttp2_submit_response(session, id, nva, 1, nullptr);
        break;
      }
      case Answer::kReset:
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
        break;
    }
  }

  Answer answer_;
  nghttp2_session* ng_ = nullptr;
};

// Runs a call against `server` to its end.
GrpcHealthRequest::Progress Converse(GrpcHealthRequest& call, GrpcPeerServer& server) {
  auto progress = GrpcHealthRequest::Progress::kMore;
  for (int turn = 0; turn < 10 && progress == GrpcHealthRequest::Progress::kMore; ++turn) {
    server.Feed(call.TakeOutput());
    const std::string answer = server.Output();
    progress = call.Receive(reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size());
  }
  return progress;
}

TEST(GrpcHealthRequestTest, SendsAGrpcCallAndReadsATrailersOnlyStatus) {
  GrpcPeerServer server(GrpcPeerServer::Answer::kTrailersOnly);
  GrpcHealthRequest call("10.0.0.1:50051", "/grpc.health.v1.Health/Check");
  EXPECT_EQ(Converse(call, server), GrpcHealthRequest::Progress::kDone);
  EXPECT_EQ(server.head[":method"], "POST");
  EXPECT_EQ(server.head[":path"], "/grpc.health.v1.Health/Check");
  EXPECT_EQ(server.head[":authority"], "10.0.0.1:50051");
  EXPECT_EQ(server.head["content-type"], "application/grpc");
  EXPECT_EQ(server.head["te"], "trailers");
  EXPECT_EQ(server.body, std::string(5, '\0'));  // one empty, uncompressed message
  EXPECT_TRUE(server.ended);
  EXPECT_EQ(call.http_status(), 200u);
  EXPECT_EQ(call.grpc_status(), 12);
}

TEST(GrpcHealthRequestTest, ReadsTheStatusFromTrailersAfterAMessage) {
  GrpcPeerServer server(GrpcPeerServer::Answer::kMessageThenTrailers);
  GrpcHealthRequest call("a", "/x");
  EXPECT_EQ(Converse(call, server), GrpcHealthRequest::Progress::kDone);
  EXPECT_EQ(call.grpc_status(), 0);
}

TEST(GrpcHealthRequestTest, TellsAnAnswerWithoutStatusFromAResetStream) {
  GrpcPeerServer plain(GrpcPeerServer::Answer::kNotGrpc);
  GrpcHealthRequest not_grpc("a", "/x");
  EXPECT_EQ(Converse(not_grpc, plain), GrpcHealthRequest::Progress::kDone);
  EXPECT_EQ(not_grpc.http_status(), 404u);
  EXPECT_FALSE(not_grpc.grpc_status().has_value());

  GrpcPeerServer refusing(GrpcPeerServer::Answer::kReset);
  GrpcHealthRequest reset("a", "/x");
  EXPECT_EQ(Converse(reset, refusing), GrpcHealthRequest::Progress::kBroken);

  // A server breaking HTTP/2 (DATA on stream 0 is a connection error): broken at once, not
  // waited on until the probe's timeout.
  GrpcHealthRequest broken("a", "/x");
  (void)broken.TakeOutput();
  const std::string data_on_stream_0(9, '\0');
  const auto progress = broken.Receive(
      reinterpret_cast<const std::uint8_t*>(data_on_stream_0.data()), data_on_stream_0.size());
  EXPECT_NE(progress, GrpcHealthRequest::Progress::kDone);
  EXPECT_FALSE(broken.TakeOutput().empty());  // its GOAWAY
  EXPECT_TRUE(broken.Broken());
}

TEST(GrpcHealthRequestTest, StatusMatchesHealthCheckCodeRanges) {
  EXPECT_TRUE(GrpcStatusMatches({"0-99"}, 12));
  EXPECT_TRUE(GrpcStatusMatches({"0"}, 0));
  EXPECT_FALSE(GrpcStatusMatches({"0"}, 12));
  EXPECT_TRUE(GrpcStatusMatches({"0", "5-14"}, 12));
  EXPECT_FALSE(GrpcStatusMatches({"1-4", "13"}, 12));
  // No gRPC range at all (the HTTP default codes): any answer is a gRPC server answering.
  EXPECT_TRUE(GrpcStatusMatches({"http_2xx", "http_3xx"}, 14));
}

}  // namespace
}  // namespace openalb
