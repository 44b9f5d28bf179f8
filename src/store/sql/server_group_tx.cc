// Server groups and their backend servers: SqlTx's statements for both tables.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kServerGroupColumns =
    "server_group_id, account_id, name, server_group_type, protocol, scheduler, vpc_id, status, "
    "created_ms, attributes";

ServerGroup ReadServerGroup(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4),
          s.ColumnText(5), s.ColumnText(6), s.ColumnText(7), s.ColumnInt(8),  s.ColumnText(9)};
}

constexpr std::string_view kBackendServerColumns =
    "server_group_id, server_id, server_ip, server_type, port, weight, description, status, "
    "job_id";

BackendServer ReadBackendServer(const SqlStatement& s) {
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

}  // namespace

// Server groups and their servers.

Result<void> SqlTx::InsertServerGroup(const ServerGroup& g) {
  return RunOne(db_,
                "INSERT INTO server_groups(" + std::string(kServerGroupColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, g.server_group_id)
                      .Bind(2, g.account_id)
                      .Bind(3, g.name)
                      .Bind(4, g.server_group_type)
                      .Bind(5, g.protocol)
                      .Bind(6, g.scheduler)
                      .Bind(7, g.vpc_id)
                      .Bind(8, g.status)
                      .Bind(9, g.created_ms)
                      .Bind(10, g.attributes);
                });
}

Result<std::optional<ServerGroup>> SqlTx::FindServerGroup(std::string_view account_id,
                                                          std::string_view id) {
  return FindOne<ServerGroup>(
      db_,
      "SELECT " + std::string(kServerGroupColumns) +
          " FROM server_groups WHERE server_group_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadServerGroup);
}

Result<void> SqlTx::UpdateServerGroup(const ServerGroup& g) {
  return RunOne(db_,
                "UPDATE server_groups SET name = ?, status = ?, scheduler = ?, attributes = ? "
                "WHERE server_group_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, g.name)
                      .Bind(2, g.status)
                      .Bind(3, g.scheduler)
                      .Bind(4, g.attributes)
                      .Bind(5, g.server_group_id);
                });
}

Result<void> SqlTx::DeleteServerGroup(std::string_view id) {
  if (auto r = RunOne(db_, "DELETE FROM server_groups WHERE server_group_id = ?",
                      [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  return DeleteTags(id, {});  // its tags go with it
}

Result<Page<ServerGroup>> SqlTx::ListServerGroups(const ServerGroupFilter& filter,
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

Result<Page<BackendServer>> SqlTx::ListBackendServers(const BackendServerFilter& filter,
                                                      const PageRequest& page) {
  Where where;
  where.Eq("server_group_id", filter.server_group_id);
  where.In("server_id", filter.server_ids);
  return ListPage<BackendServer>(db_, "backend_servers", kBackendServerColumns, where, "seq", false,
                                 page, ReadBackendServer);
}

Result<void> SqlTx::InsertBackendServer(const BackendServer& b) {
  return RunOne(db_,
                "INSERT INTO backend_servers(" + std::string(kBackendServerColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
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

Result<void> SqlTx::UpdateBackendServer(const BackendServer& b) {
  return RunOne(db_,
                "UPDATE backend_servers SET server_ip = ?, weight = ?, description = ?, "
                "status = ?, job_id = ? WHERE server_group_id = ? AND server_id = ? AND port = ?",
                [&](SqlStatement& s) {
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

Result<void> SqlTx::DeleteBackendServer(std::string_view server_group_id,
                                        std::string_view server_id, int port) {
  return RunOne(
      db_, "DELETE FROM backend_servers WHERE server_group_id = ? AND server_id = ? AND port = ?",
      [&](SqlStatement& s) {
        s.Bind(1, server_group_id).Bind(2, server_id).Bind(3, std::int64_t{port});
      });
}

Result<int> SqlTx::CountBackendServers(std::string_view server_group_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM backend_servers WHERE server_group_id = ?",
                 [&](SqlStatement& s) { s.Bind(1, server_group_id); });
}

}  // namespace openalb
