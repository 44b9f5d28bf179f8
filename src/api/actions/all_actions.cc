#include "api/actions/all_actions.h"

#include "api/actions/region_actions.h"

namespace openalb {

ActionTable BuildActionTable() {
  ActionTable table;
  RegisterRegionActions(table);
  return table;
}

}  // namespace openalb
