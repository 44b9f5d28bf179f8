#include "store/sqlite/sqlite_tx.h"

#include "store/sqlite/sqlite_query.h"

#include <algorithm>
#include <string>
#include <variant>

namespace openalb {
namespace {

using namespace sqlite_query;  // NOLINT(google-build-using-namespace)

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::vector<std::string> SplitNames(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    out.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

constexpr std::string_view kLoadBalancerColumns =
    "load_balancer_id, account_id, name, edition, status, vpc_id, address_type, created_ms";

LoadBalancer ReadLoadBalancer(const SqliteStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3),
          s.ColumnText(4), s.ColumnText(5), s.ColumnText(6), s.ColumnInt(7)};
}

constexpr std::string_view kListenerColumns =
    "listener_id, account_id, load_balancer_id, protocol, port, description, status, "
    "resting_status, created_ms, forward_server_group_id";

Listener ReadListener(const SqliteStatement& s) {
  return {s.ColumnText(0),
          s.ColumnText(1),
          s.ColumnText(2),
          s.ColumnText(3),
          static_cast<int>(s.ColumnInt(4)),
          s.ColumnText(5),
          s.ColumnText(6),
          s.ColumnText(7),
          s.ColumnInt(8),
          s.ColumnText(9)};
}

constexpr std::string_view kServerGroupColumns =
    "server_group_id, account_id, name, server_group_type, protocol, scheduler, vpc_id, status, "
    "created_ms";

ServerGroup ReadServerGroup(const SqliteStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4),
          s.ColumnText(5), s.ColumnText(6), s.ColumnText(7), s.ColumnInt(8)};
}

constexpr std::string_view kBackendServerColumns =
    "server_group_id, server_id, server_ip, server_type, port, weight, description, status, "
    "job_id";

BackendServer ReadBackendServer(const SqliteStatement& s) {
  return {s.ColumnText(0),
          s.ColumnText(1),
          s.ColumnText(2),
          s.ColumnText(3),
          static_cast<int>(s.ColumnInt(4)),
          static_cast<int>(s.ColumnInt(5)),
          s.ColumnText(6),
          s.ColumnText(7),
          s.ColumnText(8)};
}

constexpr std::string_view kCertificateColumns =
    "certificate_id, number, account_id, name, common_name, dns_names, issuer, not_before_ms, "
    "not_after_ms, key_type, key_bits, is_ca, fingerprint_sha256, chain_pem, "
    "sealed_private_key, created_ms";

Certificate ReadCertificate(const SqliteStatement& s) {
  Certificate c;
  c.certificate_id = s.ColumnText(0);
  c.number = s.ColumnInt(1);
  c.account_id = s.ColumnText(2);
  c.name = s.ColumnText(3);
  c.common_name = s.ColumnText(4);
  c.dns_names = SplitNames(s.ColumnText(5));
  c.issuer = s.ColumnText(6);
  c.not_before_ms = s.ColumnInt(7);
  c.not_after_ms = s.ColumnInt(8);
  c.key_type = s.ColumnText(9);
  c.key_bits = static_cast<int>(s.ColumnInt(10));
  c.is_ca = s.ColumnInt(11) != 0;
  c.fingerprint_sha256 = s.ColumnText(12);
  c.chain_pem = s.ColumnText(13);
  c.sealed_private_key = s.ColumnText(14);
  c.created_ms = s.ColumnInt(15);
  return c;
}

constexpr std::string_view kListenerCertificateColumns =
    "listener_id, certificate_id, is_default, status, job_id";

ListenerCertificate ReadListenerCertificate(const SqliteStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnInt(2) != 0, s.ColumnText(3), s.ColumnText(4)};
}

constexpr std::string_view kJobColumns =
    "job_id, account_id, api_name, operate_type, resource_type, resource_id, status, "
    "error_code, error_message, payload, created_ms, modified_ms, run_after_ms";

Job ReadJob(const SqliteStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4),
          s.ColumnText(5), s.ColumnText(6), s.ColumnText(7), s.ColumnText(8), s.ColumnText(9),
          s.ColumnInt(10), s.ColumnInt(11), s.ColumnInt(12)};
}

}  // namespace

// Load balancers.

Result<void> SqliteTx::InsertLoadBalancer(const LoadBalancer& lb) {
  return RunOne(db_,
                "INSERT INTO load_balancers(load_balancer_id, account_id, name, edition, status, "
                "vpc_id, address_type, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, lb.load_balancer_id)
                      .Bind(2, lb.account_id)
                      .Bind(3, lb.name)
                      .Bind(4, lb.edition)
                      .Bind(5, lb.status)
                      .Bind(6, lb.vpc_id)
                      .Bind(7, lb.address_type)
                      .Bind(8, lb.created_ms);
                });
}

Result<std::optional<LoadBalancer>> SqliteTx::FindLoadBalancer(std::string_view account_id,
                                                               std::string_view id) {
  return FindOne<LoadBalancer>(
      db_,
      "SELECT " + std::string(kLoadBalancerColumns) +
          " FROM load_balancers WHERE load_balancer_id = ? AND account_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadLoadBalancer);
}

Result<void> SqliteTx::UpdateLoadBalancer(const LoadBalancer& lb) {
  return RunOne(db_, "UPDATE load_balancers SET name = ?, status = ? WHERE load_balancer_id = ?",
                [&](SqliteStatement& s) {
                  s.Bind(1, lb.name).Bind(2, lb.status).Bind(3, lb.load_balancer_id);
                });
}

Result<void> SqliteTx::DeleteLoadBalancer(std::string_view id) {
  return RunOne(db_, "DELETE FROM load_balancers WHERE load_balancer_id = ?",
                [&](SqliteStatement& s) { s.Bind(1, id); });
}

Result<Page<LoadBalancer>> SqliteTx::ListLoadBalancers(const LoadBalancerFilter& filter,
                                                       const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("load_balancer_id", filter.ids);
  where.In("name", filter.names);
  where.Eq("status", filter.status);
  return ListPage<LoadBalancer>(db_, "load_balancers", kLoadBalancerColumns, where, "seq", false,
                                page, ReadLoadBalancer);
}

// Listeners.

Result<void> SqliteTx::InsertListener(const Listener& l) {
  return RunOne(db_,
                "INSERT INTO listeners(listener_id, account_id, load_balancer_id, protocol, port, "
                "description, status, resting_status, created_ms, forward_server_group_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, l.listener_id)
                      .Bind(2, l.account_id)
                      .Bind(3, l.load_balancer_id)
                      .Bind(4, l.protocol)
                      .Bind(5, std::int64_t{l.port})
                      .Bind(6, l.description)
                      .Bind(7, l.status)
                      .Bind(8, l.resting_status)
                      .Bind(9, l.created_ms)
                      .Bind(10, l.forward_server_group_id);
                });
}

Result<std::optional<Listener>> SqliteTx::FindListener(std::string_view account_id,
                                                       std::string_view id) {
  return FindOne<Listener>(
      db_,
      "SELECT " + std::string(kListenerColumns) +
          " FROM listeners WHERE listener_id = ? AND account_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadListener);
}

Result<void> SqliteTx::UpdateListener(const Listener& l) {
  return RunOne(db_,
                "UPDATE listeners SET description = ?, status = ?, resting_status = ?, "
                "forward_server_group_id = ? WHERE listener_id = ?",
                [&](SqliteStatement& s) {
                  s.Bind(1, l.description)
                      .Bind(2, l.status)
                      .Bind(3, l.resting_status)
                      .Bind(4, l.forward_server_group_id)
                      .Bind(5, l.listener_id);
                });
}

Result<void> SqliteTx::DeleteListener(std::string_view id) {
  return RunOne(db_, "DELETE FROM listeners WHERE listener_id = ?",
                [&](SqliteStatement& s) { s.Bind(1, id); });
}

Result<Page<Listener>> SqliteTx::ListListeners(const ListenerFilter& filter,
                                               const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("listener_id", filter.ids);
  where.In("load_balancer_id", filter.load_balancer_ids);
  where.Eq("protocol", filter.protocol);
  where.Eq("forward_server_group_id", filter.forward_server_group_id);
  return ListPage<Listener>(db_, "listeners", kListenerColumns, where, "seq", false, page,
                            ReadListener);
}

Result<int> SqliteTx::CountListeners(std::string_view load_balancer_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM listeners WHERE load_balancer_id = ?",
                 [&](SqliteStatement& s) { s.Bind(1, load_balancer_id); });
}

Result<bool> SqliteTx::ListenerPortTaken(std::string_view load_balancer_id, int port) {
  auto n =
      CountOf(db_, "SELECT COUNT(*) FROM listeners WHERE load_balancer_id = ? AND port = ?",
              [&](SqliteStatement& s) { s.Bind(1, load_balancer_id).Bind(2, std::int64_t{port}); });
  if (!n) return Fail(n.error());
  return *n > 0;
}

// Server groups and their servers.

Result<void> SqliteTx::InsertServerGroup(const ServerGroup& g) {
  return RunOne(db_,
                "INSERT INTO server_groups(" + std::string(kServerGroupColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, g.server_group_id)
                      .Bind(2, g.account_id)
                      .Bind(3, g.name)
                      .Bind(4, g.server_group_type)
                      .Bind(5, g.protocol)
                      .Bind(6, g.scheduler)
                      .Bind(7, g.vpc_id)
                      .Bind(8, g.status)
                      .Bind(9, g.created_ms);
                });
}

Result<std::optional<ServerGroup>> SqliteTx::FindServerGroup(std::string_view account_id,
                                                             std::string_view id) {
  return FindOne<ServerGroup>(
      db_,
      "SELECT " + std::string(kServerGroupColumns) +
          " FROM server_groups WHERE server_group_id = ? AND account_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadServerGroup);
}

Result<void> SqliteTx::UpdateServerGroup(const ServerGroup& g) {
  return RunOne(
      db_, "UPDATE server_groups SET name = ?, status = ? WHERE server_group_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, g.name).Bind(2, g.status).Bind(3, g.server_group_id); });
}

Result<void> SqliteTx::DeleteServerGroup(std::string_view id) {
  return RunOne(db_, "DELETE FROM server_groups WHERE server_group_id = ?",
                [&](SqliteStatement& s) { s.Bind(1, id); });
}

Result<Page<ServerGroup>> SqliteTx::ListServerGroups(const ServerGroupFilter& filter,
                                                     const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("server_group_id", filter.ids);
  where.In("name", filter.names);
  where.Eq("vpc_id", filter.vpc_id);
  where.Eq("server_group_type", filter.server_group_type);
  return ListPage<ServerGroup>(db_, "server_groups", kServerGroupColumns, where, "seq", false, page,
                               ReadServerGroup);
}

Result<Page<BackendServer>> SqliteTx::ListBackendServers(const BackendServerFilter& filter,
                                                         const PageRequest& page) {
  Where where;
  where.Eq("server_group_id", filter.server_group_id);
  where.In("server_id", filter.server_ids);
  return ListPage<BackendServer>(db_, "backend_servers", kBackendServerColumns, where, "seq", false,
                                 page, ReadBackendServer);
}

Result<void> SqliteTx::InsertBackendServer(const BackendServer& b) {
  return RunOne(db_,
                "INSERT INTO backend_servers(" + std::string(kBackendServerColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, b.server_group_id)
                      .Bind(2, b.server_id)
                      .Bind(3, b.server_ip)
                      .Bind(4, b.server_type)
                      .Bind(5, std::int64_t{b.port})
                      .Bind(6, std::int64_t{b.weight})
                      .Bind(7, b.description)
                      .Bind(8, b.status)
                      .Bind(9, b.job_id);
                });
}

Result<void> SqliteTx::UpdateBackendServer(const BackendServer& b) {
  return RunOne(db_,
                "UPDATE backend_servers SET server_ip = ?, weight = ?, description = ?, "
                "status = ?, job_id = ? WHERE server_group_id = ? AND server_id = ? AND port = ?",
                [&](SqliteStatement& s) {
                  s.Bind(1, b.server_ip)
                      .Bind(2, std::int64_t{b.weight})
                      .Bind(3, b.description)
                      .Bind(4, b.status)
                      .Bind(5, b.job_id)
                      .Bind(6, b.server_group_id)
                      .Bind(7, b.server_id)
                      .Bind(8, std::int64_t{b.port});
                });
}

Result<void> SqliteTx::DeleteBackendServer(std::string_view server_group_id,
                                           std::string_view server_id, int port) {
  return RunOne(
      db_, "DELETE FROM backend_servers WHERE server_group_id = ? AND server_id = ? AND port = ?",
      [&](SqliteStatement& s) {
        s.Bind(1, server_group_id).Bind(2, server_id).Bind(3, std::int64_t{port});
      });
}

Result<int> SqliteTx::CountBackendServers(std::string_view server_group_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM backend_servers WHERE server_group_id = ?",
                 [&](SqliteStatement& s) { s.Bind(1, server_group_id); });
}

// Certificates.

Result<void> SqliteTx::InsertCertificate(const Certificate& c) {
  return RunOne(db_,
                "INSERT INTO certificates(" + std::string(kCertificateColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, c.certificate_id)
                      .Bind(2, c.number)
                      .Bind(3, c.account_id)
                      .Bind(4, c.name)
                      .Bind(5, c.common_name)
                      .Bind(6, JoinNames(c.dns_names))
                      .Bind(7, c.issuer)
                      .Bind(8, c.not_before_ms)
                      .Bind(9, c.not_after_ms)
                      .Bind(10, c.key_type)
                      .Bind(11, std::int64_t{c.key_bits})
                      .Bind(12, std::int64_t{c.is_ca ? 1 : 0})
                      .Bind(13, c.fingerprint_sha256)
                      .Bind(14, c.chain_pem)
                      .BindBlob(15, c.sealed_private_key)
                      .Bind(16, c.created_ms);
                });
}

Result<std::optional<Certificate>> SqliteTx::FindCertificate(std::string_view account_id,
                                                             std::string_view id) {
  return FindOne<Certificate>(
      db_,
      "SELECT " + std::string(kCertificateColumns) +
          " FROM certificates WHERE certificate_id = ? AND account_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadCertificate);
}

Result<std::optional<Certificate>> SqliteTx::FindCertificateByNumber(std::string_view account_id,
                                                                     std::int64_t number) {
  return FindOne<Certificate>(
      db_,
      "SELECT " + std::string(kCertificateColumns) +
          " FROM certificates WHERE number = ? AND account_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, number).Bind(2, account_id); }, ReadCertificate);
}

Result<bool> SqliteTx::CertificateNumberTaken(std::int64_t number) {
  auto n = CountOf(db_, "SELECT COUNT(*) FROM certificates WHERE number = ?",
                   [&](SqliteStatement& s) { s.Bind(1, number); });
  if (!n) return Fail(n.error());
  return *n > 0;
}

Result<void> SqliteTx::DeleteCertificate(std::string_view id) {
  return RunOne(db_, "DELETE FROM certificates WHERE certificate_id = ?",
                [&](SqliteStatement& s) { s.Bind(1, id); });
}

Result<Page<Certificate>> SqliteTx::ListCertificates(std::string_view account_id,
                                                     const PageRequest& page) {
  Where where;
  where.Eq("account_id", account_id);
  return ListPage<Certificate>(db_, "certificates", kCertificateColumns, where, "seq", false, page,
                               ReadCertificate);
}

Result<int> SqliteTx::CountCertificateUses(std::string_view certificate_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM listener_certificates WHERE certificate_id = ?",
                 [&](SqliteStatement& s) { s.Bind(1, certificate_id); });
}

// What listeners serve.

Result<Page<ListenerCertificate>> SqliteTx::ListListenerCertificates(
    const ListenerCertificateFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("listener_id", filter.listener_id);
  where.In("certificate_id", filter.certificate_ids);
  // The default certificate sorts first (key 1); additional ones by association order.
  return ListPage<ListenerCertificate>(db_, "listener_certificates", kListenerCertificateColumns,
                                       where, "(CASE WHEN is_default THEN 1 ELSE seq + 1 END)",
                                       false, page, ReadListenerCertificate);
}

Result<void> SqliteTx::InsertListenerCertificate(const ListenerCertificate& lc) {
  return RunOne(db_,
                "INSERT INTO listener_certificates(listener_id, certificate_id, is_default, "
                "status, job_id) VALUES (?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, lc.listener_id)
                      .Bind(2, lc.certificate_id)
                      .Bind(3, std::int64_t{lc.is_default ? 1 : 0})
                      .Bind(4, lc.status)
                      .Bind(5, lc.job_id);
                });
}

Result<void> SqliteTx::UpdateListenerCertificate(const ListenerCertificate& lc) {
  return RunOne(db_,
                "UPDATE listener_certificates SET is_default = ?, status = ?, job_id = ? "
                "WHERE listener_id = ? AND certificate_id = ?",
                [&](SqliteStatement& s) {
                  s.Bind(1, std::int64_t{lc.is_default ? 1 : 0})
                      .Bind(2, lc.status)
                      .Bind(3, lc.job_id)
                      .Bind(4, lc.listener_id)
                      .Bind(5, lc.certificate_id);
                });
}

Result<void> SqliteTx::DeleteListenerCertificate(std::string_view listener_id,
                                                 std::string_view certificate_id) {
  return RunOne(db_,
                "DELETE FROM listener_certificates WHERE listener_id = ? AND certificate_id = ?",
                [&](SqliteStatement& s) { s.Bind(1, listener_id).Bind(2, certificate_id); });
}

Result<int> SqliteTx::CountAdditionalCertificates(std::string_view load_balancer_id) {
  return CountOf(
      db_,
      "SELECT COUNT(*) FROM listener_certificates lc JOIN listeners l USING (listener_id) "
      "WHERE l.load_balancer_id = ? AND lc.is_default = 0",
      [&](SqliteStatement& s) { s.Bind(1, load_balancer_id); });
}

// Jobs.

Result<void> SqliteTx::InsertJob(const Job& j) {
  return RunOne(db_,
                "INSERT INTO jobs(" + std::string(kJobColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqliteStatement& s) {
                  s.Bind(1, j.job_id)
                      .Bind(2, j.account_id)
                      .Bind(3, j.api_name)
                      .Bind(4, j.operate_type)
                      .Bind(5, j.resource_type)
                      .Bind(6, j.resource_id)
                      .Bind(7, j.status)
                      .Bind(8, j.error_code)
                      .Bind(9, j.error_message)
                      .Bind(10, j.payload)
                      .Bind(11, j.created_ms)
                      .Bind(12, j.modified_ms)
                      .Bind(13, j.run_after_ms);
                });
}

Result<std::optional<Job>> SqliteTx::FindJob(std::string_view id) {
  return FindOne<Job>(
      db_, "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE job_id = ?",
      [&](SqliteStatement& s) { s.Bind(1, id); }, ReadJob);
}

Result<void> SqliteTx::UpdateJob(const Job& j) {
  return RunOne(db_,
                "UPDATE jobs SET status = ?, error_code = ?, error_message = ?, modified_ms = ?, "
                "run_after_ms = ? WHERE job_id = ?",
                [&](SqliteStatement& s) {
                  s.Bind(1, j.status)
                      .Bind(2, j.error_code)
                      .Bind(3, j.error_message)
                      .Bind(4, j.modified_ms)
                      .Bind(5, j.run_after_ms)
                      .Bind(6, j.job_id);
                });
}

Result<Page<Job>> SqliteTx::ListJobs(const JobFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("job_id", filter.ids);
  where.In("resource_id", filter.resource_ids);
  where.Eq("resource_type", filter.resource_type);
  where.Eq("api_name", filter.api_name);
  if (filter.created_from_ms) where.Compare("created_ms", ">=", *filter.created_from_ms);
  if (filter.created_to_ms) where.Compare("created_ms", "<=", *filter.created_to_ms);
  std::optional<std::int64_t> total;
  const bool whole_account = filter.ids.empty() && filter.resource_ids.empty() &&
                             filter.resource_type.empty() && filter.api_name.empty() &&
                             !filter.created_from_ms && !filter.created_to_ms;
  if (whole_account) {  // counted by triggers (migration 5) rather than scanned
    auto counted = FindOne<std::int64_t>(
        db_, "SELECT jobs FROM job_counts WHERE account_id = ?",
        [&](SqliteStatement& s) { s.Bind(1, filter.account_id); },
        [](SqliteStatement& s) { return s.ColumnInt(0); });
    if (!counted) return Fail(counted.error());
    total = counted->value_or(0);
  }
  return ListPage<Job>(db_, "jobs", kJobColumns, where, "seq", true, page, ReadJob, total);
}

Result<std::vector<Job>> SqliteTx::DueJobs(std::int64_t now_ms, int limit) {
  auto stmt = db_.Prepare("SELECT " + std::string(kJobColumns) +
                          " FROM jobs WHERE status = 'Processing' AND run_after_ms <= ? "
                          "ORDER BY run_after_ms, seq LIMIT ?");  // the jobs_pending index, no scan
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, now_ms).Bind(2, std::int64_t{limit});
  return Rows<Job>(*stmt, ReadJob);
}

Result<int> SqliteTx::RescheduleProcessingJobs(std::int64_t delay_ms) {
  auto r = RunOne(db_, "UPDATE jobs SET run_after_ms = created_ms + ? WHERE status = 'Processing'",
                  [&](SqliteStatement& s) { s.Bind(1, delay_ms); });
  if (!r) return Fail(r.error());
  return db_.Changes();
}

Result<std::optional<std::int64_t>> SqliteTx::NextJobTime() {
  auto stmt = db_.Prepare("SELECT MIN(run_after_ms) FROM jobs WHERE status = 'Processing'");
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row || stmt->ColumnText(0).empty()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{stmt->ColumnInt(0)};
}

// ClientTokens.

Result<std::optional<ClientTokenRecord>> SqliteTx::FindClientToken(std::string_view account_id,
                                                                   std::string_view api_name,
                                                                   std::string_view token) {
  auto stmt = db_.Prepare(
      "SELECT account_id, api_name, token, fingerprint, job_id, created_ms FROM client_tokens "
      "WHERE account_id = ? AND api_name = ? AND token = ?");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, account_id).Bind(2, api_name).Bind(3, token);
  return OneRow<ClientTokenRecord>(*stmt, [](const SqliteStatement& s) {
    return ClientTokenRecord{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
                             s.ColumnText(3), s.ColumnText(4), s.ColumnInt(5)};
  });
}

Result<void> SqliteTx::InsertClientToken(const ClientTokenRecord& r) {
  return RunOne(
      db_,
      "INSERT OR REPLACE INTO client_tokens(account_id, api_name, token, fingerprint, job_id, "
      "created_ms) VALUES (?, ?, ?, ?, ?, ?)",
      [&](SqliteStatement& s) {
        s.Bind(1, r.account_id)
            .Bind(2, r.api_name)
            .Bind(3, r.token)
            .Bind(4, r.fingerprint)
            .Bind(5, r.job_id)
            .Bind(6, r.created_ms);
      });
}

Result<int> SqliteTx::DeleteClientTokensBefore(std::int64_t before_ms) {
  auto r = RunOne(db_, "DELETE FROM client_tokens WHERE created_ms < ?",
                  [&](SqliteStatement& s) { s.Bind(1, before_ms); });
  if (!r) return Fail(r.error());
  return db_.Changes();
}

Result<void> SqliteTx::Nested(const std::function<Result<void>(StoreTx&)>& body) {
  std::string name = "nested_" + std::to_string(++savepoint_depth_);
  if (auto r = db_.Exec("SAVEPOINT " + name); !r) {
    --savepoint_depth_;
    return r;
  }
  auto result = body(*this);
  if (!result) {
    (void)db_.Exec("ROLLBACK TO " + name);
  }
  auto released = db_.Exec("RELEASE " + name);
  --savepoint_depth_;
  if (!result) return result;
  return released;
}

}  // namespace openalb
