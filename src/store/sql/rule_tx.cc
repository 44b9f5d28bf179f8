// Rules: SqlTx's statements for the rules table.
#include "store/sql/sql_query.h"
#include "store/sql/sql_tx.h"

namespace openalb {

using namespace sql_query;  // NOLINT(google-build-using-namespace)

namespace {

constexpr std::string_view kRuleColumns =
    "rule_id, account_id, load_balancer_id, listener_id, name, priority, direction, status, "
    "job_id, conditions, actions, created_ms";

Rule ReadRule(const SqlStatement& s) {
  return {s.ColumnText(0), s.ColumnText(1),  s.ColumnText(2),
          s.ColumnText(3), s.ColumnText(4),  static_cast<int>(s.ColumnInt(5)),
          s.ColumnText(6), s.ColumnText(7),  s.ColumnText(8),
          s.ColumnText(9), s.ColumnText(10), s.ColumnInt(11)};
}

}  // namespace

Result<void> SqlTx::InsertRule(const Rule& r) {
  return RunOne(db_,
                "INSERT INTO rules(rule_id, account_id, load_balancer_id, listener_id, name, "
                "priority, direction, status, job_id, conditions, actions, created_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](SqlStatement& s) {
                  s.Bind(1, r.rule_id)
                      .Bind(2, r.account_id)
                      .Bind(3, r.load_balancer_id)
                      .Bind(4, r.listener_id)
                      .Bind(5, r.name)
                      .Bind(6, std::int64_t{r.priority})
                      .Bind(7, r.direction)
                      .Bind(8, r.status)
                      .Bind(9, r.job_id)
                      .Bind(10, r.conditions)
                      .Bind(11, r.actions)
                      .Bind(12, r.created_ms);
                });
}

Result<std::optional<Rule>> SqlTx::FindRule(std::string_view account_id, std::string_view id) {
  return FindOne<Rule>(
      db_,
      "SELECT " + std::string(kRuleColumns) + " FROM rules WHERE rule_id = ? AND account_id = ?",
      [&](SqlStatement& s) { s.Bind(1, id).Bind(2, account_id); }, ReadRule);
}

Result<void> SqlTx::UpdateRule(const Rule& r) {
  return RunOne(db_,
                "UPDATE rules SET name = ?, priority = ?, status = ?, job_id = ?, conditions = ?, "
                "actions = ? WHERE rule_id = ?",
                [&](SqlStatement& s) {
                  s.Bind(1, r.name)
                      .Bind(2, std::int64_t{r.priority})
                      .Bind(3, r.status)
                      .Bind(4, r.job_id)
                      .Bind(5, r.conditions)
                      .Bind(6, r.actions)
                      .Bind(7, r.rule_id);
                });
}

Result<void> SqlTx::DeleteRule(std::string_view id) {
  return RunOne(db_, "DELETE FROM rules WHERE rule_id = ?",
                [&](SqlStatement& s) { s.Bind(1, id); });
}

Result<Page<Rule>> SqlTx::ListRules(const RuleFilter& filter, const PageRequest& page) {
  Where where;
  where.Eq("account_id", filter.account_id);
  where.In("rule_id", filter.ids);
  where.In("listener_id", filter.listener_ids);
  where.In("load_balancer_id", filter.load_balancer_ids);
  where.Eq("direction", filter.direction);
  if (!filter.server_group_id.empty()) {
    where.Contains("actions", "\"" + filter.server_group_id + "\"");
  }
  return ListPage<Rule>(db_, "rules", kRuleColumns, where, "seq", false, page, ReadRule);
}

Result<int> SqlTx::CountRules(std::string_view load_balancer_id) {
  return CountOf(db_, "SELECT COUNT(*) FROM rules WHERE load_balancer_id = ?",
                 [&](SqlStatement& s) { s.Bind(1, load_balancer_id); });
}

Result<bool> SqlTx::RulePriorityTaken(std::string_view listener_id, std::string_view direction,
                                      int priority, std::string_view except_rule_id) {
  auto n = CountOf(db_,
                   "SELECT COUNT(*) FROM rules WHERE listener_id = ? AND direction = ? AND "
                   "priority = ? AND rule_id <> ?",
                   [&](SqlStatement& s) {
                     s.Bind(1, listener_id)
                         .Bind(2, direction)
                         .Bind(3, std::int64_t{priority})
                         .Bind(4, except_rule_id);
                   });
  if (!n) return Fail(n.error());
  return *n > 0;
}

}  // namespace openalb
