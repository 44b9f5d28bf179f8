// The console: a read-only web view of everything this server runs, at /console on the admin
// address — load balancers, listeners (status, ports, certificates with days to expiry and the
// names they cover, live request and 5xx rates drawn as a small chart), server groups with each
// server's health as this node's probes see it, recent jobs and the audit log, across every
// account. Plain HTML tables rendered here (usable without JavaScript); console.js only polls
// /console/rates (same origin) for the charts. Nothing is fetched from elsewhere.
//
// Security: an operator's view of all accounts, so it needs --admin-token. The token is typed
// into a login form (POSTed, never in a URL) and exchanged for a random session id in an
// HttpOnly, SameSite=Strict cookie, kept in memory for 8 hours; a script may instead send
// `Authorization: Bearer <token>`. A POST must come from the console's own origin (its Origin
// header is the console's scheme and Host), so another site cannot sign a browser in or out. Every
// answer forbids framing and caching, and a Content-Security-Policy allows only the console's own
// script and style.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "api/http_types.h"
#include "core/random.h"
#include "dataplane/data_plane.h"
#include "store/store.h"

namespace openalb {

class Console {
 public:
  Console(Store& store, const DataPlane& data_plane, Random& random, std::string admin_token,
          std::function<std::int64_t()> now_ms);

  // The answer for a path under /console; nullopt for any other path.
  std::optional<HttpReply> Handle(const HttpRequestView& request);

 private:
  HttpReply Login(const HttpRequestView& request);
  HttpReply Logout(const HttpRequestView& request);
  HttpReply Page();
  HttpReply Rates();
  bool Authenticated(const HttpRequestView& request);
  std::optional<std::string> SessionOf(const HttpRequestView& request) const;

  Store& store_;
  const DataPlane& data_plane_;
  Random& random_;
  const std::string token_;
  const std::function<std::int64_t()> now_ms_;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> sessions_;  // GUARDED_BY(mutex_): id → expiry (ms)
};

}  // namespace openalb
