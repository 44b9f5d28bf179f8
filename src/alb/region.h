// The region this openalb serves. One server is one region: RegionId in requests must
// match it, DescribeRegions lists it, and resource ARNs and certificate ids carry it.
#pragma once

#include <string>
#include <vector>

namespace openalb {

struct RegionInfo {
  std::string region_id = "cn-hangzhou";
  std::string local_name = "openalb";
  // What DescribeZones lists (`--zones`); empty: <region>-a and <region>-b.
  std::vector<std::string> zones;
};

// The zones DescribeZones answers with.
inline std::vector<std::string> ZonesOf(const RegionInfo& region) {
  if (!region.zones.empty()) return region.zones;
  return {region.region_id + "-a", region.region_id + "-b"};
}

}  // namespace openalb
