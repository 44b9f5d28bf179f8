#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

#include "api/actions/all_actions.h"
#include "api/endpoint.h"
#include "api/http_server.h"
#include "auth/access_key_directory.h"
#include "auth/access_key_secrets.h"
#include "auth/credential_factory.h"
#include "core/prometheus_text.h"
#include "dataplane/data_plane.h"
#include "fleet/change_feed.h"
#include "fleet/config_follower.h"
#include "fleet/node_liveness.h"
#include "jobs/job_worker.h"
#include "server/admin_endpoint.h"
#include "server/commands.h"
#include "server/console.h"
#include "server/data_dir.h"
#include "server/store_selection.h"

namespace openalb {
namespace {

std::shared_ptr<spdlog::logger> MakeAccessLogger(const std::string& target) {
  std::shared_ptr<spdlog::logger> logger;
  if (target == "off") {
    logger =
        std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::null_sink_mt>());
  } else if (target == "stderr") {
    logger = std::make_shared<spdlog::logger>("access",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    logger = std::make_shared<spdlog::logger>(
        "access", std::make_shared<spdlog::sinks::basic_file_sink_mt>(target));
  }
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %v", spdlog::pattern_time_type::utc);
  if (target == "off") logger->set_level(spdlog::level::off);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

void PrintNewAccount(const NewAccount& created, const DataDirPaths& paths) {
  std::printf(
      "openalb: first start — created account %s with a root AccessKey.\n"
      "  AccessKeyId:     %s\n"
      "  AccessKeySecret: %s\n"
      "  This is the only time the secret is printed; it is also in %s (mode 0600).\n",
      created.account.account_id.c_str(), created.root_key.access_key_id.c_str(),
      created.root_key.secret.c_str(), paths.credentials().c_str());
  std::fflush(stdout);
}

// Reloads the access-key snapshot once a second so `openalb keys delete` takes effect.
void ScheduleKeyRefresh(boost::asio::steady_timer& timer, AccessKeyDirectory& keys) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &keys](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto r = keys.RefreshIfChanged(); !r) {
      spdlog::warn("event=key_refresh_failed detail=\"{}\"", r.error().internal);
    }
    ScheduleKeyRefresh(timer, keys);
  });
}

// Logs served certificates that expire within 30 days, now and then once a day.
void ScheduleExpiryCheck(boost::asio::steady_timer& timer, const DataPlane& data_plane,
                         const Clock& clock) {
  data_plane.WarnExpiring(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
          .count());
  timer.expires_after(std::chrono::hours(24));
  timer.async_wait([&timer, &data_plane, &clock](const boost::system::error_code& ec) {
    if (!ec) ScheduleExpiryCheck(timer, data_plane, clock);
  });
}

// Every connection is a file descriptor; the usual soft limit (1,024) would run out long
// before --max-connections. Raise it to the hard limit the system allows.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  rlim_t wanted = limit.rlim_max;
  limit.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("event=nofile_limit_unchanged wanted={}", static_cast<std::uint64_t>(wanted));
  }
}

SessionLimits DataPlaneLimits(const ServerConfig& config) {
  using std::chrono::milliseconds;
  return {
      .handshake_timeout = milliseconds(config.dataplane_handshake_timeout_ms),
      .header_timeout = milliseconds(config.dataplane_header_timeout_ms),
      .body_timeout = milliseconds(config.dataplane_body_timeout_ms),
      .idle_timeout = milliseconds(config.dataplane_idle_timeout_ms),
      .connect_timeout = milliseconds(config.dataplane_connect_timeout_ms),
      .response_timeout = milliseconds(config.dataplane_response_timeout_ms),
      .max_connections = static_cast<std::size_t>(config.dataplane_max_connections),
      .max_connections_per_client =
          static_cast<std::size_t>(config.dataplane_max_connections_per_client),
      .buffer_bytes = static_cast<std::size_t>(config.dataplane_max_buffered_mib) << 20,
      .ticket_key_rotation = milliseconds(config.tls_ticket_key_rotation_ms),
      .quic_retry_above_handshakes = static_cast<std::size_t>(config.dataplane_quic_retry_above)};
}

}  // namespace

int RunServe(const ServerConfig& config) {
  // Logs go to stderr; stdout carries only the one-time credentials banner.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("openalb"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  auto fail = [](const ApiError& e) {
    spdlog::error("event=startup_failed detail=\"{}\"",
                  e.internal.empty() ? e.message : e.internal);
    return 1;
  };
  auto valid = ValidateServeConfig(config);
  if (!valid) return fail(valid.error());  // at the default level: the reason is always shown
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  auto host_port = SplitHostPort(config.listen);
  if (!host_port) return fail(host_port.error());
  RaiseOpenFileLimit();
  DataDirPaths paths{config.data_dir};
  if (auto r = EnsureDataDir(paths); !r) return fail(r.error());
  auto store = OpenStore(config.store, paths);
  if (!store) return fail(store.error());
  spdlog::info("event=store_opened store={}", DescribeStore(config.store, paths));

  SystemClock clock;
  SecureRandom random;
  auto secret_key = LoadOrCreateSecretKey(paths, random);
  if (!secret_key) return fail(secret_key.error());
  SecretBox secrets(*secret_key, random);
  // AccessKey secrets stored in plain text by an older openalb are sealed, once.
  // On a shared store a node may start while the database is away: it serves what it served
  // (its served-config file) and the API answers 503 until the database returns.
  auto tolerable = [&](const ApiError& e) {
    if (!IsPostgresUrl(config.store) || e.code != "ServiceUnavailable") return false;
    spdlog::warn("event=store_unreachable_at_start detail=\"{}\"", e.internal);
    return true;
  };
  auto sealed = SealPlainAccessKeySecrets(**store, secrets);
  if (!sealed && !tolerable(sealed.error())) return fail(sealed.error());
  if (sealed && *sealed > 0) spdlog::info("event=access_key_secrets_sealed count={}", *sealed);
  CredentialFactory factory(**store, secrets, random, clock);
  auto created = BootstrapFirstAccount(paths, **store, factory, config.region_id);
  if (!created && !tolerable(created.error())) return fail(created.error());
  if (created && *created) PrintNewAccount(**created, paths);

  AccessKeyDirectory keys(**store, secrets);
  if (auto r = keys.Load(); !r && !tolerable(r.error())) return fail(r.error());
  NonceCache nonces(config.nonce_cache_entries);
  Authenticator authenticator(keys, nonces, clock);
  Domain domain{.store = **store,
                .clock = clock,
                .random = random,
                .region = {config.region_id, config.region_name, config.zones},
                .secrets = secrets,
                .limits = {.additional_certificates_basic = config.quota_certificates_basic,
                           .additional_certificates_standard = config.quota_certificates_standard},
                .job_delay = std::chrono::milliseconds(config.job_delay_ms)};
  int threads = config.threads > 0
                    ? config.threads
                    : static_cast<int>(4 * std::max(1u, std::thread::hardware_concurrency()));
  boost::asio::io_context io(threads);
  DataPlane data_plane(
      {.bind_address = config.listener_address,
       .port_offset = config.listener_port_offset,
       .threads = config.dataplane_threads > 0
                      ? config.dataplane_threads
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
       .context_cache = static_cast<std::size_t>(config.tls_context_cache),
       .limits = DataPlaneLimits(config),
       .metrics = config.dataplane_metrics != "off"},
      [&secrets](const CertificateMaterial& certificate) {
        return secrets.Open(certificate.sealed_private_key, certificate.certificate_id);
      });
  std::shared_ptr<AccessLogWriter> dataplane_log;
  if (config.dataplane_access_log != "off") {
    auto opened = AccessLogWriter::Open(config.dataplane_access_log);
    if (!opened) return fail(opened.error());
    dataplane_log = std::move(*opened);
    data_plane.SetAccessLog(dataplane_log);
  }
  // On a shared store every data-plane node follows the configuration version itself and the
  // worker waits for their acknowledgements; on SQLite the one process's worker applies.
  const bool shared_store = IsPostgresUrl(config.store);
  const bool api_role = HasRole(config.roles, "api");
  const bool worker_role = HasRole(config.roles, "worker");
  const bool dataplane_role = HasRole(config.roles, "dataplane");
  std::string node_id = config.node_id;
  if (node_id.empty()) {
    auto loaded = LoadOrCreateNodeId(paths, random);
    if (!loaded) return fail(loaded.error());
    node_id = *loaded;
  }
  JobWorker worker(domain, shared_store ? nullptr : &data_plane, 64,
                   {.enabled = shared_store, .lease_ms = config.node_lease_ms});
  domain.wake_jobs = [&worker] { worker.Wake(); };
  std::unique_ptr<ConfigFollower> follower;
  if (shared_store && dataplane_role) {
    follower = std::make_unique<ConfigFollower>(
        **store, data_plane, clock,
        FollowerOptions{.node = {.node_id = node_id,
                                 .roles = config.roles,
                                 .listener_address = config.listener_address,
                                 .started_ms = domain.NowMs()},
                        .lease_ms = config.node_lease_ms,
                        .snapshot_path = paths.served_snapshot()});
  } else if (shared_store) {
    // A node without listeners still says it is alive, for `openalb nodes`.
    (void)(*store)->RecordNode({.node_id = node_id,
                                .roles = config.roles,
                                .listener_address = config.listener_address,
                                .heartbeat_ms = domain.NowMs(),
                                .started_ms = domain.NowMs()});
  }
  // This process's own worker and data plane tell each other at once; other nodes hear of it
  // through the store.
  if (follower) {
    worker.OnPublished([&follower] { follower->Wake(); });
    if (worker_role) follower->OnRecorded([&worker] { worker.Wake(); });
  }
  std::vector<ChangeFeed::Subscriber> subscribers;
  if (worker_role) subscribers.push_back({change_kind::kJobs, [&worker] { worker.Wake(); }});
  if (follower) {
    subscribers.push_back({change_kind::kConfig, [&follower] { follower->Wake(); }});
  }
  ChangeFeed feed(**store, std::move(subscribers));
  Services services{.region = {config.region_id, config.region_name, config.zones},
                    .store = **store,
                    .clock = clock,
                    .random = random,
                    .domain = domain,
                    .health = &data_plane.health()};
  ActionTable actions = BuildActionTable();
  auto access_log = MakeAccessLogger(config.access_log);
  RateLimiter rate_limiter(config.rate_limit, config.rate_limit_burst > 0
                                                  ? config.rate_limit_burst
                                                  : std::max(1, config.rate_limit));
  Endpoint endpoint(actions, authenticator, services, random, *access_log,
                    rate_limiter.enabled() ? &rate_limiter : nullptr);
  ApiMetrics api_metrics(actions);
  endpoint.SetMetrics(&api_metrics);

  HttpServerOptions options;
  options.address = host_port->first;
  options.port = host_port->second;
  if (!config.tls_cert.empty() || !config.tls_key.empty()) {
    auto tls = MakeTlsContext(config.tls_cert, config.tls_key);
    if (!tls) return fail(tls.error());
    options.tls = *tls;
  }
  options.io_threads = threads;
  options.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  options.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  options.max_connections = static_cast<std::size_t>(config.max_connections);
  options.max_connections_per_client = static_cast<std::size_t>(config.max_connections_per_client);
  auto server = HttpServer::Create(
      io, options, [&endpoint](const HttpRequestView& request) { return endpoint.Handle(request); },
      [&endpoint](const ApiError& error, const HttpRequestView& partial) {
        return endpoint.Refuse(error, partial);
      });
  if (!server) return fail(server.error());
  // The OpenAPI port is known once bound: no listener may relay to it (backend_address_policy.h).
  auto backend_policy =
      BackendAddressPolicy::Create(config.backend_allow, config.backend_deny, {(*server)->port()});
  if (!backend_policy) return fail(backend_policy.error());
  auto shared_policy = std::make_shared<const BackendAddressPolicy>(std::move(*backend_policy));
  domain.backend_policy = shared_policy.get();
  data_plane.SetBackendPolicy(shared_policy);
  if (worker_role) {
    if (auto r = worker.Start(); !r) return fail(r.error());  // resumes what a crash left
  }
  // A data-plane node opens its ports as it applies the current version, not before.
  if (follower) follower->Start(3 * config.node_lease_ms);
  if (shared_store) feed.Start();
  Console console(**store, data_plane, random, config.admin_token, [&clock] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
        .count();
  });
  std::shared_ptr<HttpServer> admin;
  // Unset: the default address, which a second server on the same host may find taken — it
  // then runs without one (and says so) rather than not at all. "off": none.
  const bool admin_by_default = config.admin_listen.empty();
  const std::string admin_listen =
      admin_by_default ? std::string(kDefaultAdminListen) : config.admin_listen;
  if (admin_listen != "off") {
    auto admin_address = SplitHostPort(admin_listen);
    if (!admin_address) return fail(admin_address.error());
    HttpServerOptions admin_options;
    admin_options.address = admin_address->first;
    admin_options.port = admin_address->second;
    admin_options.max_connections = 64;
    admin_options.io_threads = threads;
    AdminPages pages{
        .metrics =
            [&api_metrics, &data_plane, &worker, &store, &clock, node_id] {
              PrometheusText text;
              text.Family("openalb_build_info", "gauge",
                          "openalb's version and this node's id (always 1).");
              text.Sample("openalb_build_info",
                          {{"version", OPENALB_VERSION}, {"node_id", node_id}}, 1);
              api_metrics.Write(text);
              worker.WriteMetrics(text);
              (*store)->WriteMetrics(text);
              data_plane.WriteMetrics(text, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                clock.Now().time_since_epoch())
                                                .count());
              return text.Take();
            },
        .token = config.admin_token,
        .console = [&console](const HttpRequestView& request) { return console.Handle(request); }};
    auto readiness = [&follower, node_id, pages](const HttpRequestView& request) {
      return AdminReply(request,
                        {.node_id = node_id,
                         .serving = !follower || follower->ready(),
                         .applied_version = follower ? follower->applied_version() : -1},
                        pages);
    };
    auto created = HttpServer::Create(
        io, admin_options, readiness, [](const ApiError& error, const HttpRequestView&) {
          return HttpReply{error.http_status, "text/plain", error.message + "\n", {}};
        });
    if (created) {
      admin = std::move(*created);
      admin->Start();
      spdlog::info("event=admin_listening address={} port={}", admin_options.address,
                   admin->port());
    } else if (admin_by_default) {
      spdlog::warn(
          "event=admin_not_listening address={} reason=\"{}\" hint=\"give --admin-listen "
          "host:port (or off)\"",
          admin_listen, created.error().message);
    } else {
      return fail(created.error());
    }
  }
  if (api_role) (*server)->Start();
  boost::asio::steady_timer refresh(io);
  ScheduleKeyRefresh(refresh, keys);
  boost::asio::steady_timer expiry(io);
  ScheduleExpiryCheck(expiry, data_plane, clock);
  // SIGHUP: the data-plane access log's file is reopened (logrotate moved it).
  boost::asio::signal_set hangup(io, SIGHUP);
  std::function<void()> await_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (dataplane_log) dataplane_log->Reopen();
      spdlog::info("event=access_log_reopened");
      await_hangup();
    });
  };
  await_hangup();
  // Before "listening" is announced: whoever saw it may send SIGTERM at once.
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("event=stopping signal={}", signal);
    hangup.cancel();
    (*server)->Stop();
    if (admin) admin->Stop();
    data_plane.StopAll();
    refresh.cancel();
    expiry.cancel();
    io.stop();
  });
  // Shown whatever --log-level says: with port 0 it is the only way to learn the port.
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::info);
  spdlog::info(
      "event=listening address={} port={} tls={} data_dir={} actions={} threads={} "
      "job_delay_ms={} node_id={} roles={}",
      options.address, api_role ? (*server)->port() : 0, options.tls ? "on" : "off",
      config.data_dir, actions.size(), threads, config.job_delay_ms, node_id, config.roles);
  spdlog::set_level(level);
  spdlog::default_logger()->flush();

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  feed.Stop();
  if (follower) follower->Stop();
  worker.Stop();
  access_log->flush();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace openalb
