#include "api/actions/region_actions.h"

#include "api/actions/resources.h"

#include "api/services.h"

namespace openalb {
namespace {

Result<Json> DescribeRegions(ActionContext& context) {
  const RegionInfo& region = context.services.region;
  Json entry;
  entry["RegionId"] = region.region_id;
  entry["LocalName"] = region.local_name;
  entry["RegionEndpoint"] = context.request.host;
  Json body;
  body["Regions"] = Json::array({std::move(entry)});
  return body;
}

Result<Json> DescribeZones(ActionContext& context) {
  Json body;
  body["Zones"] = Json::array();
  for (const auto& zone : ZonesOf(context.services.region)) {
    Json entry;
    entry["ZoneId"] = zone;
    entry["LocalName"] = zone;
    body["Zones"].push_back(std::move(entry));
  }
  return body;
}

}  // namespace

void RegisterRegionActions(ActionTable& table) {
  table.Add({.name = "DescribeZones",
             .version = "2020-06-16",
             .ram_action = "alb:DescribeZones",
             .access = AccessLevel::kList,
             .required = {},
             .resource = AllResources("alb"),
             .handler = DescribeZones});
  table.Add({.name = "DescribeRegions",
             .version = "2020-06-16",
             .ram_action = "alb:DescribeRegions",
             .access = AccessLevel::kList,
             .required = {},
             .resource = AllResources("alb"),
             .handler = DescribeRegions});
}

}  // namespace openalb
