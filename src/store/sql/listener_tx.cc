// Listeners: SqlTx's statements for the listeners table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kListenerColumns =
    "listener_id, account_id, load_balancer_id, protocol, port, description, status, "
    "resting_status, created_ms, forward_server_group_id, attributes";

Listener ReadListener(const SqlStatement& s) {
  return {s.ColumnText(0),
          s.ColumnText(1),
          s.ColumnText(2),
          s.ColumnText(3),
          static_cast<int>(s.ColumnInt(4)),
          s.ColumnText(5),
          s.ColumnText(6),
          s.ColumnText(7),
          s.ColumnInt(8),
          s.ColumnText(9),
          s.ColumnText(10)};
}

}  // namespace

// Listeners.

Result<void> SqlTx::InsertListener(const Listener& l) {
  return RunOne(
      db_,
      "INSERT INTO listeners(listener_id, account_id, load_balancer_id, protocol, port, "
      "description, status, resting_status, created_ms, forward_server_group_id, attributes) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [&](SqlStatement& s) {
        s.Bind(1, l.listener_id)
            .Bind(2, l.account_id)
            .Bind(3, l.load_balancer_id)
            .Bind(4, l.protocol)
            .Bind(5, std::int64_t{l.port})
            .Bind(6, l.description)
            .Bind(7, l.status)
            .Bind(8, l.resting_status)
            .Bind(9, l.created_ms)
            .Bind(10, l.forward_server_group_id)
            .Bind(11, l.attributes);
      });
}

Result<std::optional<Listener>> SqlTx::FindListener(std::string_view account_id,
                                                    std::string_view id) {
  return FindOne<Listener>(
      db_,
      "SELECT " + std::string(kListenerColumns) +
          " FROM listeners WHERE listener_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadListener);
}

Result<void> SqlTx::UpdateListener(const Listener& l) {
  return RunOne(db_,
                "UPDATE listeners SET description = ?, status = ?, resting_status = ?, "
                "forward_server_group_id = ?, attributes = ? WHERE listener_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, l.description)
                      .Bind(2, l.status)
                      .Bind(3, l.resting_status)
                      .Bind(4, l.forward_server_group_id)
                      .Bind(5, l.attributes)
                      .Bind(6, l.listener_id);
                });
}

Result<void> SqlTx::DeleteListener(std::string_view id) {
  if (auto r = RunOne(db_, "DELETE FROM listeners WHERE listener_id = ?",
                      [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  return DeleteTags(id, {});  // its tags go with it
}

Result<Page<Listener>> SqlTx::ListListeners(const ListenerFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("listener_id", filter.ids);
  where.In("load_balancer_id", filter.load_balancer_ids);
  where.Eq("protocol", filter.protocol);
  where.Eq("forward_server_group_id", filter.forward_server_group_id);
  return ListPage<Listener>(db_, "listeners", kListenerColumns, where, "seq", false, page,
                            ReadListener);
}

Result<int> SqlTx::CountListeners(std::string_view load_balancer_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM listeners WHERE load_balancer_id = ?",
                 [&](SqlStatement& s) { s.Bind(1, load_balancer_id); });
}

Result<bool> SqlTx::ListenerPortTaken(std::string_view load_balancer_id, int port) {
  auto n =
      CountOf(db_, "SELECT COUNT(*) FROM listeners WHERE load_balancer_id = ? AND port = ?",
              [&](SqlStatement& s) { s.Bind(1, load_balancer_id).Bind(2, std::int64_t{port}); });
  if (!n) return Fail(n.error());
  return *n > 0;
}

}  // namespace openalb
