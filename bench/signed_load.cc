// signed_load: a keep-alive HTTP/1.1 load generator for the OpenAPI endpoint. Every request
// is a fresh V1-signed (HMAC-SHA1) GET with its own nonce and timestamp, exactly what a real
// client must send, so the server verifies a signature and records a nonce per request.
// --param Action=… --param Name=… sends another action with its parameters instead;
// --mix "Action=…&Name=…" (repeatable) cycles through several requests, one after another.
// --report-every S prints a line every S seconds of the measured window (requests, p99,
// the server's resident memory), for soak runs.
// With --unsigned it sends the same request line without checking anything, for serving a
// static body with nginx as the reference. One thread, epoll, N connections.
//
// It reads the server's CPU time (utime+stime of --server-pid) across the measured window,
// so results can be reported as server CPU microseconds per request. "requests", "rps", CPU
// per request and latencies count 200 answers only; "failed" counts the others.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "api/signature_v1.h"
#include "core/percent_encoding.h"
#include "core/time_format.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  int connections = 64;
  double warmup_seconds = 2;
  double seconds = 10;
  std::string access_key_id;
  std::string secret;
  bool unsigned_requests = false;
  int server_pid = 0;
  std::vector<std::string> params;  // extra "Name=Value" action parameters; Action overrides
  std::vector<std::string> mix;     // "Name=Value&Name=Value" requests to cycle through
  double report_every_seconds = 0;  // 0: one summary at the end only
};

struct Connection {
  int fd = -1;
  std::string in;
  Clock::time_point sent_at;
};

double ProcessCpuSeconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::vector<std::string> fields;
  size_t pos = close_paren + 2;
  while (pos < stat.size()) {
    size_t next = stat.find(' ', pos);
    fields.push_back(stat.substr(pos, next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  double ticks = std::stod(fields[11]) + std::stod(fields[12]);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resident memory of `pid` in KiB (VmRSS), or 0 if unknown.
long ResidentKiB(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

double OwnCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

class RequestFactory {
 public:
  explicit RequestFactory(const Options& options) : options_(options) {}

  std::string Next() {
    ++counter_;
    std::string query;
    if (options_.unsigned_requests) {
      query =
          "Action=DescribeRegions&Version=2020-06-16&SignatureNonce=" + std::to_string(counter_);
    } else {
      auto now = std::chrono::system_clock::now();
      auto second = std::chrono::floor<std::chrono::seconds>(now);
      if (second != cached_second_) {
        cached_second_ = second;
        timestamp_ = openalb::FormatIso8601(now);
      }
      openalb::ParameterMap params = {
          {"AccessKeyId", options_.access_key_id},
          {"Action", "DescribeRegions"},
          {"Format", "JSON"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"SignatureNonce", nonce_prefix_ + std::to_string(counter_)},
          {"SignatureVersion", "1.0"},
          {"Timestamp", timestamp_},
          {"Version", "2020-06-16"},
      };
      auto add = [&params](const std::string& param) {
        auto eq = param.find('=');
        params[param.substr(0, eq)] = eq == std::string::npos ? "" : param.substr(eq + 1);
      };
      for (const auto& param : options_.params) add(param);
      if (!options_.mix.empty()) {
        const std::string& request = options_.mix[counter_ % options_.mix.size()];
        for (size_t from = 0; from <= request.size();) {
          size_t amp = std::min(request.find('&', from), request.size());
          add(request.substr(from, amp - from));
          from = amp + 1;
        }
      }
      params["Signature"] =
          openalb::SignV1(options_.secret, openalb::StringToSignV1("GET", params));
      for (const auto& [k, v] : params) {
        if (!query.empty()) query.push_back('&');
        query += openalb::PercentEncode(k) + "=" + openalb::PercentEncode(v);
      }
    }
    return "GET /?" + query + " HTTP/1.1\r\nHost: " + options_.host + ":" +
           std::to_string(options_.port) + "\r\nUser-Agent: signed_load\r\n\r\n";
  }

 private:
  const Options& options_;
  unsigned long counter_ = 0;
  std::string nonce_prefix_ = std::to_string(::getpid()) + "-" +
                              std::to_string(Clock::now().time_since_epoch().count()) + "-";
  std::chrono::system_clock::time_point cached_second_{};
  std::string timestamp_;
};

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

// The `p` quantile (0 … 1) of ascending `sorted`; 0 when empty.
uint32_t Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1,
                         static_cast<size_t>(p * static_cast<double>(sorted.size())))];
}

// Returns the length of the first complete response in `in`, or 0 if incomplete.
size_t CompleteResponseLength(const std::string& in) {
  size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  size_t content_length = 0;
  std::string lower_headers = in.substr(0, header_end);
  std::transform(lower_headers.begin(), lower_headers.end(), lower_headers.begin(), ::tolower);
  size_t pos = lower_headers.find("content-length:");
  if (pos != std::string::npos) content_length = std::stoul(in.substr(pos + 15));
  size_t total = header_end + 4 + content_length;
  return in.size() >= total ? total : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"signed_load: V1-signed keep-alive load against an OpenAPI endpoint"};
  app.add_option("--host", options.host);
  app.add_option("--port", options.port)->required();
  app.add_option("--connections", options.connections);
  app.add_option("--warmup", options.warmup_seconds);
  app.add_option("--seconds", options.seconds);
  app.add_option("--access-key-id", options.access_key_id);
  app.add_option("--secret", options.secret);
  app.add_flag("--unsigned", options.unsigned_requests);
  app.add_option("--server-pid", options.server_pid);
  app.add_option("--param", options.params, "Extra action parameter Name=Value (repeatable)");
  app.add_option("--mix", options.mix,
                 "A request Name=Value&Name=Value to cycle through (repeatable)");
  app.add_option("--report-every", options.report_every_seconds,
                 "Print requests, p99 and server RSS every this many seconds");
  CLI11_PARSE(app, argc, argv);

  RequestFactory factory(options);
  int epoll = epoll_create1(0);
  std::vector<Connection> connections(static_cast<size_t>(options.connections));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(options.port));
  inet_pton(AF_INET, options.host.c_str(), &address.sin_addr);
  for (size_t i = 0; i < connections.size(); ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::perror("connect");
      return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connections[i].fd = fd;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
  }

  auto start = Clock::now();
  auto measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(options.warmup_seconds));
  auto measure_until = measure_from + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(options.seconds));
  bool measuring = false;
  double server_cpu_start = 0, own_cpu_start = 0;
  unsigned long ok = 0, failed = 0;
  std::vector<uint32_t> latencies_us;
  latencies_us.reserve(2'000'000);
  long rss_start_kib = 0;
  // Per-interval figures, when --report-every is given.
  const auto report_every = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.report_every_seconds));
  Clock::time_point next_report;
  int interval = 0;
  unsigned long interval_ok = 0, interval_failed = 0;
  std::vector<uint32_t> interval_latencies_us;
  Clock::time_point interval_from;
  auto report_interval = [&](Clock::time_point now) {
    std::sort(interval_latencies_us.begin(), interval_latencies_us.end());
    auto at = [&](double p) { return Percentile(interval_latencies_us, p); };
    double seconds = std::chrono::duration<double>(now - interval_from).count();
    interval_from = now;
    std::printf(
        "{\"interval\":%d,\"until_s\":%.0f,\"requests\":%lu,\"failed\":%lu,\"rps\":%.0f,"
        "\"p50_us\":%u,\"p99_us\":%u,\"server_rss_kib\":%ld}\n",
        ++interval, std::chrono::duration<double>(now - measure_from).count(), interval_ok,
        interval_failed, static_cast<double>(interval_ok) / seconds, at(0.5), at(0.99),
        ResidentKiB(options.server_pid));
    std::fflush(stdout);
    interval_ok = interval_failed = 0;
    interval_latencies_us.clear();
  };

  for (auto& c : connections) {
    c.sent_at = Clock::now();
    SendAll(c.fd, factory.Next());
  }
  std::vector<epoll_event> events(connections.size());
  char buffer[65536];
  std::string first_failure;
  while (true) {
    auto now = Clock::now();
    if (!measuring && now >= measure_from) {
      measuring = true;
      server_cpu_start = ProcessCpuSeconds(options.server_pid);
      own_cpu_start = OwnCpuSeconds();
      rss_start_kib = ResidentKiB(options.server_pid);
      measure_from = now;
      next_report = now + report_every;
      interval_from = now;
    }
    if (measuring && report_every.count() > 0 && now >= next_report) {
      report_interval(now);
      next_report += report_every;
    }
    if (now >= measure_until) {
      if (report_every.count() > 0 && !interval_latencies_us.empty()) report_interval(now);
      break;
    }
    int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
    for (int e = 0; e < n; ++e) {
      Connection& c = connections[events[e].data.u64];
      ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        std::fprintf(stderr, "connection closed by server\n");
        return 1;
      }
      c.in.append(buffer, static_cast<size_t>(got));
      while (size_t length = CompleteResponseLength(c.in)) {
        auto done = Clock::now();
        bool success = c.in.starts_with("HTTP/1.1 200");
        if (!success && first_failure.empty()) first_failure = c.in.substr(0, length);
        // Only answered requests count towards req/s, CPU per request and latency: a
        // server failing fast must not look faster.
        if (measuring) {
          (success ? ok : failed)++;
          if (report_every.count() > 0) (success ? interval_ok : interval_failed)++;
          if (success) {
            auto latency = static_cast<uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(done - c.sent_at).count());
            latencies_us.push_back(latency);
            if (report_every.count() > 0) interval_latencies_us.push_back(latency);
          }
        }
        c.in.erase(0, length);
        c.sent_at = Clock::now();
        if (!SendAll(c.fd, factory.Next())) return 1;
      }
    }
  }
  double wall = std::chrono::duration<double>(Clock::now() - measure_from).count();
  double server_cpu = ProcessCpuSeconds(options.server_pid) - server_cpu_start;
  double own_cpu = OwnCpuSeconds() - own_cpu_start;
  std::sort(latencies_us.begin(), latencies_us.end());
  auto percentile = [&](double p) { return Percentile(latencies_us, p); };
  std::printf(
      "{\"requests\":%lu,\"failed\":%lu,\"seconds\":%.3f,\"rps\":%.0f,\"p50_us\":%u,"
      "\"p99_us\":%u,\"server_cpu_us_per_request\":%.2f,\"server_cpu_util\":%.3f,"
      "\"client_cpu_util\":%.3f,\"server_rss_start_kib\":%ld,\"server_rss_end_kib\":%ld}\n",
      ok, failed, wall, static_cast<double>(ok) / wall, percentile(0.5), percentile(0.99),
      ok ? server_cpu * 1e6 / static_cast<double>(ok) : 0.0, server_cpu / wall, own_cpu / wall,
      rss_start_kib, ResidentKiB(options.server_pid));
  if (!first_failure.empty()) std::fprintf(stderr, "first failure:\n%s\n", first_failure.c_str());
  return failed == 0 ? 0 : 2;
}
