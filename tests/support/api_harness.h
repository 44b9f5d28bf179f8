// ApiHarness: the real request pipeline (Endpoint over a real SQLite store in a temp
// dir) with a pinned clock and one known account and key, plus helpers that build
// V1-signed requests. Tests drive it with HttpRequestView values — no sockets.
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "api/action_table.h"
#include "api/authenticator.h"
#include "api/endpoint.h"
#include "api/nonce_cache.h"
#include "api/rate_limiter.h"
#include "api/services.h"
#include "auth/access_key_directory.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/secret_box.h"
#include "jobs/job_worker.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace openalb::testing {

inline constexpr char kAccountId[] = "1234567890123456";
inline constexpr char kAccessKeyId[] = "LTAItestvectorkey0000001";
inline constexpr char kSecret[] = "vectorSecret0123456789abcdefgh";

class ApiHarness {
 public:
  // `nonce_cache_entries`: the cap of the signature nonce cache (the server's flag).
  // `rate_limit`/`rate_burst`: the --rate-limit settings (0: off), on the harness's clock.
  explicit ApiHarness(size_t nonce_cache_entries = 100000, double rate_limit = 0,
                      double rate_burst = 0);

  HttpReply Send(const HttpRequestView& request) { return endpoint_->Handle(request); }

  // A GET request whose query carries `params` plus every V1 common parameter, signed with
  // `secret`. Parameters in `params` override the defaults; kOmit leaves one out, and a
  // Signature given there is sent as is instead of being computed.
  HttpRequestView SignedGet(std::map<std::string, std::string> params,
                            const std::string& secret = kSecret);
  // The same as a POST with the parameters in a form body.
  HttpRequestView SignedPost(std::map<std::string, std::string> params,
                             const std::string& secret = kSecret);

  // Another account with a root AccessKey of its own.
  void AddAccount(const std::string& account_id, const std::string& access_key_id,
                  const std::string& secret);

  ManualClock& clock() { return clock_; }
  SqliteStore& store() { return *store_; }
  AccessKeyDirectory& keys() { return *keys_; }
  Domain& domain() { return *domain_; }
  JobWorker& worker() { return *worker_; }
  std::string AccessLog() const { return log_stream_.str(); }
  // The SQLite file behind store(), for a test that opens it with a connection of its own.
  std::string DatabasePath() const { return dir_.File("openalb.db"); }
  std::string NextNonce() { return "nonce-" + std::to_string(++nonce_counter_); }

 private:
  std::map<std::string, std::string> WithCommonParams(std::map<std::string, std::string> params);

  TempDir dir_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  ManualClock clock_;
  SecureRandom random_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<AccessKeyDirectory> keys_;
  NonceCache nonces_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<Domain> domain_;
  std::unique_ptr<JobWorker> worker_;
  std::unique_ptr<Services> services_;
  ActionTable actions_;
  std::ostringstream log_stream_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Endpoint> endpoint_;
  int nonce_counter_ = 0;
};

// Marks a parameter to be left out of a signed request.
inline constexpr char kOmit[] = "\x01omit";

}  // namespace openalb::testing
