#include "server/console.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/percent_encoding.h"
#include "server/admin_endpoint.h"
#include "server/console_assets.h"

namespace openalb {
namespace {

constexpr std::string_view kCookie = "openalb_console";
constexpr std::int64_t kSessionMs = 8LL * 3600 * 1000;
constexpr int kRowsShown = 200;  // per table

void Escape(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

std::string Escaped(std::string_view text) {
  std::string out;
  Escape(out, text);
  return out;
}

std::vector<std::pair<std::string, std::string>> Hardened(
    std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; "
                       "connect-src 'self'; img-src 'self'; form-action 'self'; "
                       "frame-ancestors 'none'; base-uri 'none'");
  headers.emplace_back("X-Frame-Options", "DENY");
  headers.emplace_back("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: under no-referrer a browser's form POST says Origin: null,
  // and the console could not tell its own sign-in from another site's.
  headers.emplace_back("Referrer-Policy", "same-origin");
  headers.emplace_back("Cache-Control", "no-store");
  return headers;
}

HttpReply Html(int status, std::string body,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {status, "text/html; charset=utf-8", std::move(body), Hardened(std::move(headers))};
}

std::string Document(std::string_view title, std::string_view body) {
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>";
  Escape(out, title);
  out +=
      "</title><link rel=\"stylesheet\" href=\"/console/console.css\">"
      "<link rel=\"icon\" href=\"/console/favicon.svg\"></head><body>";
  out += body;
  out += "</body></html>";
  return out;
}

HttpReply LoginForm(int status, std::string_view message) {
  std::string body = "<main class=\"login\"><h1>openalb console</h1>";
  if (!message.empty()) {
    body += "<p class=\"error\" role=\"alert\">";
    Escape(body, message);
    body += "</p>";
  }
  body +=
      "<form method=\"post\" action=\"/console/login\">"
      "<label for=\"token\">Admin token</label> "
      "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
      "required> <button type=\"submit\">Sign in</button></form>"
      "<p class=\"note\">The token given to <code>openalb serve --admin-token</code>.</p></main>";
  return Html(status, Document("openalb console: sign in", body));
}

std::string DateOf(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::array<char, 40> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%SZ", &utc);
  return text.data();
}

std::string Cell(std::string_view text) {
  std::string out = "<td>";
  Escape(out, text);
  out += "</td>";
  return out;
}

std::string Heading(std::initializer_list<std::string_view> names) {
  std::string out = "<thead><tr>";
  for (auto name : names) {
    out += "<th scope=\"col\">";
    Escape(out, name);
    out += "</th>";
  }
  return out + "</tr></thead><tbody>";
}

// The value of `name` in a form body (application/x-www-form-urlencoded).
std::optional<std::string> FormValue(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace

Console::Console(Store& store, const DataPlane& data_plane, Random& random, std::string admin_token,
                 std::function<std::int64_t()> now_ms)
    : store_(store),
      data_plane_(data_plane),
      random_(random),
      token_(std::move(admin_token)),
      now_ms_(std::move(now_ms)) {}

std::optional<HttpReply> Console::Handle(const HttpRequestView& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path != "/console" && path.rfind("/console/", 0) != 0) return std::nullopt;
  // Static assets carry nothing secret: they load before signing in.
  if (path == "/console/console.css") {
    return HttpReply{200, "text/css; charset=utf-8", std::string(kConsoleCss), Hardened()};
  }
  if (path == "/console/favicon.svg") {
    return HttpReply{200, "image/svg+xml", std::string(kConsoleIcon), Hardened()};
  }
  if (path == "/console/console.js") {
    return HttpReply{200, "text/javascript; charset=utf-8", std::string(kConsoleJs), Hardened()};
  }
  if (token_.empty()) {
    return Html(403, Document("openalb console",
                              "<main class=\"login\"><h1>openalb console</h1><p>The console "
                              "shows every account's resources, so it needs an admin token: "
                              "start <code>openalb serve</code> with <code>--admin-token</code> "
                              "(or <code>OPENALB_ADMIN_TOKEN</code>).</p></main>"));
  }
  if (request.method == "POST") {
    // Only from the console's own pages: another site's form cannot sign a browser in or out.
    const auto origin = request.Header("origin");
    const auto host = request.Header("host");
    const std::string own =
        std::string(request.secure_transport ? "https://" : "http://").append(host.value_or(""));
    const bool same_origin = origin && host && *origin == own;
    if (!same_origin) {
      return Html(403, Document("openalb console", "<p>Cross-origin request refused.</p>"));
    }
    if (path == "/console/login") return Login(request);
    if (path == "/console/logout") return Logout(request);
    return Html(405, Document("openalb console", "<p>Not allowed.</p>"), {{"Allow", "GET"}});
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return Html(405, Document("openalb console", "<p>Not allowed.</p>"), {{"Allow", "GET, POST"}});
  }
  if (path == "/console/login") return LoginForm(200, "");
  if (!Authenticated(request)) {
    if (path == "/console/rates") {
      return HttpReply{401, "application/json", "{\"error\":\"sign in\"}", Hardened()};
    }
    return HttpReply{303, "text/plain", "", Hardened({{"Location", "/console/login"}})};
  }
  if (path == "/console" || path == "/console/") return Page();
  if (path == "/console/rates") return Rates();
  return Html(404, Document("openalb console", "<p>Not found.</p>"));
}

std::optional<std::string> Console::SessionOf(const HttpRequestView& request) const {
  const auto cookies = request.Header("cookie");
  if (!cookies) return std::nullopt;
  std::string_view rest = *cookies;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > kCookie.size() && pair.substr(0, kCookie.size()) == kCookie &&
        pair[kCookie.size()] == '=') {
      return std::string(pair.substr(kCookie.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

bool Console::Authenticated(const HttpRequestView& request) {
  if (request.Header("authorization")) return BearerTokenMatches(request, token_);
  const auto session = SessionOf(request);
  if (!session) return false;
  std::lock_guard lock(mutex_);
  const std::int64_t now = now_ms_();
  std::erase_if(sessions_, [now](const auto& entry) { return entry.second <= now; });
  for (const auto& [id, expiry] : sessions_) {
    if (ConstantTimeEquals(id, *session)) return true;
  }
  return false;
}

HttpReply Console::Login(const HttpRequestView& request) {
  const auto token = FormValue(request.body, "token");
  if (!token || !ConstantTimeEquals(*token, token_)) {
    return LoginForm(401, "That is not the admin token.");
  }
  std::array<unsigned char, 32> bytes{};
  random_.Fill(bytes.data(), bytes.size());
  const std::string id =
      HexLower(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  {
    std::lock_guard lock(mutex_);
    sessions_[id] = now_ms_() + kSessionMs;
  }
  return HttpReply{303, "text/plain", "",
                   Hardened({{"Location", "/console"},
                             {"Set-Cookie", std::string(kCookie) + "=" + id +
                                                "; Path=/console; HttpOnly; SameSite=Strict; "
                                                "Max-Age=28800" +
                                                (request.secure_transport ? "; Secure" : "")}})};
}

HttpReply Console::Logout(const HttpRequestView& request) {
  if (const auto session = SessionOf(request)) {
    std::lock_guard lock(mutex_);
    sessions_.erase(*session);
  }
  return HttpReply{303, "text/plain", "",
                   Hardened({{"Location", "/console/login"},
                             {"Set-Cookie", std::string(kCookie) +
                                                "=; Path=/console; HttpOnly; SameSite=Strict; "
                                                "Max-Age=0"}})};
}

HttpReply Console::Rates() {
  std::string out = "{\"time_ms\":" + std::to_string(now_ms_()) + ",\"listeners\":[";
  bool first = true;
  for (const auto& totals : data_plane_.Totals()) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":\"" + totals.listener_id +
           "\",\"answered\":" + std::to_string(totals.answered) +
           ",\"server_errors\":" + std::to_string(totals.server_errors) + "}";
  }
  out += "]}";
  return HttpReply{200, "application/json", std::move(out), Hardened()};
}

HttpReply Console::Page() {
  const std::int64_t now = now_ms_();
  std::string body;
  auto read =
      InTransaction<std::string>(store_, TxMode::kRead, [&](StoreTx& tx) -> Result<std::string> {
        std::string html;
        const PageRequest first{.after = 0, .limit = kRowsShown};
        // Load balancers.
        auto lbs = tx.ListLoadBalancers({}, first);
        if (!lbs) return Fail(lbs.error());
        html += "<section id=\"load-balancers\"><h2>Load balancers <small>" +
                std::to_string(lbs->total) + "</small></h2><table>" +
                Heading({"Id", "Name", "Account", "Status", "Edition", "Address type", "Created"});
        for (const auto& lb : lbs->items) {
          html += "<tr>" + Cell(lb.load_balancer_id) + Cell(lb.name) + Cell(lb.account_id) +
                  Cell(lb.status) + Cell(lb.edition) + Cell(lb.address_type) +
                  Cell(DateOf(lb.created_ms)) + "</tr>";
        }
        html += "</tbody></table></section>";
        // Listeners, with their certificates and live rates.
        auto listeners = tx.ListListeners({}, first);
        if (!listeners) return Fail(listeners.error());
        html += "<section id=\"listeners\"><h2>Listeners <small>" +
                std::to_string(listeners->total) + "</small></h2><table>" +
                Heading({"Id", "Load balancer", "Protocol", "Port", "Status", "Certificates",
                         "Requests/s", "5xx/s", "Last minute"});
        for (const auto& listener : listeners->items) {
          std::string certificates;
          auto rows = tx.ListListenerCertificates({.listener_id = listener.listener_id}, first);
          if (!rows) return Fail(rows.error());
          for (const auto& row : rows->items) {
            auto certificate = tx.FindCertificate(listener.account_id, row.certificate_id);
            if (!certificate) return Fail(certificate.error());
            certificates += "<div class=\"certificate\">";
            Escape(certificates, row.certificate_id);
            if (row.is_default) certificates += " <em>default</em>";
            if (*certificate) {
              const double days =
                  static_cast<double>((*certificate)->not_after_ms - now) / (24.0 * 3600 * 1000);
              std::array<char, 32> left{};
              std::snprintf(left.data(), left.size(), "%.0f", days);
              certificates += std::string(" · <span class=\"") +
                              (days < 30 ? "expiring" : "valid") + "\">" + left.data() +
                              " days left</span> · ";
              std::string names;
              for (const auto& name : (*certificate)->dns_names) {
                if (!names.empty()) names += ", ";
                names += name;
              }
              Escape(certificates, names.empty() ? (*certificate)->common_name : names);
            }
            if (row.status != "Associated") {
              certificates += " (";
              Escape(certificates, row.status);
              certificates += ")";
            }
            certificates += "</div>";
          }
          const std::string id = Escaped(listener.listener_id);
          html += "<tr data-listener=\"" + id + "\">" + Cell(listener.listener_id) +
                  Cell(listener.load_balancer_id) + Cell(listener.protocol) +
                  Cell(std::to_string(listener.port)) + Cell(listener.status) + "<td>" +
                  certificates + "</td><td class=\"rate\">–</td><td class=\"errors\">–</td>" +
                  "<td class=\"chart\"></td></tr>";
        }
        html += "</tbody></table></section>";
        // Server groups and their servers' health.
        auto groups = tx.ListServerGroups({}, first);
        if (!groups) return Fail(groups.error());
        html += "<section id=\"server-groups\"><h2>Server groups <small>" +
                std::to_string(groups->total) + "</small></h2><table>" +
                Heading({"Id", "Name", "Protocol", "Scheduler", "Status", "Servers (health)"});
        for (const auto& group : groups->items) {
          auto servers = tx.ListBackendServers({.server_group_id = group.server_group_id}, first);
          if (!servers) return Fail(servers.error());
          std::string list;
          for (const auto& server : servers->items) {
            std::string health = "not checked";
            if (auto report = data_plane_.health().ReportOf(group.server_group_id, server.server_ip,
                                                            server.port)) {
              health = report->state == HealthState::kHealthy ? "healthy"
                       : report->state == HealthState::kUnhealthy
                           ? "unhealthy " + report->reason_code
                           : "initial";
            }
            list += "<div class=\"server\">";
            Escape(list, server.server_ip + ":" + std::to_string(server.port) + " weight " +
                             std::to_string(server.weight) + " · ");
            list += "<span class=\"health\">";
            Escape(list, health);
            list += "</span></div>";
          }
          html += "<tr>" + Cell(group.server_group_id) + Cell(group.name) + Cell(group.protocol) +
                  Cell(group.scheduler) + Cell(group.status) + "<td>" + list + "</td></tr>";
        }
        html += "</tbody></table></section>";
        // Recent jobs, newest first.
        auto jobs = tx.ListJobs({}, {.after = 0, .limit = 50});
        if (!jobs) return Fail(jobs.error());
        html += "<section id=\"jobs\"><h2>Recent jobs</h2><table>" +
                Heading({"Id", "Action", "Resource", "Status", "Error", "Created"});
        for (const auto& job : jobs->items) {
          html += "<tr>" + Cell(job.job_id) + Cell(job.api_name) + Cell(job.resource_id) +
                  Cell(job.status) + Cell(job.error_code) + Cell(DateOf(job.created_ms)) + "</tr>";
        }
        html += "</tbody></table></section>";
        // The audit log, newest first.
        auto audit = tx.LatestAuditEntries(50);
        if (!audit) return Fail(audit.error());
        html += "<section id=\"audit\"><h2>Audit log</h2><table>" +
                Heading({"Time", "Account", "User", "Action", "Resource", "Result", "Code"});
        for (const auto& entry : *audit) {
          html += "<tr>" + Cell(entry.time) + Cell(entry.account_id) +
                  Cell(entry.user_name.empty() ? "(root)" : entry.user_name) + Cell(entry.action) +
                  Cell(entry.resource) + Cell(entry.result) + Cell(entry.code) + "</tr>";
        }
        html += "</tbody></table></section>";
        return html;
      });
  if (!read) {
    return Html(503, Document("openalb console", "<p>The store cannot be read now: " +
                                                     Escaped(read.error().message) + "</p>"));
  }
  body = "<header><h1>openalb console</h1><span class=\"as-of\">as of " + DateOf(now) +
         "</span><form method=\"post\" action=\"/console/logout\"><button type=\"submit\">Sign "
         "out</button></form></header><main>" +
         *read + "</main><script src=\"/console/console.js\"></script>";
  return Html(200, Document("openalb console", body));
}

}  // namespace openalb
