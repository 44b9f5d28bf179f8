// seed_listeners: fills a data directory for the read benchmark — load balancers with
// N stopped HTTPS listeners (one default certificate each) of the first account, and on the
// first listener `--additional` associated certificates. Written straight through the
// Store in one transaction, because creating 10,000 listeners through the API would measure
// the seeding, not the read. Prints the first listener's id.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "alb/ids.h"
#include "server/data_dir.h"
#include "store/sqlite/sqlite_store.h"

namespace {

openalb::Certificate FakeCertificate(const std::string& account, std::int64_t number) {
  openalb::Certificate c;
  c.number = number;
  c.certificate_id = openalb::CertificateIdFor(number, "cn-hangzhou");
  c.account_id = account;
  c.name = "bench-" + std::to_string(number);
  c.common_name = c.name + ".bench.test";
  c.dns_names = {c.common_name};
  c.key_type = "ECC";
  c.key_bits = 256;
  c.chain_pem = "-";
  c.sealed_private_key = "-";  // never opened by the read path
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  int listeners = 10000;
  int additional = 25;
  CLI::App app{"seed_listeners"};
  app.add_option("--data-dir", data_dir)->required();
  app.add_option("--listeners", listeners);
  app.add_option("--additional", additional);
  CLI11_PARSE(app, argc, argv);

  auto store = openalb::SqliteStore::Create(openalb::DataDirPaths{data_dir}.database());
  if (!store) return std::fprintf(stderr, "%s\n", store.error().internal.c_str()), 1;
  auto accounts = (*store)->ListAccounts();
  if (!accounts || accounts->empty()) return std::fprintf(stderr, "no account\n"), 1;
  const std::string account = accounts->front().account_id;
  openalb::SecureRandom random;
  std::string first_listener;
  auto done = (*store)->Transact(
      openalb::TxMode::kWrite, [&](openalb::StoreTx& tx) -> openalb::Result<void> {
        std::int64_t number = 90000000;
        // 50 listeners per load balancer, as ALB allows.
        std::string lb_id;
        for (int i = 0; i < listeners; ++i) {
          if (i % 50 == 0) {
            lb_id = openalb::NewLoadBalancerId(random);
            if (auto r = tx.InsertLoadBalancer(
                    {lb_id, account, "bench", "Standard", "Active", "vpc", "Internet", 0});
                !r) {
              return r;
            }
          }
          // Stopped: the certificates are stand-ins no data plane could serve, and 10,000
          // listeners on 50 ports of one address could not all bind anyway.
          openalb::Listener l{openalb::NewListenerId(random),
                              account,
                              lb_id,
                              "HTTPS",
                              443 + i % 50,
                              "",
                              "Stopped",
                              "Stopped",
                              0};
          if (auto r = tx.InsertListener(l); !r) return r;
          auto cert = FakeCertificate(account, ++number);
          if (auto r = tx.InsertCertificate(cert); !r) return r;
          if (auto r = tx.InsertListenerCertificate(
                  {l.listener_id, cert.certificate_id, true, "Associated", ""});
              !r) {
            return r;
          }
          if (i == 0) {
            first_listener = l.listener_id;
            for (int k = 0; k < additional; ++k) {
              auto extra = FakeCertificate(account, ++number);
              if (auto r = tx.InsertCertificate(extra); !r) return r;
              if (auto r = tx.InsertListenerCertificate(
                      {l.listener_id, extra.certificate_id, false, "Associated", ""});
                  !r) {
                return r;
              }
            }
          }
        }
        return {};
      });
  if (!done) return std::fprintf(stderr, "%s\n", done.error().internal.c_str()), 1;
  std::printf("%s\n", first_listener.c_str());
  return 0;
}
