// GrpcHealthRequest: the HTTP/2 side of a gRPC health check, without I/O. It writes one gRPC
// call (POST to HealthCheckPath, an empty message, `te: trailers`) over cleartext HTTP/2 with
// nghttp2's client session and reads the answer until its grpc-status is known — in the head
// of a trailers-only answer or in the trailers. health_checker moves the bytes; ALB judges a
// gRPC server healthy when that status is within HealthCheckCodes (e.g. "0-99"), so a server
// that answers UNIMPLEMENTED for the path still counts as serving gRPC.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openalb {

class GrpcHealthRequest {
 public:
  enum class Progress { kMore, kDone, kBroken };

  GrpcHealthRequest(std::string_view authority, std::string_view path);
  ~GrpcHealthRequest();
  GrpcHealthRequest(const GrpcHealthRequest&) = delete;
  GrpcHealthRequest& operator=(const GrpcHealthRequest&) = delete;

  // What is to be written to the server now (the preface and call first, SETTINGS
  // acknowledgements later); empty when nothing is.
  std::string TakeOutput();
  // Bytes read from the server: kDone once the call ended, kBroken on a protocol error or a
  // reset stream.
  Progress Receive(const std::uint8_t* data, size_t size);
  // The connection failed (a protocol error, its GOAWAY written): no answer will come.
  bool Broken() const;

  unsigned http_status() const { return http_status_; }
  // The call's grpc-status; nullopt when the answer carried none (not a gRPC server).
  std::optional<int> grpc_status() const { return grpc_status_; }

 private:
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                      size_t name_size, const std::uint8_t* value, size_t value_size,
                      std::uint8_t flags, void* self);
  static int OnStreamClose(nghttp2_session*, std::int32_t stream_id, std::uint32_t error,
                           void* self);
  static ssize_t ReadMessage(nghttp2_session*, std::int32_t stream_id, std::uint8_t* out,
                             size_t size, std::uint32_t* flags, nghttp2_data_source*, void* self);

  nghttp2_session* ng_ = nullptr;
  std::int32_t stream_id_ = -1;
  bool closed_ = false;
  bool reset_ = false;
  bool message_sent_ = false;
  unsigned http_status_ = 0;
  std::optional<int> grpc_status_;
};

// Whether a grpc-status is within HealthCheckCodes' gRPC ranges ("0", "0-99"); codes with no
// gRPC range (only http_2xx and the like) accept any status, as ALB's default 0-99 does.
bool GrpcStatusMatches(const std::vector<std::string>& codes, int status);

}  // namespace openalb
