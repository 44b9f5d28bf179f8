// Services: what action handlers may use — the region served, the store, the clock and
// the random source. Built once in server/ and passed by reference; handlers never reach
// for globals.
#pragma once

#include "alb/region.h"
#include "core/clock.h"
#include "core/random.h"
#include "store/store.h"

namespace openalb {

struct Services {
  RegionInfo region;
  Store& store;
  const Clock& clock;
  Random& random;
};

}  // namespace openalb
