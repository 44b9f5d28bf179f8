#include "store/sql/sql_tx.h"

#include <string>

namespace openalb {

Result<void> SqlTx::Nested(const std::function<Result<void>(StoreTx&)>& body) {
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
