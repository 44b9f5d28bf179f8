// `openalb nodes`: the nodes sharing a store, what they do and how far they have got.
#include <chrono>
#include <cstdio>

#include "fleet/node_liveness.h"
#include "server/cli_support.h"
#include "server/commands.h"

namespace openalb {

int RunNodesList(const NodesOptions& options) {
  auto store = OpenDataDirStore(options.data_dir, options.store);
  if (!store) return ReportError(store.error());
  auto version = InTransaction<std::int64_t>(**store, TxMode::kRead,
                                             [](StoreTx& tx) { return tx.ConfigVersion(); });
  if (!version) return ReportError(version.error());
  auto nodes = (*store)->ListNodes();
  if (!nodes) return ReportError(nodes.error());
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  std::printf("configuration version %lld\n", static_cast<long long>(*version));
  std::printf("%-20s %-22s %-16s %8s %5s %10s  %-5s %s\n", "NODE", "ROLES", "LISTENERS_ON",
              "APPLIED", "LAG", "HEARTBEAT", "STATE", "ERROR");
  for (const auto& node : *nodes) {
    const bool live = IsLive(node, now, options.lease_ms);
    const bool dataplane = HasRole(node.roles, "dataplane");
    std::string applied = dataplane ? std::to_string(node.applied_version) : "-";
    std::string lag = dataplane ? std::to_string(*version - node.applied_version) : "-";
    std::string age = std::to_string((now - node.heartbeat_ms) / 1000.0).substr(0, 5) + "s ago";
    std::string error = node.apply_error.empty()
                            ? ""
                            : node.error_listener_id + " at " + std::to_string(node.error_version) +
                                  ": " + node.apply_error;
    std::printf("%-20s %-22s %-16s %8s %5s %10s  %-5s %s\n", node.node_id.c_str(),
                node.roles.c_str(), node.listener_address.c_str(), applied.c_str(), lag.c_str(),
                age.c_str(), live ? "live" : "gone", error.c_str());
  }
  return 0;
}

}  // namespace openalb
