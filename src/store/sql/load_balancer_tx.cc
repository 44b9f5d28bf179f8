// Load balancers: SqlTx's statements for the load_balancers table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kLoadBalancerColumns =
    "load_balancer_id, account_id, name, edition, status, vpc_id, address_type, created_ms, "
    "attributes";

LoadBalancer ReadLoadBalancer(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4),
          s.ColumnText(5), s.ColumnText(6), s.ColumnInt(7),  s.ColumnText(8)};
}

}  // namespace

// Load balancers.

Result<void> SqlTx::InsertLoadBalancer(const LoadBalancer& lb) {
  return RunOne(db_,
                "INSERT INTO load_balancers(" + std::string(kLoadBalancerColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, lb.load_balancer_id)
                      .Bind(2, lb.account_id)
                      .Bind(3, lb.name)
                      .Bind(4, lb.edition)
                      .Bind(5, lb.status)
                      .Bind(6, lb.vpc_id)
                      .Bind(7, lb.address_type)
                      .Bind(8, lb.created_ms)
                      .Bind(9, lb.attributes);
                });
}

Result<std::optional<LoadBalancer>> SqlTx::FindLoadBalancer(std::string_view account_id,
                                                            std::string_view id) {
  return FindOne<LoadBalancer>(
      db_,
      "SELECT " + std::string(kLoadBalancerColumns) +
          " FROM load_balancers WHERE load_balancer_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadLoadBalancer);
}

Result<void> SqlTx::UpdateLoadBalancer(const LoadBalancer& lb) {
  return RunOne(db_,
                "UPDATE load_balancers SET name = ?, status = ?, attributes = ?, edition = ?, "
                "address_type = ? WHERE load_balancer_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, lb.name)
                      .Bind(2, lb.status)
                      .Bind(3, lb.attributes)
                      .Bind(4, lb.edition)
                      .Bind(5, lb.address_type)
                      .Bind(6, lb.load_balancer_id);
                });
}

Result<void> SqlTx::DeleteLoadBalancer(std::string_view id) {
  if (auto r = RunOne(db_, "DELETE FROM load_balancers WHERE load_balancer_id = ?",
                      [&](SqlStatement& s) { s.Bind(1, id); });
      !r) {
    return r;
  }
  return DeleteTags(id, {});  // its tags go with it
}

Result<Page<LoadBalancer>> SqlTx::ListLoadBalancers(const LoadBalancerFilter& filter,
                                                    const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("load_balancer_id", filter.ids);
  where.In("name", filter.names);
  where.Eq("status", filter.status);
  return ListPage<LoadBalancer>(db_, "load_balancers", kLoadBalancerColumns, where, "seq", false,
                                page, ReadLoadBalancer);
}

}  // namespace openalb
