// The nodes table: the one-call Store methods' SQL for NodeRecord, shared by both engines.
#pragma once

#include <vector>

#include "store/sql/sql_connection.h"
#include "store/store.h"

namespace openalb::node_statements {

// The upsert RecordNode runs, with nine parameters BindNode binds (for an engine that wraps it
// in a statement of its own).
extern const char* const kUpsertNode;
void BindNode(SqlStatement& statement, const NodeRecord& node);
Result<void> RecordNode(SqlConnection& db, const NodeRecord& node);
// By node id.
Result<std::vector<NodeRecord>> ListNodes(SqlConnection& db);
Result<int> ForgetNodes(SqlConnection& db, std::int64_t before_ms);

}  // namespace openalb::node_statements
