// Services: what action handlers may use — the region served, the store, the clock, the
// random source, the ALB domain and the local data plane's health checks. Built once in server/ and
// passed by reference; handlers never reach for globals.
#pragma once

#include "alb/domain.h"
#include "alb/region.h"
#include "core/clock.h"
#include "core/random.h"
#include "dataplane/health_checker.h"
#include "store/store.h"

namespace openalb {

struct Services {
  RegionInfo region;
  Store& store;
  const Clock& clock;
  Random& random;
  const Domain& domain;
  // This process's data plane's health checks (GetListenerHealthStatus); null: none here.
  const HealthChecker* health = nullptr;
};

}  // namespace openalb
