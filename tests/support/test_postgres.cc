#include "support/test_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "support/temp_dir.h"

namespace openalb::testing {
namespace {

const std::string kScript = std::string(OPENALB_SOURCE_DIR) + "/../scripts/test-postgres";

std::string Run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) out += buffer.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A cluster of this process's own, stopped when the process ends.
class OwnCluster {
 public:
  OwnCluster() : url_(Run(kScript + " start " + dir_.path())) {
    if (url_.empty()) throw std::runtime_error("scripts/test-postgres start failed");
  }
  ~OwnCluster() { Run(kScript + " stop " + dir_.path() + " immediate"); }
  const std::string& url() const { return url_; }

 private:
  TempDir dir_;
  std::string url_;
};

std::string ServerUrl() {
  if (const char* shared = std::getenv("OPENALB_TEST_POSTGRES_DIR"); shared != nullptr && *shared) {
    std::ifstream port_file(std::string(shared) + "/port");
    std::string port;
    if (port_file >> port) return "postgresql://openalb@127.0.0.1:" + port + "/postgres";
  }
  static OwnCluster cluster;
  return cluster.url();
}

// "postgresql://u@h:p/postgres" with its database replaced.
std::string WithDatabase(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

}  // namespace

std::string FreshPostgresDatabase() {
  static std::atomic<int> counter{0};
  const std::string server = ServerUrl();
  const std::string name =
      "t" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  PGconn* conn = PQconnectdb(server.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("test PostgreSQL: " + error);
  }
  PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string error = ok ? "" : PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("test PostgreSQL: " + error);
  return WithDatabase(server, name);
}

}  // namespace openalb::testing
