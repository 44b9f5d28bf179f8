#include "dataplane/health_checker.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <random>

#include "dataplane/grpc_health_request.h"

namespace openalb {

struct HealthChecker::Shared {
  // Servers' certificates are not verified (as ALB does not): the probe asks whether the
  // server answers, not who it is.
  boost::asio::ssl::context tls{boost::asio::ssl::context::tls_client};
  std::mutex random_mutex;
  std::mt19937_64 random{std::random_device{}()};
};

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

bool CodeMatches(const std::string& code, unsigned status) {
  // http_2xx … http_5xx
  return code.size() == 8 && code.starts_with("http_") && code.ends_with("xx") &&
         static_cast<unsigned>(code[5] - '0') == status / 100;
}

std::string ExpectedCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) {
    if (!out.empty()) out += ",";
    out += "HTTP_" + code.substr(code.find('_') + 1);
  }
  return out;
}

// One server's probe loop, on one data-plane thread. Every callback carries the probe's
// generation: a late one from a finished probe changes nothing.
class HealthProbe : public std::enable_shared_from_this<HealthProbe> {
 public:
  HealthProbe(asio::io_context& io, std::weak_ptr<ServerHealth> health, tcp::endpoint endpoint,
              std::shared_ptr<HealthChecker::Shared> shared)
      : io_(io),
        health_(std::move(health)),
        endpoint_(std::move(endpoint)),
        shared_(std::move(shared)),
        timer_(io),
        deadline_(io) {}

  void Start(std::chrono::milliseconds first_delay) { Schedule(first_delay); }

 private:
  enum class Stage { kConnect, kSend, kReceive };

  void Schedule(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Run();
    });
  }

  void Run() {
    auto health = health_.lock();
    if (!health) return;  // no pool uses the server any more: the loop ends
    policy_ = health->policy();
    ++generation_;
    done_ = false;
    tls_.reset();
    grpc_.reset();
    socket_.emplace(io_);
    tcp::endpoint target = endpoint_;
    if (policy_.connect_port > 0) target.port(static_cast<std::uint16_t>(policy_.connect_port));
    stage_ = Stage::kConnect;
    deadline_.expires_after(std::chrono::seconds(policy_.timeout_s));
    deadline_.async_wait(
        [self = shared_from_this(), g = generation_](boost::system::error_code ec) {
          if (!ec && g == self->generation_) self->TimedOut();
        });
    socket_->async_connect(
        target, [self = shared_from_this(), g = generation_](boost::system::error_code ec) {
          if (g == self->generation_) self->OnConnect(ec);
        });
  }

  void OnConnect(boost::system::error_code ec) {
    if (done_) return;
    if (ec) return Fail("CONNECT_FAIL");
    if (policy_.protocol == "TCP") return Pass();
    if (policy_.protocol == "gRPC") return StartGrpcCall();
    if (policy_.protocol == "HTTPS") {
      tls_.emplace(std::move(*socket_), shared_->tls);
      const std::string name = policy_.host.empty() ? std::string() : policy_.host;
      if (!name.empty()) SSL_set_tlsext_host_name(tls_->native_handle(), name.c_str());
      tls_->async_handshake(
          asio::ssl::stream_base::client,
          [self = shared_from_this(), g = generation_](boost::system::error_code handshake_ec) {
            if (g != self->generation_ || self->done_) return;
            if (handshake_ec) return self->Fail("CONNECT_FAIL");
            self->SendRequest();
          });
      return;
    }
    SendRequest();
  }

  // HealthCheckHost, or the server's address and port.
  std::string HostHeader() const {
    if (!policy_.host.empty()) return policy_.host;
    const auto address = endpoint_.address();
    std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return host + ":" +
           std::to_string(policy_.connect_port > 0 ? policy_.connect_port : endpoint_.port());
  }

  std::string Request() const {
    const std::string host = HostHeader();
    std::string out = policy_.method + " " + policy_.path +
                      (policy_.http_version == "HTTP1.0" ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    out += "Host: " + host + "\r\nUser-Agent: openalb-health-check\r\nConnection: close\r\n";
    if (policy_.method == "POST") out += "Content-Length: 0\r\n";
    return out + "\r\n";
  }

  template <typename Stream>
  void Exchange(Stream& stream) {
    request_ = Request();
    stage_ = Stage::kSend;
    asio::async_write(stream, asio::buffer(request_),
                      [self = shared_from_this(), g = generation_, &stream](
                          boost::system::error_code ec, std::size_t) {
                        if (g != self->generation_ || self->done_) return;
                        if (ec) return self->Fail("SEND_REQUEST_FAIL");
                        self->ReadStatus(stream);
                      });
  }

  template <typename Stream>
  void ReadStatus(Stream& stream) {
    stage_ = Stage::kReceive;
    buffer_.clear();
    parser_.emplace();
    parser_->skip(true);  // the status line and fields are the verdict; the body is not read
    http::async_read_header(
        stream, buffer_, *parser_,
        [self = shared_from_this(), g = generation_](boost::system::error_code ec, std::size_t) {
          if (g != self->generation_ || self->done_) return;
          if (ec) return self->Fail("RECV_RESPONSE_FAIL");
          self->Judge(self->parser_->get().result_int());
        });
  }

  // gRPC: one call over cleartext HTTP/2; the verdict is its grpc-status.
  void StartGrpcCall() {
    grpc_.emplace(HostHeader(), policy_.path);
    stage_ = Stage::kSend;
    WriteGrpc();
  }

  void WriteGrpc() {
    request_ = grpc_->TakeOutput();
    if (grpc_->Broken()) return Fail("RECV_RESPONSE_FAIL");
    if (request_.empty()) return ReadGrpc();
    asio::async_write(
        *socket_, asio::buffer(request_),
        [self = shared_from_this(), g = generation_](boost::system::error_code ec, std::size_t) {
          if (g != self->generation_ || self->done_) return;
          if (ec) return self->Fail("SEND_REQUEST_FAIL");
          self->ReadGrpc();
        });
  }

  void ReadGrpc() {
    stage_ = Stage::kReceive;
    grpc_in_.resize(16 * 1024);
    socket_->async_read_some(
        asio::buffer(grpc_in_),
        [self = shared_from_this(), g = generation_](boost::system::error_code ec, std::size_t n) {
          if (g != self->generation_ || self->done_) return;
          if (ec) return self->Fail("RECV_RESPONSE_FAIL");
          const auto progress =
              self->grpc_->Receive(reinterpret_cast<const std::uint8_t*>(self->grpc_in_.data()), n);
          if (progress == GrpcHealthRequest::Progress::kBroken) {
            return self->Fail("RECV_RESPONSE_FAIL");
          }
          if (progress == GrpcHealthRequest::Progress::kMore) return self->WriteGrpc();
          self->JudgeGrpc();
        });
  }

  void JudgeGrpc() {
    const auto status = grpc_->grpc_status();
    if (!status) {  // not a gRPC answer
      return Fail("RESPONSE_MISMATCH", GrpcExpected(),
                  "HTTP_" + std::to_string(grpc_->http_status()));
    }
    if (GrpcStatusMatches(policy_.codes, *status)) return Pass();
    Fail("RESPONSE_MISMATCH", GrpcExpected(), std::to_string(*status));
  }

  std::string GrpcExpected() const {
    std::string out;
    for (const auto& code : policy_.codes) {
      if (code.empty() || code[0] < '0' || code[0] > '9') continue;
      if (!out.empty()) out += ",";
      out += code;
    }
    return out.empty() ? "0-99" : out;
  }

  void SendRequest() {
    if (tls_) return Exchange(*tls_);
    Exchange(*socket_);
  }

  void Judge(unsigned status) {
    for (const auto& code : policy_.codes) {
      if (CodeMatches(code, status)) return Pass();
    }
    Fail("RESPONSE_MISMATCH", ExpectedCodes(policy_.codes), "HTTP_" + std::to_string(status));
  }

  void TimedOut() {
    if (done_) return;
    switch (stage_) {
      case Stage::kConnect:
        return Fail("CONNECT_TIMEOUT");
      case Stage::kSend:
        return Fail("SEND_REQUEST_TIMEOUT");
      case Stage::kReceive:
        return Fail("RECV_RESPONSE_TIMEOUT");
    }
  }

  void Pass() { Finish(true, {}); }
  void Fail(std::string reason, std::string expected = {}, std::string actual = {}) {
    Finish(false, HealthReport{HealthState::kUnhealthy, std::move(reason), std::move(expected),
                               std::move(actual)});
  }

  void Finish(bool passed, const HealthReport& failure) {
    done_ = true;
    deadline_.cancel();
    boost::system::error_code ignored;
    if (tls_) {
      tls_->lowest_layer().close(ignored);
    } else if (socket_) {
      socket_->close(ignored);
    }
    auto health = health_.lock();
    if (!health) return;
    health->Record(failure, passed);
    Schedule(std::chrono::seconds(policy_.interval_s));
  }

  asio::io_context& io_;
  std::weak_ptr<ServerHealth> health_;
  const tcp::endpoint endpoint_;
  std::shared_ptr<HealthChecker::Shared> shared_;
  asio::steady_timer timer_;
  asio::steady_timer deadline_;
  HealthCheckPolicy policy_;
  std::uint64_t generation_ = 0;
  bool done_ = true;
  Stage stage_ = Stage::kConnect;
  std::optional<tcp::socket> socket_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  std::string request_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::empty_body>> parser_;
  std::optional<GrpcHealthRequest> grpc_;
  std::string grpc_in_;
};

}  // namespace

HealthReport ServerHealth::Report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

HealthCheckPolicy ServerHealth::policy() const {
  std::lock_guard lock(mutex_);
  return policy_;
}

void ServerHealth::SetPolicy(const HealthCheckPolicy& policy) {
  std::lock_guard lock(mutex_);
  policy_ = policy;
}

void ServerHealth::Record(const HealthReport& failure, bool passed) {
  probes_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (passed) {
    failures_ = 0;
    ++passes_;
    // From Initial one good answer is enough (the server was served meanwhile anyway).
    if (report_.state == HealthState::kInitial || passes_ >= policy_.healthy_threshold) {
      report_ = HealthReport{HealthState::kHealthy, {}, {}, {}};
      up_.store(true, std::memory_order_relaxed);
    }
    return;
  }
  failed_probes_.fetch_add(1, std::memory_order_relaxed);
  passes_ = 0;
  ++failures_;
  if (report_.state == HealthState::kUnhealthy || failures_ >= policy_.unhealthy_threshold) {
    report_ = failure;
    report_.state = HealthState::kUnhealthy;
    up_.store(false, std::memory_order_relaxed);
  }
}

HealthChecker::HealthChecker(IoWorkers& workers)
    : workers_(workers), shared_(std::make_shared<Shared>()) {
  shared_->tls.set_verify_mode(boost::asio::ssl::verify_none);
}

HealthChecker::~HealthChecker() = default;

std::shared_ptr<ServerHealth> HealthChecker::Watch(const std::string& server_group_id,
                                                   const Endpoint& endpoint,
                                                   const HealthCheckPolicy& policy) {
  const std::string key = server_group_id + "|" + endpoint.address().to_string() + "|" +
                          std::to_string(endpoint.port());
  std::lock_guard lock(mutex_);
  for (auto it = watched_.begin(); it != watched_.end();) {
    it = it->second.expired() ? watched_.erase(it) : std::next(it);
  }
  if (auto existing = watched_[key].lock()) {
    existing->SetPolicy(policy);
    return existing;
  }
  auto health = std::make_shared<ServerHealth>(policy);
  watched_[key] = health;
  std::chrono::milliseconds first_delay;
  {
    std::lock_guard random_lock(shared_->random_mutex);
    std::uniform_int_distribution<int> spread(0, std::max(1, policy.interval_s * 1000) - 1);
    first_delay = std::chrono::milliseconds(spread(shared_->random));
  }
  auto worker = workers_.Next();
  auto probe = std::make_shared<HealthProbe>(worker.io, health, endpoint, shared_);
  boost::asio::post(worker.io, [probe, first_delay] { probe->Start(first_delay); });
  return health;
}

std::optional<HealthReport> HealthChecker::ReportOf(const std::string& server_group_id,
                                                    const std::string& address, int port) const {
  boost::system::error_code ec;
  auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec) return std::nullopt;
  const std::string key = server_group_id + "|" + parsed.to_string() + "|" + std::to_string(port);
  std::lock_guard lock(mutex_);
  auto it = watched_.find(key);
  if (it == watched_.end()) return std::nullopt;
  auto health = it->second.lock();
  if (!health) return std::nullopt;
  return health->Report();
}

void HealthChecker::WriteMetrics(PrometheusText& out) const {
  struct Row {
    std::string group, server;
    HealthState state;
    std::uint64_t probes, failed;
  };
  std::vector<Row> rows;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, weak] : watched_) {
      auto health = weak.lock();
      if (!health) continue;
      const auto first = key.find('|');
      const auto last = key.rfind('|');
      std::string server = key.substr(first + 1, last - first - 1);
      if (server.find(':') != std::string::npos)
        server = std::string("[").append(server).append("]");
      server.append(":").append(key.substr(last + 1));
      rows.push_back(Row{key.substr(0, first), std::move(server), health->Report().state,
                         health->probes(), health->failed_probes()});
    }
  }
  static constexpr std::array<std::pair<HealthState, std::string_view>, 3> kStates = {
      {{HealthState::kInitial, "initial"},
       {HealthState::kHealthy, "healthy"},
       {HealthState::kUnhealthy, "unhealthy"}}};
  out.Family("openalb_server_health", "gauge",
             "Each actively checked server's state by this node's probes: 1 in the series of "
             "its state (initial, healthy, unhealthy), 0 in the others.");
  for (const auto& row : rows) {
    for (const auto& [state, name] : kStates) {
      out.Sample("openalb_server_health",
                 {{"server_group_id", row.group}, {"server", row.server}, {"state", name}},
                 row.state == state ? 1 : 0);
    }
  }
  out.Family("openalb_health_probes_total", "counter",
             "Health probes sent to each checked server, by result (pass, fail).");
  for (const auto& row : rows) {
    out.Sample("openalb_health_probes_total",
               {{"server_group_id", row.group}, {"server", row.server}, {"result", "pass"}},
               static_cast<double>(row.probes - row.failed));
    out.Sample("openalb_health_probes_total",
               {{"server_group_id", row.group}, {"server", row.server}, {"result", "fail"}},
               static_cast<double>(row.failed));
  }
}

size_t HealthChecker::watched() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [key, health] : watched_) n += health.expired() ? 0 : 1;
  return n;
}

}  // namespace openalb
