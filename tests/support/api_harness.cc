#include "support/api_harness.h"

#include <stdexcept>

#include "api/actions/all_actions.h"
#include "api/signature_v1.h"
#include "auth/access_key_secrets.h"
#include "core/percent_encoding.h"
#include "core/time_format.h"

namespace openalb::testing {
namespace {

template <typename T>
T Must(Result<T> r) {
  if (!r)
    throw std::runtime_error(r.error().internal.empty() ? r.error().message : r.error().internal);
  return std::move(*r);
}

void Must(Result<void> r) {
  if (!r)
    throw std::runtime_error(r.error().internal.empty() ? r.error().message : r.error().internal);
}

std::string Encode(const ParameterMap& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(k) + "=" + PercentEncode(v);
  }
  return out;
}

}  // namespace

ApiHarness::ApiHarness(size_t nonce_cache_entries, double rate_limit, double rate_burst)
    : clock_(*ParseIso8601("2026-11-23T08:00:00Z")), nonces_(nonce_cache_entries) {
  if (rate_limit > 0) rate_limiter_ = std::make_unique<RateLimiter>(rate_limit, rate_burst);
  store_ = Must(SqliteStore::Create(dir_.File("openalb.db")));
  SecretBox::Key key{};
  random_.Fill(key.data(), key.size());
  secrets_ = std::make_unique<SecretBox>(key, random_);
  Must(store_->CreateAccount({kAccountId, "test", "2026-11-23T08:00:00Z"}));
  Must(store_->CreateAccessKey({kAccessKeyId, kAccountId,
                                SealAccessKeySecret(*secrets_, kAccessKeyId, kSecret), true,
                                "2026-11-23T08:00:00Z"}));
  keys_ = std::make_unique<AccessKeyDirectory>(*store_, *secrets_);
  Must(keys_->Load());
  authenticator_ = std::make_unique<Authenticator>(*keys_, nonces_, clock_);
  domain_ = std::make_unique<Domain>(Domain{.store = *store_,
                                            .clock = clock_,
                                            .random = random_,
                                            .region = {"cn-hangzhou", "openalb"},
                                            .secrets = *secrets_});
  worker_ = std::make_unique<JobWorker>(*domain_);
  services_ = std::make_unique<Services>(Services{.region = {"cn-hangzhou", "openalb"},
                                                  .store = *store_,
                                                  .clock = clock_,
                                                  .random = random_,
                                                  .domain = *domain_});
  actions_ = BuildActionTable();
  log_ = std::make_shared<spdlog::logger>(
      "test-access", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_stream_));
  endpoint_ = std::make_unique<Endpoint>(actions_, *authenticator_, *services_, random_, *log_,
                                         rate_limiter_.get());
}

void ApiHarness::AddAccount(const std::string& account_id, const std::string& access_key_id,
                            const std::string& secret) {
  Must(store_->CreateAccount({account_id, account_id, "2026-11-23T08:00:00Z"}));
  Must(store_->CreateAccessKey({access_key_id, account_id,
                                SealAccessKeySecret(*secrets_, access_key_id, secret), true,
                                "2026-11-23T08:00:00Z"}));
  Must(keys_->Load());
}

std::map<std::string, std::string> ApiHarness::WithCommonParams(
    std::map<std::string, std::string> params) {
  std::map<std::string, std::string> all = {
      {"Action", "DescribeRegions"},
      {"Version", "2020-06-16"},
      {"Format", "JSON"},
      {"AccessKeyId", kAccessKeyId},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureVersion", "1.0"},
      {"SignatureNonce", NextNonce()},
      {"Timestamp", FormatIso8601(clock_.Now())},
  };
  for (auto& [k, v] : params) all[k] = v;
  std::erase_if(all, [](const auto& kv) { return kv.second == kOmit; });
  return all;
}

HttpRequestView ApiHarness::SignedGet(std::map<std::string, std::string> params,
                                      const std::string& secret) {
  bool caller_chose_signature = params.contains("Signature");
  auto all = WithCommonParams(std::move(params));
  ParameterMap signed_params(all.begin(), all.end());
  if (!caller_chose_signature) {
    signed_params["Signature"] = SignV1(secret, StringToSignV1("GET", signed_params));
  }
  HttpRequestView request;
  request.method = "GET";
  request.target = "/?" + Encode(signed_params);
  request.headers = {{"host", "alb.test:8080"}};
  request.remote_ip = "127.0.0.1";
  return request;
}

HttpRequestView ApiHarness::SignedPost(std::map<std::string, std::string> params,
                                       const std::string& secret) {
  auto all = WithCommonParams(std::move(params));
  ParameterMap signed_params(all.begin(), all.end());
  signed_params["Signature"] = SignV1(secret, StringToSignV1("POST", signed_params));
  HttpRequestView request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"host", "alb.test:8080"},
                     {"content-type", "application/x-www-form-urlencoded"}};
  request.body = Encode(signed_params);
  request.remote_ip = "127.0.0.1";
  return request;
}

}  // namespace openalb::testing
