// CodeOf: what a domain call answered, as one string a test can compare — "ok", or the
// error code it failed with.
#pragma once

#include <string>

#include "core/api_error.h"

namespace openalb::testing {

template <typename T>
std::string CodeOf(const Result<T>& result) {
  return result ? std::string("ok") : result.error().code;
}

}  // namespace openalb::testing
