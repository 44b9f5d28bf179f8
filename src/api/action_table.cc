#include "api/action_table.h"

#include <cctype>
#include <stdexcept>

namespace openalb {

void ActionTable::Add(ActionSpec spec) {
  // Programming errors at start-up, not request failures: every action names what RAM
  // authorises it against.
  if (!spec.resource) throw std::logic_error("action registered without a RAM resource");
  spec.ram_action_lower_case = spec.ram_action;
  for (char& c : spec.ram_action_lower_case) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  versions_.insert(spec.version);
  auto key = std::make_pair(spec.version, spec.name);
  if (!actions_.emplace(std::move(key), std::move(spec)).second) {
    throw std::logic_error("action registered twice");
  }
}

const ActionSpec* ActionTable::Find(std::string_view version, std::string_view action) const {
  auto it = actions_.find(std::make_pair(std::string(version), std::string(action)));
  return it == actions_.end() ? nullptr : &it->second;
}

}  // namespace openalb
