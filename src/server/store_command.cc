// `openalb store copy`: the command-line face of server/store_copy.
#include <cstdio>

#include "server/cli_support.h"
#include "server/commands.h"
#include "server/data_dir.h"
#include "server/store_copy.h"
#include "server/store_selection.h"

namespace openalb {

int RunStoreCopy(const StoreCopyOptions& options) {
  if (!IsPostgresUrl(options.to)) return ReportError("--to must be a postgres:// URL");
  auto from = OpenDataDirStore(options.from, "");
  if (!from) return ReportError(from.error());
  auto to = OpenStore(options.to, DataDirPaths{options.from});
  if (!to) return ReportError(to.error());
  auto copied = CopyStore(**from, **to);
  if (!copied) return ReportError(copied.error());
  std::printf("%-24s %s\n", "TABLE", "ROWS");
  for (const auto& table : *copied) {
    std::printf("%-24s %lld\n", table.name.c_str(), static_cast<long long>(table.rows));
  }
  std::printf(
      "copied and read back: every row matches.\n"
      "Each node needs this data directory's secret.key (it seals private keys and secrets):\n"
      "copy %s/secret.key into the --data-dir of every node, then start them with --store.\n",
      options.from.c_str());
  return 0;
}

}  // namespace openalb
