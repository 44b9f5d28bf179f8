// `openalb top`: the admin address's /metrics as a terminal view, refreshed every --interval —
// per listener its connections, requests, 4xx and 5xx per second, latency percentiles,
// handshakes and bytes; the connections held, jobs pending and API rate; servers by health
// (the unhealthy ones named); certificates expiring within 30 days. `q` or Ctrl-C quits.
// Rates are the difference of two scrapes; percentiles come from the histogram's buckets
// (their upper bounds).
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/prometheus_parse.h"
#include "server/cli_support.h"
#include "server/commands.h"

namespace openalb {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

volatile std::sig_atomic_t interrupted = 0;

struct Scrape {
  std::chrono::steady_clock::time_point at;
  std::vector<MetricSample> samples;
};

Result<Scrape> ScrapeMetrics(const std::string& host, const std::string& port,
                             const std::string& token) {
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(resolver.resolve(host, port));
    http::request<http::empty_body> request{http::verb::get, "/metrics", 11};
    request.set(http::field::host, host + ":" + port);
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (response.result_int() == 401) {
      return Fail(ApiError{"Unauthorized",
                           401,
                           "/metrics asks for the admin token: give --admin-token (or "
                           "OPENALB_ADMIN_TOKEN)",
                           {}});
    }
    if (response.result_int() != 200) {
      return Fail(ApiError{
          "ScrapeFailed", 502, "/metrics answered " + std::to_string(response.result_int()), {}});
    }
    return Scrape{std::chrono::steady_clock::now(), ParsePrometheusText(response.body())};
  } catch (const std::exception& e) {
    return Fail(ApiError{"ScrapeFailed",
                         502,
                         "cannot read http://" + host + ":" + port + "/metrics: " + e.what() +
                             " (is openalb serve running with its admin address there?)",
                         {}});
  }
}

// Sum of the samples of `name` whose labels include every pair of `match`.
double Sum(const Scrape& scrape, const std::string& name,
           const std::map<std::string, std::string>& match = {}) {
  double sum = 0;
  for (const auto& sample : scrape.samples) {
    if (sample.name != name) continue;
    bool all = true;
    for (const auto& [label, value] : match) all = all && sample.Label(label) == value;
    if (all) sum += sample.value;
  }
  return sum;
}

struct Rates {
  const Scrape& now;
  const Scrape* before;  // null: the first scrape, no rates yet
  double seconds;
  std::optional<double> Per(const std::string& name,
                            const std::map<std::string, std::string>& match) const {
    if (before == nullptr || seconds <= 0) return std::nullopt;
    return std::max(0.0, (Sum(now, name, match) - Sum(*before, name, match)) / seconds);
  }
};

std::string Figure(std::optional<double> value, const char* format = "%.1f") {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

// The bucket bound under which `q` of the requests between the scrapes fell, in ms.
std::optional<double> Percentile(const Rates& rates, const std::string& listener_id, double q) {
  if (rates.before == nullptr) return std::nullopt;
  std::vector<std::pair<double, double>> buckets;  // (bound, cumulative count between scrapes)
  for (const auto& sample : rates.now.samples) {
    if (sample.name != "openalb_dataplane_request_duration_seconds_bucket" ||
        sample.Label("listener_id") != listener_id) {
      continue;
    }
    const std::string& le = sample.Label("le");
    const double bound = le == "+Inf" ? 1e9 : std::strtod(le.c_str(), nullptr);
    const double before =
        Sum(*rates.before, sample.name, {{"listener_id", listener_id}, {"le", le}});
    buckets.emplace_back(bound, sample.value - before);
  }
  std::sort(buckets.begin(), buckets.end());
  if (buckets.empty() || buckets.back().second <= 0) return std::nullopt;
  const double target = q * buckets.back().second;
  for (const auto& [bound, count] : buckets) {
    if (count >= target) return bound >= 1e9 ? std::optional<double>{} : bound * 1000;
  }
  return std::nullopt;
}

std::string Frame(const std::string& admin, const Rates& rates, std::int64_t interval_ms,
                  bool live = true) {
  const Scrape& now = rates.now;
  std::string out;
  char line[512];
  const std::time_t wall = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&wall, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%SZ", &utc);
  std::snprintf(line, sizeof line, "openalb top  %s  %s  %s %.1fs%s\n", admin.c_str(), stamp,
                live ? "every" : "rates over", static_cast<double>(interval_ms) / 1000,
                live ? ", q quits" : "");
  out += line;
  std::snprintf(line, sizeof line,
                "connections %.0f active, %.0f idle   buffered %.0f B   jobs pending %.0f   API "
                "%s req/s\n\n",
                Sum(now, "openalb_dataplane_connections", {{"state", "active"}}),
                Sum(now, "openalb_dataplane_connections", {{"state", "idle"}}),
                Sum(now, "openalb_dataplane_buffered_request_bytes"),
                Sum(now, "openalb_jobs_pending"),
                Figure(rates.Per("openalb_api_requests_total", {})).c_str());
  out += line;
  std::snprintf(line, sizeof line, "%-26s %-6s %8s %9s %7s %7s %7s %7s %7s %9s %9s\n", "LISTENER",
                "PROTO", "CONN/s", "REQ/s", "4XX/s", "5XX/s", "P50ms", "P99ms", "TLS/s", "IN KB/s",
                "OUT KB/s");
  out += line;
  for (const auto& sample : now.samples) {
    if (sample.name != "openalb_dataplane_connections_accepted_total") continue;
    const std::string& id = sample.Label("listener_id");
    const std::map<std::string, std::string> of{{"listener_id", id}};
    std::optional<double> requests;
    for (const char* code : {"1xx", "2xx", "3xx", "4xx", "5xx"}) {
      auto r = rates.Per("openalb_dataplane_requests_total",
                         {{"listener_id", id}, {"code_class", code}});
      if (r) requests = requests.value_or(0) + *r;
    }
    auto kilobytes = [&](const char* direction) {
      auto r = rates.Per("openalb_dataplane_body_bytes_total",
                         {{"listener_id", id}, {"direction", direction}});
      return r ? std::optional<double>(*r / 1024) : std::nullopt;
    };
    std::snprintf(line, sizeof line, "%-26s %-6s %8s %9s %7s %7s %7s %7s %7s %9s %9s\n", id.c_str(),
                  sample.Label("protocol").c_str(),
                  Figure(rates.Per("openalb_dataplane_connections_accepted_total", of)).c_str(),
                  Figure(requests).c_str(),
                  Figure(rates.Per("openalb_dataplane_requests_total",
                                   {{"listener_id", id}, {"code_class", "4xx"}}))
                      .c_str(),
                  Figure(rates.Per("openalb_dataplane_requests_total",
                                   {{"listener_id", id}, {"code_class", "5xx"}}))
                      .c_str(),
                  Figure(Percentile(rates, id, 0.5), "%.2f").c_str(),
                  Figure(Percentile(rates, id, 0.99), "%.2f").c_str(),
                  Figure(rates.Per("openalb_tls_handshakes_total", of)).c_str(),
                  Figure(kilobytes("in")).c_str(), Figure(kilobytes("out")).c_str());
    out += line;
  }
  int healthy = 0, unhealthy = 0, initial = 0;
  std::string down;
  for (const auto& sample : now.samples) {
    if (sample.name != "openalb_server_health" || sample.value != 1) continue;
    const std::string& state = sample.Label("state");
    if (state == "healthy") ++healthy;
    if (state == "initial") ++initial;
    if (state == "unhealthy") {
      ++unhealthy;
      down +=
          "  unhealthy: " + sample.Label("server_group_id") + " " + sample.Label("server") + "\n";
    }
  }
  std::snprintf(line, sizeof line, "\nservers checked: %d healthy, %d unhealthy, %d initial\n",
                healthy, unhealthy, initial);
  out += line;
  out += down;
  for (const auto& sample : now.samples) {
    if (sample.name == "openalb_certificate_expiry_days" && sample.value < 30) {
      std::snprintf(line, sizeof line, "certificate %s expires in %.1f days\n",
                    sample.Label("certificate_id").c_str(), sample.value);
      out += line;
    }
  }
  return out;
}

// The terminal without line buffering or echo while top runs, restored after.
class RawTerminal {
 public:
  RawTerminal() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

// Waits up to `ms` for a key; true when it was q (or Ctrl-C came).
bool WaitForQuit(std::int64_t ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!interrupted) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          until - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd in{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&in, 1, static_cast<int>(std::min<std::int64_t>(left, 200)));
    if (ready > 0 && (in.revents & POLLIN) != 0) {
      char key = 0;
      if (::read(STDIN_FILENO, &key, 1) == 1 && (key == 'q' || key == 'Q')) return true;
      if ((in.revents & POLLHUP) != 0) std::this_thread::sleep_for(std::chrono::milliseconds(left));
    }
  }
  return true;
}

}  // namespace

int RunTop(const TopOptions& options) {
  const auto colon = options.admin.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "openalb top: --admin takes host:port, not %s\n", options.admin.c_str());
    return 2;
  }
  const std::string host = options.admin.substr(0, colon);
  const std::string port = options.admin.substr(colon + 1);
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  auto first = ScrapeMetrics(host, port, options.token);
  if (!first) return ReportError(first.error());
  Scrape before = std::move(*first);
  if (options.once) {
    if (WaitForQuit(options.interval_ms)) return 0;
    auto now = ScrapeMetrics(host, port, options.token);
    if (!now) return ReportError(now.error());
    const double seconds = std::chrono::duration<double>(now->at - before.at).count();
    std::fputs(
        Frame(options.admin, Rates{*now, &before, seconds}, options.interval_ms, false).c_str(),
        stdout);
    return 0;
  }
  RawTerminal terminal;
  std::fputs(
      ("\x1b[H\x1b[2J" + Frame(options.admin, Rates{before, nullptr, 0}, options.interval_ms))
          .c_str(),
      stdout);
  std::fflush(stdout);
  while (!WaitForQuit(options.interval_ms)) {
    auto now = ScrapeMetrics(host, port, options.token);
    std::string screen = "\x1b[H\x1b[2J";
    if (!now) {
      screen += "openalb top: " + now.error().message + "\n";
    } else {
      const double seconds = std::chrono::duration<double>(now->at - before.at).count();
      screen += Frame(options.admin, Rates{*now, &before, seconds}, options.interval_ms);
      before = std::move(*now);
    }
    std::fputs(screen.c_str(), stdout);
    std::fflush(stdout);
  }
  std::fputs("\n", stdout);
  return 0;
}

}  // namespace openalb
