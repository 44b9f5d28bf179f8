#include "store/sql/sql_tx.h"

#include "store/sql/sql_query.h"

#include <string>

namespace openalb {

Result<std::int64_t> SqlTx::ConfigVersion() {
  auto stmt = db_.Prepare("SELECT version FROM config_state");
  if (!stmt) return Fail(stmt.error());
  return sql_query::Scalar(*stmt);
}

Result<std::int64_t> SqlTx::MarkConfigChanged() {
  if (changed_version_) return *changed_version_;
  auto stmt = db_.Prepare("UPDATE config_state SET version = version + 1 RETURNING version");
  if (!stmt) return Fail(stmt.error());
  auto version = sql_query::Scalar(*stmt);
  if (!version) return Fail(version.error());
  changed_version_ = *version;
  return *version;
}

Result<void> SqlTx::ConfigChanged() {
  auto version = MarkConfigChanged();
  if (!version) return Fail(version.error());
  return {};
}

Result<void> SqlTx::Nested(const std::function<Result<void>(StoreTx&)>& body) {
  const auto version_before = changed_version_;  // a rolled-back bump is undone with it
  std::string name = "nested_" + std::to_string(++savepoint_depth_);
  if (auto r = db_.Exec("SAVEPOINT " + name); !r) {
    --savepoint_depth_;
    return r;
  }
  auto result = body(*this);
  if (!result) {
    (void)db_.Exec("ROLLBACK TO " + name);
    changed_version_ = version_before;
  }
  auto released = db_.Exec("RELEASE " + name);
  --savepoint_depth_;
  if (!result) return result;
  return released;
}

}  // namespace openalb
