#include "api/action_table.h"

#include <stdexcept>

namespace openalb {

void ActionTable::Add(ActionSpec spec) {
  versions_.insert(spec.version);
  auto key = std::make_pair(spec.version, spec.name);
  if (!actions_.emplace(std::move(key), std::move(spec)).second) {
    // A programming error at start-up, not a request failure.
    throw std::logic_error("action registered twice");
  }
}

const ActionSpec* ActionTable::Find(std::string_view version, std::string_view action) const {
  auto it = actions_.find(std::make_pair(std::string(version), std::string(action)));
  return it == actions_.end() ? nullptr : &it->second;
}

}  // namespace openalb
