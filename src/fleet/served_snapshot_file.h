// The served configuration on disk: what a data-plane node last applied, with its version,
// written atomically (a temporary file, fsync, rename) so a node restarted while the store is
// unreachable serves what it served before. Private keys stay sealed, as in the store; the
// file is 0600. A file that does not parse is refused whole (the node then waits for the
// store), never half-applied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/api_error.h"
#include "dataplane/listener_config.h"

namespace openalb {

struct ServedSnapshot {
  std::int64_t version = 0;
  std::vector<ListenerConfig> listeners;
};

Result<void> WriteServedSnapshot(const std::string& path, const ServedSnapshot& snapshot);
Result<ServedSnapshot> ReadServedSnapshot(const std::string& path);

}  // namespace openalb
