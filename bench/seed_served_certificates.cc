// seed_served_certificates: fills a new data directory for the start-up benchmark — the
// first account (as `openalb serve` would create it), the certificates DIR/host-1..N.pem
// imported through the real import path (validated, keys sealed), and one running HTTPS
// listener on port 443 serving host-1 as its default certificate and the rest as additional
// ones. The listener rows are written straight through the Store in one transaction:
// associating 100,000 certificates 20 per call through the API would measure the seeding,
// not the start-up.
//
// Usage: seed_served_certificates --data-dir DIR --certs CERTDIR --count N
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "alb/certificates.h"
#include "alb/ids.h"
#include "auth/credential_factory.h"
#include "server/data_dir.h"
#include "store/sqlite/sqlite_store.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace openalb;
  std::string data_dir;
  std::string certs;
  int count = 10000;
  CLI::App app{"seed_served_certificates"};
  app.add_option("--data-dir", data_dir)->required();
  app.add_option("--certs", certs)->required();
  app.add_option("--count", count);
  CLI11_PARSE(app, argc, argv);

  DataDirPaths paths{data_dir};
  if (!EnsureDataDir(paths)) return std::fprintf(stderr, "cannot create %s\n", data_dir.c_str()), 1;
  auto store = SqliteStore::Create(paths.database());
  if (!store) return std::fprintf(stderr, "%s\n", store.error().internal.c_str()), 1;
  SystemClock clock;
  SecureRandom random;
  auto key = LoadOrCreateSecretKey(paths, random);
  if (!key) return std::fprintf(stderr, "%s\n", key.error().internal.c_str()), 1;
  SecretBox secrets(*key, random);
  CredentialFactory factory(**store, secrets, random, clock);
  auto created = BootstrapFirstAccount(paths, **store, factory, "cn-hangzhou");
  if (!created || !*created) return std::fprintf(stderr, "the data directory is not new\n"), 1;
  const std::string account = (*created)->account.account_id;
  Domain domain{.store = **store,
                .clock = clock,
                .random = random,
                .region = {"cn-hangzhou", "openalb"},
                .secrets = secrets};

  // Two importers, so the store groups their commits.
  std::vector<std::string> ids(static_cast<size_t>(count));
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  auto import = [&] {
    SecureRandom own_random;
    Domain own = {.store = domain.store,
                  .clock = domain.clock,
                  .random = own_random,
                  .region = domain.region,
                  .secrets = domain.secrets};
    for (int i = next++; i < count && !failed; i = next++) {
      const std::string name = "host-" + std::to_string(i + 1) + ".bench.test";
      std::string pem = ReadFile(certs + "/" + name + ".pem");
      size_t split = pem.find("-----BEGIN PRIVATE KEY-----");
      auto imported =
          ImportCertificate(own, {account, name, pem.substr(0, split), pem.substr(split)});
      if (!imported) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), imported.error().message.c_str());
        failed = true;
        return;
      }
      ids[static_cast<size_t>(i)] = imported->certificate_id;
    }
  };
  std::thread second(import);
  import();
  second.join();
  if (failed) return 1;

  auto done = (*store)->Transact(TxMode::kWrite, [&](StoreTx& tx) -> Result<void> {
    const std::string lb = NewLoadBalancerId(random);
    if (auto r = tx.InsertLoadBalancer(
            {lb, account, "bench", "Standard", "Active", "vpc", "Internet", domain.NowMs()});
        !r) {
      return r;
    }
    // TLS 1.3, as the anchors' handshakes are (ALB's default policy stops at TLS 1.2).
    Listener listener{NewListenerId(random),
                      account,
                      lb,
                      "HTTPS",
                      443,
                      "",
                      "Running",
                      "Running",
                      domain.NowMs(),
                      "",
                      R"({"SecurityPolicyId":"tls_cipher_policy_1_2_strict_with_1_3"})"};
    if (auto r = tx.InsertListener(listener); !r) return r;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (auto r = tx.InsertListenerCertificate(
              {listener.listener_id, ids[i], i == 0, "Associated", ""});
          !r) {
        return r;
      }
    }
    return {};
  });
  if (!done) return std::fprintf(stderr, "%s\n", done.error().internal.c_str()), 1;
  return 0;
}
