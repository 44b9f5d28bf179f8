// `openalb certs import|list|delete`: the certificate store from the command line, through
// the same domain rules as the CAS actions.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "alb/certificates.h"
#include "server/cli_support.h"
#include "server/commands.h"
#include "server/data_dir.h"

namespace openalb {
namespace {

int Report(const ApiError& e) {
  std::fprintf(stderr, "openalb: %s\n", e.message.c_str());
  if (!e.internal.empty()) std::fprintf(stderr, "  (%s)\n", e.internal.c_str());
  return 1;
}

// Everything a certs command needs, opened from the data directory.
struct CertsSession {
  std::unique_ptr<Store> store;
  SystemClock clock;
  SecureRandom random;
  std::unique_ptr<SecretBox> secrets;
  std::unique_ptr<Domain> domain;
  std::string account_id;
};

Result<std::unique_ptr<CertsSession>> Open(const CertsOptions& options) {
  auto session = std::make_unique<CertsSession>();
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return Fail(store.error());
  session->store = std::move(*store);
  auto key = OpenDataDirSecretKey(options.data_dir);
  if (!key) return Fail(key.error());
  session->secrets = std::make_unique<SecretBox>(*key, session->random);
  session->domain = std::make_unique<Domain>(Domain{.store = *session->store,
                                                    .clock = session->clock,
                                                    .random = session->random,
                                                    .region = {options.region_id, ""},
                                                    .secrets = *session->secrets});
  session->account_id = options.account_id;
  if (session->account_id.empty()) {
    auto accounts = session->store->ListAccounts();
    if (!accounts) return Fail(accounts.error());
    if (accounts->empty()) {
      return Fail(ApiError{"NoAccount", 1, "no account yet; start `openalb serve` once first", {}});
    }
    session->account_id = accounts->front().account_id;
  }
  return session;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ApiError{"InvalidParameter", 1, "cannot read " + path, {}});
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Day(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm);
  return buffer;
}

}  // namespace

int RunCertsImport(const CertsOptions& options) {
  auto session = Open(options);
  if (!session) return Report(session.error());
  auto chain = ReadFile(options.cert_file);
  if (!chain) return Report(chain.error());
  auto key = ReadFile(options.key_file);
  if (!key) return Report(key.error());
  auto certificate =
      ImportCertificate(*(*session)->domain, {(*session)->account_id, options.name, *chain, *key});
  if (!certificate) return Report(certificate.error());
  std::printf("%s\n", certificate->certificate_id.c_str());
  return 0;
}

int RunCertsList(const CertsOptions& options) {
  auto session = Open(options);
  if (!session) return Report(session.error());
  std::printf("%-24s  %-24s  %-32s  %-10s  %s\n", "CertificateId", "Name", "CommonName", "Expires",
              "Key");
  PageRequest page{.after = 0, .limit = 100};
  while (true) {
    auto found = ListCertificates(*(*session)->domain, (*session)->account_id, page);
    if (!found) return Report(found.error());
    for (const auto& c : found->items) {
      std::printf("%-24s  %-24s  %-32s  %-10s  %s-%d\n", c.certificate_id.c_str(), c.name.c_str(),
                  c.common_name.c_str(), Day(c.not_after_ms).c_str(), c.key_type.c_str(),
                  c.key_bits);
    }
    if (!found->next) return 0;
    page.after = *found->next;
  }
}

int RunCertsDelete(const CertsOptions& options) {
  auto session = Open(options);
  if (!session) return Report(session.error());
  std::int64_t number = 0;
  try {
    size_t used = 0;
    number = std::stoll(options.certificate, &used);
    if (used != options.certificate.size() && options.certificate[used] != '-') number = 0;
  } catch (const std::exception&) {
    number = 0;
  }
  if (number <= 0) {
    std::fprintf(stderr, "openalb: %s is not a certificate id\n", options.certificate.c_str());
    return 1;
  }
  if (auto r = DeleteCertificate(*(*session)->domain, (*session)->account_id, number); !r) {
    return Report(r.error());
  }
  std::printf("deleted %s\n", options.certificate.c_str());
  return 0;
}

}  // namespace openalb
