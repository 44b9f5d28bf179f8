// The region this openalb serves. One server is one region: RegionId in requests must
// match it, DescribeRegions lists it, and resource ARNs and certificate ids carry it.
#pragma once

#include <string>

namespace openalb {

struct RegionInfo {
  std::string region_id = "cn-hangzhou";
  std::string local_name = "openalb";
};

}  // namespace openalb
